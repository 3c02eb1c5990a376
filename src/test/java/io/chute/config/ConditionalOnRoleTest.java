package io.chute.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code @ConditionalOnRole}: a bean exists on the nodes whose {@code chute.roles} hold its role, and only there. */
class ConditionalOnRoleTest {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(RoleBeans.class);

    @Test
    void aNodeWithDefaultRolesRunsAllThree() {
        runner.run(
                context -> assertThat(context).hasBean("api").hasBean("gateway").hasBean("worker"));
    }

    @Test
    void aWorkerOnlyNodeRunsNoApiAndNoGateway() {
        runner.withPropertyValues("chute.roles=worker")
                .run(context -> assertThat(context)
                        .hasBean("worker")
                        .doesNotHaveBean("api")
                        .doesNotHaveBean("gateway"));
    }

    @Test
    void rolesAreReadAsAListAsChutePropertiesBindsThem() {
        runner.withPropertyValues("chute.roles=api, gateway")
                .run(context ->
                        assertThat(context).hasBean("api").hasBean("gateway").doesNotHaveBean("worker"));
        runner.withPropertyValues("chute.roles[0]=gateway")
                .run(context -> assertThat(context)
                        .hasBean("gateway")
                        .doesNotHaveBean("api")
                        .doesNotHaveBean("worker"));
    }

    @Test
    void aRoleNameIsNotMatchedAsASubstring() {
        runner.withPropertyValues("chute.roles=apis,workers")
                .run(context -> assertThat(context).doesNotHaveBean("api").doesNotHaveBean("worker"));
    }

    @Test
    void anAnnotationNamingNoRoleStopsTheStart() {
        new ApplicationContextRunner()
                .withUserConfiguration(MisspeltRole.class)
                .run(context ->
                        assertThat(context).getFailure().hasStackTraceContaining("@ConditionalOnRole(\"wroker\")"));
    }

    @Configuration(proxyBeanMethods = false)
    static class RoleBeans {
        @Bean
        @ConditionalOnRole("api")
        String api() {
            return "api";
        }

        @Bean
        @ConditionalOnRole("gateway")
        String gateway() {
            return "gateway";
        }

        @Bean
        @ConditionalOnRole("worker")
        String worker() {
            return "worker";
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class MisspeltRole {
        @Bean
        @ConditionalOnRole("wroker")
        String worker() {
            return "worker";
        }
    }
}
