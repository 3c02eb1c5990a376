package io.chute.realtime;

import io.chute.job.JobChanges;
import io.chute.job.Jobs;
import io.chute.storage.FileSystemObjectStore;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** The production {@code job.updated} publisher, on the local bus, for benchmarks of the job engine. */
public final class JobEventsForBenchmarks {

    private JobEventsForBenchmarks() {}

    /** A publisher reading {@code jobs}, writing the replay log in each change's transaction. */
    public static JobChanges publisher(JdbcClient jdbc, Jobs jobs) throws Exception {
        JsonMapper json = JsonMapper.builder().build();
        LocalEventBus bus = new LocalEventBus();
        bus.start(event -> {});
        Events events = new Events(bus, new EventLog(jdbc), json, "bench");
        FileSystemObjectStore store = new FileSystemObjectStore(
                Files.createTempDirectory("chute-bench-objects-"), new byte[32], Clock.systemUTC());
        return new JobEvents(jobs, store, Duration.ofMinutes(5), events, List.of(), json);
    }
}
