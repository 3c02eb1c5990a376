package io.chute.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every {@code chute.*} setting, with the defaults that make a zero-config start work. The
 * configuration reference in the README lists the same names. Bound once, validated at start-up:
 * a wrong value stops the start with a message that names the property.
 */
@ConfigurationProperties("chute")
@Validated
public record ChuteProperties(
        @DefaultValue("./data") @NotNull Path dataDir,

        @DefaultValue({"api", "gateway", "worker"}) @NotEmpty
        Set<@NotNull @Pattern(regexp = "api|gateway|worker", message = "must be api, gateway or worker") String> roles,

        @DefaultValue List<String> adminUsers,
        @DefaultValue @Valid Auth auth,
        @DefaultValue @Valid Storage storage,
        @DefaultValue @Valid Uploads uploads,
        @DefaultValue @Valid Queue queue,
        @DefaultValue @Valid Jobs jobs,
        @DefaultValue @Valid Processing processing,
        @DefaultValue @Valid Clamav clamav,
        @DefaultValue @Valid Bus bus,
        @DefaultValue @Valid Realtime realtime,
        @DefaultValue @Valid Chat chat,
        @DefaultValue @Valid Cors cors,
        @DefaultValue @Valid Nodes nodes) {

    public ChuteProperties {
        // why: child processes (ffmpeg, vips, LibreOffice) run in work directories of their own, where a
        // relative data dir names another place; resolved once here, every path derived from it is absolute
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    /** Where objects live: {@code filesystem} (under the data dir, signed URLs served by Chute) or any {@code s3} API. */
    public enum StorageType {
        FILESYSTEM,
        S3
    }

    /** Which job queue carries jobs to workers: the {@code postgres} table or {@code rabbitmq}. */
    public enum QueueType {
        POSTGRES,
        RABBITMQ
    }

    /** Cross-node routing of real-time events: {@code local} (one node) or {@code rabbitmq}. */
    public enum BusType {
        LOCAL,
        RABBITMQ
    }

    /** JWT settings; an empty secret means "generate one and keep it under the data dir". */
    public record Auth(
            @DefaultValue("") String tokenSecret,
            @DefaultValue("12h") Duration tokenTtl) {}

    public record Storage(
            @DefaultValue("filesystem") @NotNull StorageType type,
            @DefaultValue("") String signingSecret,
            @DefaultValue("100MB") DataSize multipartThreshold,
            @DefaultValue S3 s3) {}

    /**
     * S3 API settings ({@code chute.storage.type=s3}). An empty endpoint means AWS itself; empty
     * keys mean the AWS default credential chain (environment, profile, instance role).
     * {@code partSize} is the buffer of Chute's own streaming writes, so it bounds their memory.
     */
    public record S3(
            @DefaultValue("") String endpoint,
            @DefaultValue("us-east-1") String region,
            @DefaultValue("chute") String bucket,
            @DefaultValue("") String accessKey,
            @DefaultValue("") String secretKey,
            @DefaultValue("false") boolean pathStyle,
            @DefaultValue("true") boolean createBucket,
            @DefaultValue("8MB") DataSize partSize) {}

    /**
     * Uploads. Every file type is accepted unless {@code deniedTypes} lists it or {@code allowedTypes}
     * leaves it out; both take media types or {@code type/*} patterns and apply to the declared
     * type before any byte is sent and to the type detected from the bytes.
     */
    public record Uploads(
            @DefaultValue("5GB") DataSize maxSize,
            @DefaultValue("15m") Duration urlTtl,
            @DefaultValue("5m") Duration downloadUrlTtl,
            Duration purgeCompletedAfter,
            @DefaultValue("10m") Duration maintenanceInterval,
            @DefaultValue("*/*") List<String> allowedTypes,
            @DefaultValue List<String> deniedTypes,
            DataSize quota) {}

    /** The job queue: {@code chute.queue.type}. */
    public record Queue(@DefaultValue("postgres") @NotNull QueueType type) {}

    /**
     * The job engine. {@code types} overrides the per-type settings, e.g.
     * {@code chute.jobs.types.image.concurrency=4}.
     */
    public record Jobs(
            @DefaultValue("5") int maxAttempts,
            @DefaultValue("2s") Duration backoffBase,
            @DefaultValue("30s") Duration lease,
            @DefaultValue("10000") int queueLimit,
            @DefaultValue("2") int concurrency,
            @DefaultValue("1") int minWorkers,
            @DefaultValue("2s") Duration pollInterval,
            @DefaultValue("5m") Duration timeout,
            @DefaultValue("30s") Duration shutdownGrace,
            @DefaultValue Map<String, @Valid TypeSettings> types,
            @DefaultValue("3") int maxCrashes,
            @DefaultValue @Valid Rabbitmq rabbitmq) {

        @ConstructorBinding
        public Jobs {
            if (maxCrashes < 1) {
                throw new IllegalArgumentException("chute.jobs.max-crashes must be at least 1, not " + maxCrashes);
            }
            rabbitmq = rabbitmq == null ? Rabbitmq.DEFAULTS : rabbitmq;
        }

        /** The engine with the RabbitMQ queue's defaults. */
        public Jobs(
                int maxAttempts,
                Duration backoffBase,
                Duration lease,
                int queueLimit,
                int concurrency,
                int minWorkers,
                Duration pollInterval,
                Duration timeout,
                Duration shutdownGrace,
                Map<String, TypeSettings> types,
                int maxCrashes) {
            this(
                    maxAttempts,
                    backoffBase,
                    lease,
                    queueLimit,
                    concurrency,
                    minWorkers,
                    pollInterval,
                    timeout,
                    shutdownGrace,
                    types,
                    maxCrashes,
                    Rabbitmq.DEFAULTS);
        }

        /** These settings with {@code types} as the per-type settings. */
        public Jobs withTypes(Map<String, TypeSettings> types) {
            return new Jobs(
                    maxAttempts,
                    backoffBase,
                    lease,
                    queueLimit,
                    concurrency,
                    minWorkers,
                    pollInterval,
                    timeout,
                    shutdownGrace,
                    types,
                    maxCrashes,
                    rabbitmq);
        }

        /** These settings with {@code rabbitmq} as the RabbitMQ consumers' settings. */
        public Jobs withRabbitmq(Rabbitmq rabbitmq) {
            return new Jobs(
                    maxAttempts,
                    backoffBase,
                    lease,
                    queueLimit,
                    concurrency,
                    minWorkers,
                    pollInterval,
                    timeout,
                    shutdownGrace,
                    types,
                    maxCrashes,
                    rabbitmq);
        }

        /**
         * The RabbitMQ queue's consumers ({@code chute.queue.type=rabbitmq}): {@code prefetch} is
         * how many deliveries each active worker slot's consumer may hold unacknowledged. Above one,
         * the next deliveries wait on this node while the slots run, and the node claims every
         * delivery that has arrived for its free slots in one statement. Unset, each type's is derived
         * from its job timeout ({@link #prefetchFor}). {@code consumerTimeout} is the broker's
         * {@code consumer_timeout} (RabbitMQ's default: 30 minutes), which a delivery held
         * unacknowledged must not outlive.
         */
        public record Rabbitmq(
                @Positive Integer prefetch,
                @DefaultValue("30m") Duration consumerTimeout) {
            public static final Rabbitmq DEFAULTS = new Rabbitmq(null, Duration.ofMinutes(30));

            /** The most deliveries a slot holds when the prefetch is derived. */
            public static final int MAX_DERIVED_PREFETCH = 16;

            /** Settings with {@code prefetch} for every type. */
            public static Rabbitmq withPrefetch(int prefetch) {
                return new Rabbitmq(prefetch, DEFAULTS.consumerTimeout());
            }

            /**
             * The prefetch of a type whose jobs may run for {@code jobTimeout}: the configured one, else as many
             * deliveries as can wait behind the slot's running jobs within the consumer timeout with two jobs'
             * time to spare, {@code consumerTimeout / jobTimeout - 2}, between 1 and {@value #MAX_DERIVED_PREFETCH}:
             * 4 for the default 5-minute jobs, 16 for jobs of a minute or less, 1 for jobs of 10 minutes or more
             * (a fixed 4 let their deliveries wait past the timeout, and the broker closed the channel). More
             * prefetch lets a slot start its next job without a broker round trip; on 2 cores, with the JIT
             * settled, 16 and 4 gave the same no-op rate (0.64 and 0.63 of the PostgreSQL queue's).
             */
            public int prefetchFor(Duration jobTimeout) {
                if (prefetch != null) {
                    return prefetch;
                }
                long fits = consumerTimeout.toMillis() / Math.max(1, jobTimeout.toMillis()) - 2;
                return (int) Math.max(1, Math.min(MAX_DERIVED_PREFETCH, fits));
            }
        }

        /**
         * Per-type overrides; a null field falls back to the engine-wide value. {@code rate}: at
         * most this many starts of the type per second over all nodes (unlimited when null);
         * {@code ownerConcurrency}: at most this many jobs of one owner running at once over all
         * nodes (unlimited when null).
         */
        public record TypeSettings(
                Integer maxAttempts,
                Duration timeout,
                Integer concurrency,
                Integer queueLimit,
                @Positive Double rate,
                @Positive Integer ownerConcurrency) {}

        /** Starts per second allowed for {@code type} over all nodes, or null when unlimited. */
        public Double rateOf(String type) {
            TypeSettings t = types.get(type);
            return t == null ? null : t.rate();
        }

        /** Jobs of one owner that may run at once for {@code type}, or null when unlimited. */
        public Integer ownerConcurrencyOf(String type) {
            TypeSettings t = types.get(type);
            return t == null ? null : t.ownerConcurrency();
        }

        public int maxAttemptsOf(String type) {
            TypeSettings t = types.get(type);
            return t != null && t.maxAttempts() != null ? t.maxAttempts() : maxAttempts;
        }

        public Duration timeoutOf(String type) {
            TypeSettings t = types.get(type);
            return t != null && t.timeout() != null ? t.timeout() : timeout;
        }

        public int concurrencyOf(String type) {
            TypeSettings t = types.get(type);
            return Math.max(1, t != null && t.concurrency() != null ? t.concurrency() : concurrency);
        }

        public int queueLimitOf(String type) {
            TypeSettings t = types.get(type);
            return t != null && t.queueLimit() != null ? t.queueLimit() : queueLimit;
        }
    }

    /**
     * File processing. {@code imageEngine} picks who renders images: {@code auto} uses libvips
     * when its command-line tools are found (in {@code vips.path}, else on the {@code PATH}) and
     * pure Java otherwise; {@code vips} requires libvips; {@code java} never uses it.
     */
    public record Processing(
            @DefaultValue("100000000") long maxPixels,
            @DefaultValue("auto") ImageEngine imageEngine,
            @DefaultValue Vips vips,
            @DefaultValue Pdf pdf,
            @DefaultValue Ffmpeg ffmpeg,
            @DefaultValue Office office,
            @DefaultValue Text text) {

        public enum ImageEngine {
            AUTO,
            VIPS,
            JAVA
        }
    }

    /**
     * Where the libvips tools are ({@code vips}, {@code vipsheader}; unset means the {@code PATH})
     * and how long one libvips command may run before it is killed.
     */
    public record Vips(Path path, @DefaultValue("60s") Duration timeout) {

        public Vips {
            path = absolute(path);
        }
    }

    /**
     * Where {@code ffmpeg} and {@code ffprobe} are (unset means the {@code PATH}) and how long one
     * of their commands may run before it is killed. Without them, videos complete with the
     * original only.
     */
    public record Ffmpeg(Path path, @DefaultValue("2m") Duration timeout) {

        public Ffmpeg {
            path = absolute(path);
        }
    }

    /**
     * Office documents through LibreOffice: where {@code soffice} is (unset means the {@code PATH}),
     * how long one conversion may run before it is killed, and the bounds a zip-based document
     * (docx, xlsx, pptx, odt, ods, odp) must keep before LibreOffice sees it: at most
     * {@code maxEntries} entries, {@code maxUnpackedSize} unpacked in all, and an overall unpacked
     * to packed ratio of at most {@code maxRatio} once it unpacks to more than 10 MB. Without
     * LibreOffice, office files complete with the original only.
     */
    public record Office(
            Path path,
            @DefaultValue("2m") Duration timeout,
            @DefaultValue("10000") int maxEntries,
            @DefaultValue("1GB") DataSize maxUnpackedSize,
            @DefaultValue("100") int maxRatio) {

        public Office {
            path = absolute(path);
            if (maxEntries < 1 || maxRatio < 1 || maxUnpackedSize.toBytes() < 1) {
                throw new IllegalArgumentException(
                        "chute.processing.office.max-entries, max-ratio and max-unpacked-size must be positive");
            }
        }
    }

    /**
     * Text and code files: their {@code text} output stops after {@code maxText} bytes of UTF-8;
     * the {@code preview} image shows the first {@code previewLines} lines.
     */
    public record Text(
            @DefaultValue("50MB") DataSize maxText,
            @DefaultValue("40") int previewLines) {

        public Text {
            if (maxText.toBytes() < 1 || previewLines < 1 || previewLines > 500) {
                throw new IllegalArgumentException(
                        "chute.processing.text.max-text must be positive and preview-lines 1-500");
            }
        }
    }

    /**
     * PDF processing limits. Text extraction stops after {@code maxText} bytes of UTF-8 or after
     * {@code maxPages} pages, whichever comes first; the first-page preview is at most
     * {@code previewSize} pixels on its long side.
     */
    public record Pdf(
            @DefaultValue("50MB") DataSize maxText,
            @DefaultValue("2000") int maxPages,
            @DefaultValue("1200") int previewSize) {

        public Pdf {
            if (maxText == null || maxText.toBytes() <= 0) {
                throw new IllegalArgumentException("chute.processing.pdf.max-text must be positive, was " + maxText);
            }
            if (maxPages <= 0) {
                throw new IllegalArgumentException("chute.processing.pdf.max-pages must be positive, was " + maxPages);
            }
            // why: below 16 px a preview shows nothing; above 10,000 px one page could take gigabytes to render
            if (previewSize < 16 || previewSize > 10_000) {
                throw new IllegalArgumentException(
                        "chute.processing.pdf.preview-size must be 16 to 10000, was " + previewSize);
            }
        }
    }

    /**
     * Virus scanning with ClamAV's {@code clamd} over its INSTREAM protocol. When enabled it fails
     * closed: a clamd that cannot be reached or does not answer in time makes the job retry, never
     * lets the file pass. {@code oversize} says what happens to a file clamd refuses to take whole
     * (above its {@code StreamMaxLength}): {@code refuse} rejects it, {@code mark-unscanned} lets
     * it through marked as not scanned.
     */
    public record Clamav(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("127.0.0.1") String host,
            @DefaultValue("3310") int port,
            @DefaultValue("2s") Duration connectTimeout,
            @DefaultValue("60s") Duration readTimeout,
            @DefaultValue("64KB") DataSize chunkSize,
            @DefaultValue("refuse") Oversize oversize) {

        public Clamav {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("chute.clamav.port must be 1-65535, not " + port);
            }
            // why: a zero socket timeout means "wait forever", the opposite of failing closed
            if (connectTimeout.isNegative()
                    || connectTimeout.isZero()
                    || readTimeout.isNegative()
                    || readTimeout.isZero()) {
                throw new IllegalArgumentException("chute.clamav.connect-timeout and read-timeout must be positive");
            }
            if (chunkSize.toBytes() < 1 || chunkSize.toBytes() > 8 * 1024 * 1024) {
                throw new IllegalArgumentException(
                        "chute.clamav.chunk-size must be between 1B and 8MB, not " + chunkSize);
            }
        }

        /** What to do with a file too large for clamd to scan. */
        public enum Oversize {
            REFUSE,
            MARK_UNSCANNED
        }
    }

    /**
     * The event bus: {@code chute.bus.type}, and on RabbitMQ the number of lanes of the incoming
     * queue ({@code workerLanes}): commands are spread over them by their order key (a message's
     * channel), each lane with one active consumer, so one channel's commands keep their order
     * while different channels are stored in parallel. Every node must use the same number.
     */
    public record Bus(
            @DefaultValue("local") @NotNull BusType type,
            @DefaultValue("4") int workerLanes) {

        public Bus {
            if (workerLanes < 1 || workerLanes > 64) {
                throw new IllegalArgumentException("chute.bus.worker-lanes must be between 1 and 64");
            }
        }
    }

    /**
     * The WebSocket gateway. {@code nodeId} names this node's bus queue
     * ({@code chute.gateway.{nodeId}}; empty means a random one per start). {@code replayWindow} is
     * how long events stay replayable with {@code ?since=}. {@code sendQueue} bounds the frames
     * waiting for one slow socket before it is closed, and {@code sendTimeout} how long one write
     * to a socket that stopped reading may block before it is dropped. {@code allowedOrigins} are the browser
     * origins allowed to open {@code /ws} (empty: the same origin only; clients that send no
     * {@code Origin}, like servers and scripts, are not affected). {@code maxFrameSize} is the
     * largest client frame, in characters.
     */
    public record Realtime(
            @DefaultValue("") String nodeId,
            @DefaultValue("1h") Duration replayWindow,
            @DefaultValue("1000") int sendQueue,
            @DefaultValue("10s") Duration sendTimeout,
            @DefaultValue("10s") Duration authTimeout,
            @DefaultValue("60s") Duration idleTimeout,
            @DefaultValue("50") int framesPerSecond,
            @DefaultValue("64KB") DataSize maxFrameSize,
            @DefaultValue List<String> allowedOrigins) {

        public Realtime {
            if (!nodeId.matches("[A-Za-z0-9._-]{0,100}")) {
                throw new IllegalArgumentException(
                        "chute.realtime.node-id may hold letters, digits, '.', '_' and '-' only");
            }
            if (sendQueue < 1 || framesPerSecond < 1) {
                throw new IllegalArgumentException("chute.realtime.send-queue and frames-per-second must be positive");
            }
            if (idleTimeout.isNegative() || idleTimeout.isZero() || authTimeout.isNegative() || authTimeout.isZero()) {
                throw new IllegalArgumentException("chute.realtime.idle-timeout and auth-timeout must be positive");
            }
        }
    }

    /**
     * Chat. {@code maxMessageLength} is in characters (UTF-16 units, as clients count them);
     * {@code presenceGrace} rides out reconnects before a user is shown offline; a gateway node
     * whose heartbeat is older than three {@code presenceHeartbeat}s (or than
     * {@code chute.nodes.dead-after} if longer) is taken for dead and its sockets are swept; {@code typingInterval} is the least time between two relayed
     * {@code typing:true} of one user in one channel, {@code typingExpiry} the time after which the
     * server relays {@code typing:false} itself; delivery receipts are written in batches every
     * {@code receiptFlushInterval}.
     */
    public record Chat(
            @DefaultValue("4000") int maxMessageLength,
            @DefaultValue("10") int maxAttachments,
            @DefaultValue("5s") Duration presenceGrace,
            @DefaultValue("5s") Duration presenceHeartbeat,
            @DefaultValue("1s") Duration typingInterval,
            @DefaultValue("6s") Duration typingExpiry,
            @DefaultValue("200ms") Duration receiptFlushInterval) {

        public Chat {
            if (maxMessageLength < 1 || maxMessageLength > 100_000) {
                throw new IllegalArgumentException(
                        "chute.chat.max-message-length must be 1-100000, not " + maxMessageLength);
            }
            if (maxAttachments < 0 || maxAttachments > 100) {
                throw new IllegalArgumentException("chute.chat.max-attachments must be 0-100, not " + maxAttachments);
            }
            for (Duration d : new Duration[] {presenceHeartbeat, typingExpiry, receiptFlushInterval}) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("chute.chat durations must be positive, not " + d);
                }
            }
        }
    }

    /**
     * Every node, whatever its roles, heartbeats in PostgreSQL every fifth of {@code deadAfter};
     * a node whose last heartbeat is older than {@code deadAfter} is taken for dead, and any live
     * node takes back the jobs its workers were running (see README, Reliability).
     */
    public record Nodes(@DefaultValue("5s") Duration deadAfter) {

        public Nodes {
            if (deadAfter.compareTo(Duration.ofMillis(500)) < 0) {
                throw new IllegalArgumentException("chute.nodes.dead-after must be at least 500ms, not " + deadAfter);
            }
        }

        /** How often a node heartbeats: five times per {@code deadAfter}. */
        public Duration heartbeat() {
            return deadAfter.dividedBy(5);
        }
    }

    /** {@code path} made absolute against the working directory of this JVM; null stays null. */
    private static Path absolute(Path path) {
        return path == null ? null : path.toAbsolutePath().normalize();
    }

    /**
     * Browser origins (e.g. {@code https://app.example.com}) allowed to call {@code /api/**} and to
     * open {@code /ws} from another origin. Empty: the same origin only. Chute's own object
     * endpoint takes PUT and GET from any origin, since its URL signature is the credential.
     */
    public record Cors(@DefaultValue List<String> allowedOrigins) {}
}
