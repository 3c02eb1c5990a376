package io.chute.job;

import static io.chute.job.JobStatus.CANCELLED;
import static io.chute.job.JobStatus.FAILED;
import static io.chute.job.JobStatus.PENDING;
import static io.chute.job.JobStatus.PROCESSING;
import static io.chute.job.JobStatus.RETRYING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The status sets in the jobs SQL are read off {@link JobStatus}'s transition table, not written by hand. */
class JobSqlTest {

    private static final Pattern LITERAL = Pattern.compile("'([A-Z]+)'");

    @ParameterizedTest(name = "a move to {0}")
    @EnumSource(JobStatus.class)
    void theConditionOnAMoveIsTheSetOfStatesTheTableAllowsItFrom(JobStatus next) {
        assertThat(statusesIn(JobSql.movableTo(next))).isEqualTo(JobStatus.sourcesOf(next));
    }

    @Test
    void aClaimTakesWaitingJobsAndARetryTakesFailedOrCancelledOnes() {
        assertThat(JobSql.WAITING).isEqualTo("j.status in ('PENDING', 'RETRYING')");
        assertThat(JobSql.movableTo(PROCESSING)).isEqualTo(JobSql.WAITING);
        assertThat(JobSql.movableTo(PENDING)).isEqualTo("j.status in ('FAILED', 'CANCELLED')");
        assertThat(statusesIn(JobSql.movableTo(CANCELLED))).containsExactlyInAnyOrder(PENDING, PROCESSING, RETRYING);
    }

    @Test
    void theRunnablePredicateIsWaitingWithEveryDependencyCompletedAndDue() {
        assertThat(JobSql.RUNNABLE).startsWith(JobSql.READY).endsWith("and j.run_at <= now()");
        assertThat(JobSql.READY)
                .startsWith(JobSql.WAITING + " and not exists (")
                .contains("c.status <> 'COMPLETED')");
    }

    @Test
    void aSetIsWrittenInDeclarationOrderWhateverOrderItCameIn() {
        assertThat(JobSql.in(Set.of(FAILED, PENDING))).isEqualTo("j.status in ('PENDING', 'FAILED')");
    }

    @Test
    void anEmptySetIsRefusedRatherThanWrittenAsInvalidSql() {
        assertThatIllegalArgumentException().isThrownBy(() -> JobSql.in(EnumSet.noneOf(JobStatus.class)));
    }

    private static Set<JobStatus> statusesIn(String sql) {
        EnumSet<JobStatus> found = EnumSet.noneOf(JobStatus.class);
        Matcher m = LITERAL.matcher(sql);
        while (m.find()) {
            found.add(JobStatus.valueOf(m.group(1)));
        }
        return found;
    }
}
