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
 * {@code chute.test.started-marker}, then hangs, so that the process can be killed mid-job. With
 * {@code chute.test.hang-only-on} set to a file name, only that file's jobs hang; the others run
 * as usual, so that a node waiting for its turn to be killed is an ordinary worker meanwhile.
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
                String only = environment.getProperty("chute.test.hang-only-on");
                return new JobHandler() {
                    @Override
                    public java.util.Set<String> types() {
                        return handler.types();
                    }

                    @Override
                    public Result handle(Job job, Progress progress) throws Exception {
                        if (only != null && !only.equals(job.fileName())) {
                            return handler.handle(job, progress);
                        }
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
