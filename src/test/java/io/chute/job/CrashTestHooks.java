package io.chute.job;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;

/**
 * Test-only fault injection, active only with the {@code crash-test} profile (set on a child
 * process by {@link WorkerCrashIT}): every job handler announces that it started by creating
 * {@code chute.test.started-marker}, then hangs, so that the process can be killed mid-job.
 */
@Configuration(proxyBeanMethods = false)
@Profile("crash-test")
class CrashTestHooks {

    @Bean
    static BeanPostProcessor hangingHandlers(Environment environment) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (!(bean instanceof JobHandler handler)) {
                    return bean;
                }
                Path marker = Path.of(environment.getRequiredProperty("chute.test.started-marker"));
                return new JobHandler() {
                    @Override
                    public java.util.Set<String> types() {
                        return handler.types();
                    }

                    @Override
                    public Result handle(Job job, Progress progress) throws Exception {
                        Files.writeString(marker, job.id().toString());
                        while (true) {
                            LockSupport.park(this);
                        }
                    }
                };
            }
        };
    }
}
