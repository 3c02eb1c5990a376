package io.chute.processing.scan;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A client of ClamAV's {@code clamd} over TCP, speaking its INSTREAM protocol: the bytes are sent
 * in chunks of {@code <4-byte big-endian length><bytes>}, ended by a zero-length chunk, so a file
 * of any size goes through a buffer of one chunk and is never held whole in memory.
 *
 * <p>One connection per call. Every call either returns what clamd said or throws
 * {@link ClamAvException}: unreachable within the connect timeout, no answer within the read
 * timeout, a broken connection or a reply that is not a verdict. The I/O is interruptible: an
 * interrupted caller (e.g. a job that hit its own timeout) closes the connection at once, which
 * also ends a send that a hung clamd has stopped reading.
 *
 * <p>Plain Java, thread-safe, holds no connection between calls.
 */
public final class ClamAvClient {

    /** What clamd said about one stream. */
    public sealed interface Verdict {
        /** No signature matched anywhere in the stream. */
        record Clean() implements Verdict {}

        /** A signature matched; {@code signature} is its name as clamd reports it, e.g. {@code Win.Test.EICAR_HDB-1}. */
        record Infected(String signature) implements Verdict {}

        /**
         * clamd would not scan the whole stream: it is above clamd's {@code StreamMaxLength}, or (with
         * {@code AlertExceedsMax yes}) above its {@code MaxFileSize} or {@code MaxScanSize}.
         */
        record TooLarge(String limit) implements Verdict {}
    }

    private static final byte[] INSTREAM = "zINSTREAM\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "zPING\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERSION = "zVERSION\0".getBytes(StandardCharsets.US_ASCII);
    // why: a verdict is one short line; a peer sending more is not clamd and must not grow our memory
    private static final int MAX_REPLY = 1024;
    private static final String SIZE_LIMIT = "INSTREAM size limit exceeded";

    private final String host;
    private final int port;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private final int chunkSize;

