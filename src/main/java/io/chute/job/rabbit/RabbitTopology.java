package io.chute.job.rabbit;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import io.chute.broker.QueueArguments;
import java.io.IOException;
import java.util.Map;

/**
 * The RabbitMQ names and arguments of the job queue. Every declaration is idempotent (same
 * name, same arguments), so each node declares what it needs when it connects and the relay
 * declares a type's queue before its first publish to it.
 *
 * <pre>
 * chute.jobs (direct) --type--> chute.jobs.{type}         quorum; dead letters (at least once) to chute.jobs.dlx
 * chute.jobs.delay (headers, x-chute-delay=ms) --> chute.jobs.delay.{ms}
 *                                                         quorum, fixed TTL, dead letters back to
 *                                                         chute.jobs with the message's own routing key (the type)
 * chute.jobs.dlx (fanout) --> chute.jobs.dead             quorum, bounded: FAILED jobs, for operators
 * </pre>
 *
 * Delays use fixed-TTL queues because a queue only expires messages at its head: one queue with
 * per-message TTLs would hold a 10 ms retry behind a 10 minute one. The levels double from
 * 10 ms; a delay takes the longest level that fits and, if time remains when it comes back, its
 * claim finds it not yet due and sends it round again: at most one hop per level.
 */
final class RabbitTopology {

    static final String EXCHANGE = "chute.jobs";
    static final String DELAY_EXCHANGE = "chute.jobs.delay";
    static final String DEAD_EXCHANGE = "chute.jobs.dlx";
    static final String DEAD_QUEUE = "chute.jobs.dead";
    /** Header that routes a message to its delay queue (a string: headers-exchange matching compares types). */
    static final String DELAY_HEADER = "x-chute-delay";

    /** 10 ms, 20 ms, … about 43.7 minutes. */
    static final long[] DELAY_LEVELS = new long[19];

    static {
        for (int i = 0; i < DELAY_LEVELS.length; i++) {
            DELAY_LEVELS[i] = 10L << i;
        }
    }

    /** Dead letters kept for operators: the jobs table's FAILED set is the truth, this is a mirror. */
    private static final int DEAD_MAX_LENGTH = 100_000;

    private static final long DEAD_TTL_MILLIS = 7L * 24 * 3600 * 1000;

    private RabbitTopology() {}

    static String workQueue(String type) {
        if (type.equals("dead") || type.startsWith("delay.")) {
            throw new IllegalArgumentException("job type '" + type + "' would collide with chute.jobs." + type);
        }
        return EXCHANGE + "." + type;
    }

    static String delayQueue(long level) {
        return DELAY_EXCHANGE + "." + level;
    }

    /** The delay queue for a message due in {@code millis}: the longest level that does not overshoot. */
    static long delayLevel(long millis) {
        long level = DELAY_LEVELS[0];
        for (long l : DELAY_LEVELS) {
            if (l <= millis) {
                level = l;
            }
        }
        return level;
    }

    /** The exchanges, the delay queues and the dead-letter queue, shared by every job type. */
    static void declareShared(Channel channel) throws IOException {
        channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.DIRECT, true);
        channel.exchangeDeclare(DELAY_EXCHANGE, BuiltinExchangeType.HEADERS, true);
        channel.exchangeDeclare(DEAD_EXCHANGE, BuiltinExchangeType.FANOUT, true);

        Map<String, Object> dead = QueueArguments.quorum();
        dead.put("x-max-length", DEAD_MAX_LENGTH);
        dead.put("x-message-ttl", DEAD_TTL_MILLIS);
        channel.queueDeclare(DEAD_QUEUE, true, false, false, dead);
        channel.queueBind(DEAD_QUEUE, DEAD_EXCHANGE, "");

        for (long level : DELAY_LEVELS) {
            Map<String, Object> args = QueueArguments.deadLetteringTo(EXCHANGE);
            args.put("x-message-ttl", level);
            channel.queueDeclare(delayQueue(level), true, false, false, args);
            channel.queueBind(
                    delayQueue(level),
                    DELAY_EXCHANGE,
                    "",
                    Map.of("x-match", "all", DELAY_HEADER, String.valueOf(level)));
        }
    }

    /** The work queue of one job type, bound to {@code chute.jobs} with the type as routing key. */
    static void declareType(Channel channel, String type) throws IOException {
        String queue = workQueue(type);
        channel.queueDeclare(queue, true, false, false, QueueArguments.deadLetteringTo(DEAD_EXCHANGE));
        channel.queueBind(queue, EXCHANGE, type);
    }

    /** What the broker said, for a log line: a failed declaration carries it in its cause. */
    /**
     * True if the broker refused a declaration (it closed the channel: a reserved name, a queue
     * declared elsewhere with other arguments), which waiting will not mend; false if the
     * connection was lost, which its recovery mends.
     */
    static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException signal) {
                return !signal.isHardError() && !signal.isInitiatedByApplication();
            }
        }
        return false;
    }

    static String reason(Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
