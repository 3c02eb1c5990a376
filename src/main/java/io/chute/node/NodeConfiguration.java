package io.chute.node;

import io.chute.config.ChuteProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class NodeConfiguration {

    @Bean
    NodeId nodeId(ChuteProperties properties) {
        return NodeId.of(properties);
    }
}
