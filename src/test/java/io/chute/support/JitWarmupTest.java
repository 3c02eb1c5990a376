package io.chute.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JitWarmupTest {

    @Test
    void readsTheCompileTimeOfJcmdsPerfCounters() {
        String output = """
                12345:
                java.ci.totalTime=2500000000
                sun.ci.lastMethod="java/util/HashMap putVal"
                sun.os.hrt.frequency=1000000000
                """;
        assertThat(JitWarmup.compileMillisIn(output)).isEqualTo(2500);
        assertThatThrownBy(() -> JitWarmup.compileMillisIn("12345:\nAttach failed"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Attach failed");
    }

    @Test
    void aRoundIsSettledWhenItCompiledForUnderOneTwentiethOfItsTime() {
        assertThat(JitWarmup.settled(49, 1000)).isTrue();
        assertThat(JitWarmup.settled(50, 1000)).isFalse();
        assertThat(JitWarmup.settled(900, 1000)).isFalse();
    }

    @Test
    void runsRoundsUntilTheCompilerSettlesAndAtLeastTheMinimum() throws Exception {
        // each round takes 20 ms and "compiles" for as long as the next entry says
        long[] compiledPerRound = {20, 20, 0, 0, 0};
        AtomicLong compiled = new AtomicLong();
        AtomicLong clock = new AtomicLong();
        List<Integer> ran = new ArrayList<>();
        JitWarmup warmup = new JitWarmup(compiled::get, clock::get);

        JitWarmup.Result result = warmup.run(1, Duration.ofMinutes(1), round -> {
            ran.add(round);
            compiled.addAndGet(compiledPerRound[round]);
            clock.addAndGet(Duration.ofMillis(20).toNanos());
        });

        assertThat(ran).containsExactly(0, 1, 2);
        assertThat(result.settled()).isTrue();
        assertThat(result.rounds()).isEqualTo(3);
        assertThat(result.wallMillis()).isEqualTo(60);

        ran.clear();
        JitWarmup.Result atLeastFour = new JitWarmup(() -> 0, clock::get).run(4, Duration.ofMinutes(1), ran::add);
        assertThat(ran).containsExactly(0, 1, 2, 3);
        assertThat(atLeastFour.settled()).isTrue();
    }

    @Test
    void stopsAtTheTimeLimitWhileStillCompiling() throws Exception {
        AtomicLong compiled = new AtomicLong();
        AtomicLong clock = new AtomicLong();
        JitWarmup.Result result = new JitWarmup(compiled::get, clock::get).run(1, Duration.ofMillis(50), round -> {
            compiled.addAndGet(15);
            clock.addAndGet(Duration.ofMillis(20).toNanos());
        });

        assertThat(result.settled()).isFalse();
        assertThat(result.rounds()).isEqualTo(3);
    }

    @Test
    void readsTheCompileTimeOfAnotherJvm() throws Exception {
        Process sleeper = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElseThrow(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.chute.support.JitWarmupTest$Sleeper")
                .start();
        try {
            // a JVM compiles from its first moments on: its counter is read once jcmd can attach
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> JitWarmup.of(sleeper.pid()).compileMillis() > 0);
        } finally {
            sleeper.destroyForcibly();
        }
    }

    /** A JVM to read the counters of: it waits for its standard input, which the test never closes. */
    static final class Sleeper {
        public static void main(String[] args) throws java.io.IOException {
            System.in.read();
        }
    }
}
