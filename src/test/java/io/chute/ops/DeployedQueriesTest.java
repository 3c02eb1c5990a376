package io.chute.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeployedQueriesTest {

    @Test
    void findsTheMetricNamesOfAnExpressionButNotItsFunctionsLabelsOrDurations() {
        assertThat(DeployedQueries.metricsIn("""
                histogram_quantile(0.99, sum by (type, le) (rate(file_processing_duration_seconds_bucket{result="completed"}[5m])))
                and deriv(max by (type) (jobs_queue_depth{status=~"PENDING|RETRYING"})[15m:1m]) > 0
                / on (instance) chute_gateway_connections > 1e3"""))
                .containsExactlyInAnyOrder(
                        "file_processing_duration_seconds_bucket", "jobs_queue_depth", "chute_gateway_connections");
    }

    @Test
    void readsTheRulesTheDashboardAndTheAutoscalerQuery() {
        assertThat(DeployedQueries.expressions())
                .containsKeys("alert ChuteClamdDown", "keda trigger")
                .anySatisfy((where, expr) -> assertThat(where).startsWith("panel "));
        assertThat(DeployedQueries.metrics())
                .contains(
                        "file_uploads_total",
                        "worker_utilization",
                        "clamav_up",
                        "chat_messages_total",
                        "jobs_outbox_lag_seconds",
                        "chute_gateway_send_dropped_total");
    }
}
