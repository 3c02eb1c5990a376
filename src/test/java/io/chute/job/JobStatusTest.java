package io.chute.job;

import static io.chute.job.JobStatus.CANCELLED;
import static io.chute.job.JobStatus.COMPLETED;
import static io.chute.job.JobStatus.FAILED;
import static io.chute.job.JobStatus.PENDING;
import static io.chute.job.JobStatus.PROCESSING;
import static io.chute.job.JobStatus.REJECTED;
import static io.chute.job.JobStatus.RETRYING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class JobStatusTest {

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource(textBlock = """
            PENDING,    PENDING,    false
            PENDING,    PROCESSING, true
            PENDING,    RETRYING,   false
            PENDING,    COMPLETED,  false
            PENDING,    FAILED,     true
            PENDING,    CANCELLED,  true
            PENDING,    REJECTED,   false

            PROCESSING, PENDING,    false
            PROCESSING, PROCESSING, false
            PROCESSING, RETRYING,   true
            PROCESSING, COMPLETED,  true
            PROCESSING, FAILED,     true
            PROCESSING, CANCELLED,  true
            PROCESSING, REJECTED,   true

            RETRYING,   PENDING,    false
            RETRYING,   PROCESSING, true
            RETRYING,   RETRYING,   false
            RETRYING,   COMPLETED,  false
            RETRYING,   FAILED,     true
            RETRYING,   CANCELLED,  true
            RETRYING,   REJECTED,   false

            COMPLETED,  PENDING,    false
            COMPLETED,  PROCESSING, false
            COMPLETED,  RETRYING,   false
            COMPLETED,  COMPLETED,  false
            COMPLETED,  FAILED,     false
            COMPLETED,  CANCELLED,  false
            COMPLETED,  REJECTED,   false

            FAILED,     PENDING,    true
            FAILED,     PROCESSING, false
            FAILED,     RETRYING,   false
            FAILED,     COMPLETED,  false
            FAILED,     FAILED,     false
            FAILED,     CANCELLED,  false
            FAILED,     REJECTED,   false

            CANCELLED,  PENDING,    true
            CANCELLED,  PROCESSING, false
            CANCELLED,  RETRYING,   false
            CANCELLED,  COMPLETED,  false
            CANCELLED,  FAILED,     false
            CANCELLED,  CANCELLED,  false
            CANCELLED,  REJECTED,   false

            REJECTED,   PENDING,    false
            REJECTED,   PROCESSING, false
            REJECTED,   RETRYING,   false
            REJECTED,   COMPLETED,  false
            REJECTED,   FAILED,     false
            REJECTED,   CANCELLED,  false
            REJECTED,   REJECTED,   false
            """)
    void allowsOnlyTheMovesInTheTransitionTable(JobStatus from, JobStatus to, boolean allowed) {
        assertThat(from.canMoveTo(to)).isEqualTo(allowed);
    }

    @Test
    void theTableAboveCoversEveryState() {
        // why: a new state must be added to the written-out table, not silently allowed or refused
        assertThat(JobStatus.values())
                .containsExactly(PENDING, PROCESSING, RETRYING, COMPLETED, FAILED, CANCELLED, REJECTED);
    }

    @ParameterizedTest
    @EnumSource(
            value = JobStatus.class,
            names = {"COMPLETED", "REJECTED"})
    void completedAndRejectedAreFinal(JobStatus status) {
        assertThat(status.isFinal()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(
            value = JobStatus.class,
            names = {"COMPLETED", "REJECTED"},
            mode = EnumSource.Mode.EXCLUDE)
    void everyOtherStateIsNotFinal(JobStatus status) {
        assertThat(status.isFinal()).isFalse();
    }

    @Test
    void aJobIsClaimedOnlyFromPendingOrRetrying() {
        assertThat(JobStatus.sourcesOf(PROCESSING)).isEqualTo(EnumSet.of(PENDING, RETRYING));
    }

    @Test
    void aJobIsRequeuedOnlyFromFailedOrCancelled() {
        assertThat(JobStatus.sourcesOf(PENDING)).isEqualTo(EnumSet.of(FAILED, CANCELLED));
    }

    @Test
    void aJobFailsFromAnyStateThatHasNotRunToAnEnd() {
        assertThat(JobStatus.sourcesOf(FAILED)).isEqualTo(EnumSet.of(PENDING, PROCESSING, RETRYING));
    }

    @Test
    void aJobIsCancelledFromAnyStateThatHasNotRunToAnEnd() {
        assertThat(JobStatus.sourcesOf(CANCELLED)).isEqualTo(EnumSet.of(PENDING, PROCESSING, RETRYING));
    }
}