    /**
     * @param chunkSize bytes per INSTREAM chunk, which is also the only buffer a scan holds
     */
    public ClamAvClient(String host, int port, Duration connectTimeout, Duration readTimeout, int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be positive, not " + chunkSize);
        }
        this.host = host;
        this.port = port;
        this.connectTimeoutMillis = positiveMillis(connectTimeout);
        this.readTimeoutMillis = positiveMillis(readTimeout);
        this.chunkSize = chunkSize;
    }

    /**
     * Streams {@code in} to clamd and returns its verdict. Reads {@code in} to its end (or until
     * clamd refuses more) and does not close it.
     *
     * @throws ClamAvException when clamd gives no verdict (see the class comment)
     * @throws IOException when reading {@code in} itself fails
     */
    public Verdict scan(InputStream in) throws IOException {
        try (Connection clamd = connect()) {
            clamd.send(INSTREAM, INSTREAM.length);
            byte[] chunk = new byte[4 + chunkSize];
            int n;
            do {
                n = in.readNBytes(chunk, 4, chunkSize);
                if (clamd.hasReplied()) {
                    // why: clamd answers before the end only to refuse the rest (StreamMaxLength)
                    break;
                }
                chunk[0] = (byte) (n >>> 24);
                chunk[1] = (byte) (n >>> 16);
                chunk[2] = (byte) (n >>> 8);
                chunk[3] = (byte) n;
                if (!clamd.sendOrReplied(chunk, 4 + n)) {
                    break;
                }
            } while (n > 0);
            return verdictOf(clamd.reply());
        }
    }

    /** Checks that clamd is up and answering: {@code PING} → {@code PONG}. @throws ClamAvException otherwise */
    public void ping() throws ClamAvException {
        String reply = command(PING);
        if (!"PONG".equals(reply)) {
            throw new ClamAvException(this + " answered PING with '" + reply + "'");
        }
    }

    /** clamd's engine and signature database versions, e.g. {@code ClamAV 1.4.6/27345/Mon Jul 21 08:34:11 2025}. */
    public String version() throws ClamAvException {
        return command(VERSION);
    }

    @Override
    public String toString() {
        return "clamd at " + host + ":" + port;
    }

    private String command(byte[] command) throws ClamAvException {
        try (Connection clamd = connect()) {
            clamd.send(command, command.length);
            return clamd.reply();
        }
    }

    /** Reads clamd's reply to INSTREAM; anything but a verdict is a {@link ClamAvException}. */
    Verdict verdictOf(String reply) throws ClamAvException {
        if (reply.equals("stream: OK")) {
            return new Verdict.Clean();
        }
        if (reply.startsWith("stream: ") && reply.endsWith(" FOUND")) {
            String signature = reply.substring("stream: ".length(), reply.length() - " FOUND".length())
                    .strip();
            // why: with ExtendedDetectionInfo clamd appends "(hash:size)"; the name alone is the reason users see
            if (signature.endsWith(")") && signature.indexOf('(') > 0) {
                signature = signature.substring(0, signature.indexOf('('));
            }
            if (signature.startsWith("Heuristics.Limits.Exceeded.MaxFileSize")
                    || signature.startsWith("Heuristics.Limits.Exceeded.MaxScanSize")) {
                return new Verdict.TooLarge(signature);
            }
            if (signature.isEmpty()) {
                throw new ClamAvException(this + " reported a match without a name: '" + reply + "'");
            }
            return new Verdict.Infected(signature);
        }
        if (reply.startsWith(SIZE_LIMIT)) {
            return new Verdict.TooLarge("StreamMaxLength");
        }
        throw new ClamAvException(this + " gave no verdict: '" + reply + "'");
    }

    private Connection connect() throws ClamAvException {
        SocketChannel channel = null;
        try {
            // why: a channel's socket is interruptible, unlike a plain Socket on a platform thread
            channel = SocketChannel.open();
            Socket socket = channel.socket();
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            socket.setSoTimeout(readTimeoutMillis);
            return new Connection(channel, socket.getInputStream(), socket.getOutputStream());
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ClamAvException(this + " is unreachable: " + e, e);
        }
    }

    private static int positiveMillis(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive, not " + timeout);
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    /** One connection to clamd; every failure on it becomes a {@link ClamAvException}. */
    private final class Connection implements AutoCloseable {
        private final SocketChannel channel;
        private final InputStream in;
        private final OutputStream out;

        Connection(SocketChannel channel, InputStream in, OutputStream out) {
            this.channel = channel;
            this.in = in;
            this.out = out;
        }

        void send(byte[] bytes, int length) throws ClamAvException {
            try {
                out.write(bytes, 0, length);
            } catch (IOException e) {
                throw new ClamAvException("Connection to " + ClamAvClient.this + " broke while sending: " + e, e);
            }
        }

        /**
         * Sends, or returns false when clamd refused to read more and its reply is waiting: clamd
         * closes the connection as soon as a stream passes its StreamMaxLength, so the send that
         * follows fails although clamd has already said why.
         */
        boolean sendOrReplied(byte[] bytes, int length) throws ClamAvException {
            try {
                out.write(bytes, 0, length);
                return true;
            } catch (IOException e) {
                if (hasReplied()) {
                    return false;
                }
                throw new ClamAvException("Connection to " + ClamAvClient.this + " broke while sending: " + e, e);
            }
        }

        boolean hasReplied() {
            try {
                return in.available() > 0;
            } catch (IOException e) {
                return false;
            }
        }

        /** clamd's reply up to its terminating NUL, stripped. */
        String reply() throws ClamAvException {
            byte[] reply = new byte[MAX_REPLY];
            int length = 0;
            try {
                int b;
                while (length < MAX_REPLY && (b = in.read()) > 0) {
                    reply[length++] = (byte) b;
                }
            } catch (SocketTimeoutException e) {
                throw new ClamAvException(ClamAvClient.this + " did not answer within " + readTimeoutMillis + " ms", e);
            } catch (IOException e) {
                throw new ClamAvException("Connection to " + ClamAvClient.this + " broke before its answer: " + e, e);
            }
            if (length == 0) {
                throw new ClamAvException(ClamAvClient.this + " closed the connection without an answer");
            }
            return new String(Arrays.copyOf(reply, length), StandardCharsets.UTF_8).strip();
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }
    }
}
