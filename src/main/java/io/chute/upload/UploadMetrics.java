package io.chute.upload;

import io.chute.common.AfterCommit;
import io.chute.common.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * {@code file_uploads_total{lane,result}} and {@code file_upload_bytes_total}: uploads accepted
 * (counted once, when their job is committed) and refused, per lane. Labels stay bounded: two
 * lanes, two results.
 */
@Component
class UploadMetrics {

    enum Lane {
        SIGNED,
        DIRECT
    }

    private final MeterRegistry meters;
    private final Counter bytes;

    UploadMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.bytes = Counter.builder("file.upload.bytes")
                .baseUnit("bytes")
                .description("bytes of accepted uploads")
                .register(meters);
    }

    /** Call in the transaction that queues an upload's job: counted once it commits. */
    void accepted(Lane lane, long size) {
        AfterCommit.run(() -> {
            uploads(lane, "accepted").increment();
            bytes.increment(size);
        });
    }

    /** Runs one upload call of {@code lane}, counting a refusal (4xx) as {@code result="rejected"}. */
    <T> T refusalsCounted(Lane lane, Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            if (e.status().is4xxClientError()) {
                uploads(lane, "rejected").increment();
            }
            throw e;
        }
    }

    private Counter uploads(Lane lane, String result) {
        return Counter.builder("file.uploads")
                .description("uploads completed, by lane and result")
                .tag("lane", lane.name().toLowerCase())
                .tag("result", result)
                .register(meters);
    }
}
