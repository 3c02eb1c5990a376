package io.chute.job;

import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/** A job that does nothing: measures the engine's own cost (claim, lease, transitions) in benchmarks. */
@Component
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
