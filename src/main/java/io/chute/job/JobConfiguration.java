package io.chute.job;

import io.chute.config.ChuteProperties;
import io.chute.config.ConditionalOnRole;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
class JobConfiguration {

    @Bean(destroyMethod = "close")
    JobRunner jobRunner(Jobs jobs, List<JobHandler> handlers, ChuteProperties properties, TransactionTemplate tx) {
        return new JobRunner(jobs, handlers, properties.jobs(), tx);
    }

    @Bean
    @ConditionalOnRole("worker")
    JobWorker jobWorker(JobQueue queue, JobRunner runner) {
        return new JobWorker(queue, runner);
    }
}
