package io.chute.job;

import io.chute.config.ChuteProperties;
import io.chute.job.postgres.PostgresClaims;
import io.chute.job.postgres.PostgresJobQueue;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The job-queue contract on the PostgreSQL adapter, against the machine's PostgreSQL. */
class PostgresJobQueueIT extends JobQueueContract {

    @Override
    JobQueue newQueue(Jobs jobs, DataSource dataSource, ChuteProperties.Jobs config) {
        return new PostgresJobQueue(new PostgresClaims(JdbcClient.create(dataSource), jobs), dataSource, config);
    }
}
