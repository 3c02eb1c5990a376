package io.chute.job;

import io.chute.config.ChuteProperties;
import io.chute.config.ConditionalOnRole;
import io.chute.node.NodeHeartbeat;
import io.chute.node.NodeId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
class JobConfiguration {

    @Bean(destroyMethod = "close")
    JobRunner jobRunner(
            Jobs jobs,
            List<JobHandler> handlers,
            ChuteProperties properties,
            TransactionTemplate tx,
            MeterRegistry meters,
            JobTracing tracing,
            NodeId node,
            DataSource dataSource) {
        return new JobRunner(
                jobs,
                handlers,
                properties.jobs(),
                tx,
                new JobRates(dataSource, properties.jobs()),
                new JobMetrics(meters),
                tracing,
                node.value());
    }

    /** On every node, whatever its roles: any live node takes back the jobs of a dead one. */
    @Bean(destroyMethod = "close")
    DeadNodeRecovery deadNodeRecovery(
            Jobs jobs,
            JobRunner runner,
            JobQueue queue,
            TransactionTemplate tx,
            NodeHeartbeat heartbeat,
            ChuteProperties properties) {
        return new DeadNodeRecovery(jobs, runner, queue, tx, heartbeat, properties);
    }

    /** Micrometer Tracing's tracer when tracing is on (see README, Operations), else one that does nothing. */
    @Bean
    JobTracing jobTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return new JobTracing(
                tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    @Bean
    @ConditionalOnRole("worker")
    JobWorker jobWorker(JobQueue queue, JobRunner runner) {
        return new JobWorker(queue, runner);
    }
}
