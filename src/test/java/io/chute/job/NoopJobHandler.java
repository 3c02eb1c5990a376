package io.chute.job;

import java.util.Map;
import java.util.Set;

/**
 * A job that does nothing: measures the engine's own cost (claim, lease, transitions). Only the
 * benchmarks that need it register it ({@link NoopJobsBenchmark}, {@link RabbitNoopJobsBenchmark}).
 */
class NoopJobHandler implements JobHandler {

    @Override
    public Set<String> types() {
        return Set.of("noop");
    }

    @Override
    public Result handle(Job job, Progress progress) {
        return new Result(Map.of(), Map.of());
    }
}
