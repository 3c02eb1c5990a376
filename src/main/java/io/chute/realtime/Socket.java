package io.chute.realtime;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One authenticated WebSocket. Everything written to it goes through a bounded send queue drained
 * by a (virtual) sender thread of its own, so a slow client never blocks the bus or other sockets:
 * when its queue is full it is closed, and memory stays bounded. The sender thread runs only while
 * there is something to send and ends when the queue is empty: an idle socket holds no thread and
 * no stack. While it replays missed events, live events wait in a buffer and are sent after the
 * replay, skipping those the replay already sent.
 */
final class Socket {

    private static final Logger log = LoggerFactory.getLogger(Socket.class);

    static final CloseStatus TOO_SLOW = new CloseStatus(4429, "send queue full");
    static final CloseStatus EVENTS_MISSED = new CloseStatus(4503, "events may have been missed; reconnect with since");

    final String id;
    final UUID userId;
    private final WebSocketSession session;
    private final LinkedBlockingQueue<Outbound> queue;
    private final Consumer<Socket> onOverflow;
    private final Runnable onSent;
    // why: set while a sender thread drains the queue; the one who sets it starts the thread
    private final java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Instant lastHeard = Instant.now();
    private volatile boolean closing;
    private volatile java.util.concurrent.Future<?> expiry;

    // guarded by this
    private List<Pending> buffered = new ArrayList<>();
    private Set<Long> replayed = Set.of();

    private record Pending(Long seq, TextMessage frame, Runnable onDelivered) {}

    Socket(WebSocketSession session, UUID userId, int queueCapacity, Consumer<Socket> onOverflow, Runnable onSent) {
        this.id = session.getId();
        this.userId = userId;
        this.session = session;
        this.queue = new LinkedBlockingQueue<>(queueCapacity);
        this.onOverflow = onOverflow;
        this.onSent = onSent;
    }

    /**
     * A live event: sent now, or after the replay if one is running (and not at all if the replay
     * sent it). {@code frame} is the event's frame, made once and shared by every socket it goes to.
     */
    void event(Long seq, TextMessage frame, Runnable onDelivered) {
        synchronized (this) {
            if (buffered != null) {
                buffered.add(new Pending(seq, frame, onDelivered));
                return;
            }
            if (seq != null && replayed.contains(seq)) {
                return;
            }
        }
        send(frame, onDelivered);
    }

    /** Sends replayed events, then whatever arrived live meanwhile, and goes live. */
    void replayed(List<EventLog.Entry> entries, java.util.function.Function<EventLog.Entry, String> frames) {
        Set<Long> seqs = new HashSet<>();
        for (EventLog.Entry e : entries) {
            seqs.add(e.seq());
            send(new TextMessage(frames.apply(e)), null);
        }
        List<Pending> waiting;
        synchronized (this) {
            waiting = buffered;
            buffered = null;
            replayed = seqs;
        }
        for (Pending p : waiting) {
            if (p.seq() == null || !seqs.contains(p.seq())) {
                send(p.frame(), p.onDelivered());
            }
        }
    }

    /** A reply (ack, error, pong, ready): never buffered behind a replay. */
    void reply(String frame) {
        send(new TextMessage(frame), null);
    }

    void ping() {
        offer(new Outbound(new PingMessage(), null));
    }

    /** The timer that closes the socket when its token expires; cancelled when the socket closes first. */
    void expiresWith(java.util.concurrent.Future<?> timer) {
        this.expiry = timer;
        if (closing) {
            timer.cancel(false);
        }
    }

    void heard() {
        lastHeard = Instant.now();
    }

    Instant lastHeard() {
        return lastHeard;
    }

    boolean isOpen() {
        return session.isOpen();
    }

    /**
     * Closes the socket without ever blocking the caller (the bus thread, a timer): a client that
     * stopped reading can hold a close frame back for the container's send timeout.
     */
    void close(CloseStatus status) {
        if (closing) {
            return;
        }
        closing = true;
        java.util.concurrent.Future<?> timer = expiry;
        if (timer != null) {
            timer.cancel(false);
        }
        queue.clear();
        Thread.ofVirtual().name("chute-ws-close-" + id).start(() -> {
            try {
                session.close(status);
            } catch (IOException | RuntimeException e) {
                log.debug("closing socket {}: {}", id, e.toString());
            }
        });
    }

    private void send(TextMessage frame, Runnable onDelivered) {
        if (!offer(new Outbound(frame, onDelivered))) {
            onOverflow.accept(this);
        }
    }

    /** False only when the queue is full; a closing socket swallows what it is given. */
    private boolean offer(Outbound message) {
        if (closing || !session.isOpen()) {
            return true;
        }
        if (!queue.offer(message)) {
            return false;
        }
        if (sending.compareAndSet(false, true)) {
            Thread.ofVirtual().name("chute-ws-send-" + id).start(this::drain);
        }
        return true;
    }

    /** Sends until the queue is empty, then ends; a frame queued meanwhile restarts it (or is taken by it). */
    private void drain() {
        try {
            do {
                Outbound next;
                while ((next = queue.poll()) != null) {
                    if (closing || !session.isOpen()) {
                        queue.clear();
                        return;
                    }
                    session.sendMessage(next.message());
                    onSent.run();
                    if (next.onDelivered() != null) {
                        next.onDelivered().run();
                    }
                }
                sending.set(false);
                // why: a frame offered after the last poll but before the flag was cleared found it set and started no
                // thread
            } while (!queue.isEmpty() && sending.compareAndSet(false, true));
        } catch (IOException | RuntimeException e) {
            sending.set(false);
            log.debug("socket {} send failed: {}", id, e.toString());
            close(CloseStatus.SESSION_NOT_RELIABLE);
        }
    }

    /** A frame to write and, for a durable event, what to report once it was written (delivery receipts). */
    private record Outbound(WebSocketMessage<?> message, Runnable onDelivered) {}
}
