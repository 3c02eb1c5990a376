package io.chute;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@EnableScheduling
@ConfigurationPropertiesScan
public class ChuteApplication {

    /**
     * Tomcat's WebSocket buffers per socket (frame input, output, text encoding), 8 KiB each by
     * default and held while the socket is open; read once, when Tomcat's WebSocket classes load,
     * so it is set before the application starts unless given with {@code -D}.
     */
    static final String WEBSOCKET_BUFFER = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

    public static void main(String[] args) {
        if (System.getProperty(WEBSOCKET_BUFFER) == null) {
            System.setProperty(WEBSOCKET_BUFFER, "2048");
        }
        SpringApplication.run(ChuteApplication.class, args);
    }
}
