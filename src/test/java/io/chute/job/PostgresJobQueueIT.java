package io.chute.job;

import io.chute.config.ChuteProperties;
import javax.sql.DataSource;

/** The job-queue contract on the PostgreSQL adapter, against the machine's PostgreSQL. */
class PostgresJobQueueIT extends JobQueueContract {

    @Override
    JobQueue newQueue(Jobs jobs, DataSource dataSource, ChuteProperties.Jobs config) {
        return new PostgresJobQueue(jobs, dataSource, config);
    }
}
