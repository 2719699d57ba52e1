package dev.jtcp.sim;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.tcp.TcpHandler;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A soak of many connection lifecycles on the simulated network, on virtual time: a client host
 * keeps {@link Settings#concurrency()} lifecycles going against one listener on a server host,
 * through a link that loses, reorders, duplicates and corrupts packets both ways. Each lifecycle
 * opens a connection, carries a request and a response of drawn sizes (0 to ~20 KB, in drawn chunk
 * sizes) and ends in one of three orderly ways: the client closes first (half-close, the server
 * answers then closes), the server closes first, or both close at once.
 *
 * <p>What it checks, as it goes and at the end:
 * <ul>
 *   <li>exactly-once, in-order delivery: every byte is a function of the lifecycle, the direction
 *       and its offset, and is compared as it is read; an end that closes without error has read
 *       exactly what the other end sent, then end of stream (an end that failed has read a prefix);
 *   <li>legal transitions: every state change on both hosts is an edge of the RFC 9293 diagram as
 *       {@link TcpState#successors()} gives it;
 *   <li>no leak: after {@link #drain()}, no connection, TIME-WAIT record, SYN- or accept-queue
 *       entry or timer remains on either host ({@link #tableLeftovers()}); the caller measures the
 *       heap around a drain (the CLI's {@code jtcp bench soak}).
 * </ul>
 * A failure is recorded as a violation (the first {@value #MAX_VIOLATIONS} with their text), never
 * thrown, so a run reports everything it saw. Connection errors (a reset or timeout) are counted
 * apart: under loss they can be legitimate (for example a client whose TIME-WAIT expired while the
 * server still waited in LAST-ACK, reusing the port), but each one is reported.
 *
 * <p>The TIME-WAIT length is shortened (2 × {@link Settings#mslNs()}, 4 s by default against Linux's 60 s) so that the
 * ephemeral ports turn over; it stays far longer than any packet can live in the simulated network
 * (the delays of the impairments, tens of milliseconds), so no old duplicate can reach a new
 * incarnation of a 4-tuple.
 *
 * <p>Deterministic per seed; reads no clock. Not thread-safe: one thread drives it.
 */
public final class Soak {
    /** Violations kept with their text; later ones are only counted. */
    public static final int MAX_VIOLATIONS = 20;
    private static final IpAddress SERVER = IpAddress.parse("198.18.0.2");
    private static final int PORT = 80;
    private static final long MS = 1_000_000L;
    /** Virtual time a drain may take before it gives up (every retransmission limit is far below). */
    private static final long DRAIN_LIMIT_NS = 4 * 3600 * 1000 * MS;

    /**
     * What to run.
     *
     * @param concurrency lifecycles in progress at once
     * @param impairments what the link does to packets, each way
     * @param seed        seeds the network, the hosts and every drawn size
     * @param mslNs       the hosts' maximum segment lifetime; TIME-WAIT lasts twice it
     */
    public record Settings(int concurrency, Impairments impairments, long seed, long mslNs) {
        /** Loss, reordering, duplication and corruption at once, each both ways. */
        public static final String DEFAULT_IMPAIRMENTS =
                "delay=2ms,jitter=1ms,loss=1%,reorder=2%,reorderdelay=5ms,duplicate=1%,corrupt=1%";

        public Settings {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
            }
            if (mslNs <= 0) {
                throw new IllegalArgumentException("msl must be positive");
            }
        }

        /** 200 at once, {@link #DEFAULT_IMPAIRMENTS}, seed 1, a 2 s MSL. */
        public static Settings defaults() {
            return new Settings(200, Impairments.parse(DEFAULT_IMPAIRMENTS), 1, 2_000 * MS);
        }
    }

    /** How the two applications end a lifecycle. */
    private enum Ending { CLIENT_FIRST, SERVER_FIRST, BOTH }

    private final Settings settings;
    private final SimNetwork net;
    private final Host client;
    private final Host server;
    private final TcpListener listener;
    /** The lifecycle whose client uses each local port now; null when none does. */
    private final Lifecycle[] byPort = new Lifecycle[65536];
    /** [from][to]: whether the RFC 9293 diagram has the edge. */
    private final boolean[][] legal;
    private final ByteBuffer sendScratch = ByteBuffer.allocate(16 * 1024);
    private final ByteBuffer readScratch = ByteBuffer.allocate(16 * 1024);
    private final List<String> violationTexts = new ArrayList<>();
    private final Map<TcpError, Long> errors = new EnumMap<>(TcpError.class);
    private final List<String> errorTexts = new ArrayList<>();
    private boolean refillScheduled;
    private boolean draining;
    private long target;
    private long started;
    private long completed;
    private long clean;
    private long strays;
    private long afterDelivery;
    private long violations;
    private long bytesVerified;
    private long transitions;
    private long retransmissions;

    public Soak(Settings settings) {
        this.settings = settings;
        this.net = new SimNetwork(settings.seed());
        SplittableRandom r = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + 1);
        TcpConfig cfg = TcpConfig.defaults().toBuilder().msl(Duration.ofNanos(settings.mslNs())).build();
        Tracer tracer = this::onTrace;
        client = new Host("client", cfg, r.split()).addAddress("198.18.0.1/24");
        server = new Host("server", cfg, r.split()).addAddress("198.18.0.2/24");
        // Only state events are wanted; a tracer that is enabled receives the others too and skips them.
        client.tracer(tracer);
        server.tracer(tracer);
        SimHost.connect(net, new SimHost(client), new SimHost(server), settings.impairments(), settings.impairments());
        legal = new boolean[TcpState.values().length][TcpState.values().length];
        for (TcpState from : TcpState.values()) {
            for (TcpState to : from.successors()) {
                legal[from.ordinal()][to.ordinal()] = true;
            }
        }
        listener = server.listen(0, PORT, Math.max(128, settings.concurrency() * 2));
        listener.handler(this::onAcceptable);
    }

    /**
     * Runs until {@code count} more lifecycles have completed, starting new ones to keep
     * {@link Settings#concurrency()} in progress as long as fewer than {@code maxStarted} have
     * started (so the pipe stays full across calls); stops early if virtual time runs out.
     */
    public void run(long count, long maxStarted) {
        draining = false;
        long goal = Math.min(completed + count, maxStarted);
        target = maxStarted;
        refill();
        net.runWhile(() -> completed < goal, DRAIN_LIMIT_NS);
    }

    /**
     * Starts no new lifecycle and runs until those in progress have completed and every TIME-WAIT
     * record has expired; returns whether that happened within the limit (hours of virtual time).
     */
    public boolean drain() {
        draining = true;
        target = started;
        return net.runWhile(() -> completed < started || client.connectionCount() + server.connectionCount() > 0
                || client.timeWaitCount() + server.timeWaitCount() > 0, DRAIN_LIMIT_NS)
                && completed == started;
    }

    /**
     * What the hosts still hold, as text, or the empty string if nothing: connections, TIME-WAIT
     * records, the listener's queues, pending timers. Meaningful after {@link #drain()}.
     */
    public String tableLeftovers() {
        StringBuilder b = new StringBuilder();
        for (Host h : List.of(client, server)) {
            if (h.connectionCount() > 0) {
                b.append(h.name()).append(": ").append(h.connectionCount()).append(" connections; ");
            }
            if (h.timeWaitCount() > 0) {
                b.append(h.name()).append(": ").append(h.timeWaitCount()).append(" TIME-WAIT records; ");
            }
            if (h.nextDeadlineNs() != Long.MAX_VALUE) {
                b.append(h.name()).append(": a timer at ").append(h.nextDeadlineNs()).append(" ns; ");
            }
        }
        if (listener.synQueueLength() + listener.acceptQueueLength() > 0) {
            b.append("listener: ").append(listener.synQueueLength()).append(" in the SYN queue, ")
                    .append(listener.acceptQueueLength()).append(" in the accept queue; ");
        }
        return b.isEmpty() ? "" : b.substring(0, b.length() - 2);
    }

    // ---------------------------------------------------------------------------------------------
    // Figures
    // ---------------------------------------------------------------------------------------------

    public Settings settings() {
        return settings;
    }

    public long started() {
        return started;
    }

    public long completed() {
        return completed;
    }

    /** Lifecycles in which both ends closed without error, each having read all the other sent. */
    public long clean() {
        return clean;
    }

    /** Lifecycles that ended with an error at one end, by the first error seen. */
    public Map<TcpError, Long> errors() {
        return Map.copyOf(errors);
    }

    /**
     * Lifecycles with an error in which both ends had sent and read everything, end of stream
     * included: only the closing handshake failed. The usual cause is a FIN retransmitted after the
     * peer's TIME-WAIT (2 × MSL, shortened here) expired, which the peer rightly answers with a RST.
     */
    public long errorsAfterDelivery() {
        return afterDelivery;
    }

    /** The first {@value #MAX_VIOLATIONS} lifecycles that ended with an error, described. */
    public List<String> errorTexts() {
        return List.copyOf(errorTexts);
    }

    /** Connections the server accepted that belonged to no lifecycle in progress (aborted at once). */
    public long strays() {
        return strays;
    }

    /** Broken invariants; zero in a good run. */
    public long violations() {
        return violations;
    }

    /** The first {@value #MAX_VIOLATIONS} violations, described. */
    public List<String> violationTexts() {
        return List.copyOf(violationTexts);
    }

    /** Application bytes compared against what was sent, both directions. */
    public long bytesVerified() {
        return bytesVerified;
    }

    /** State changes checked against the diagram, both hosts. */
    public long transitionsChecked() {
        return transitions;
    }

    /** Retransmitted segments, both ends, summed when each connection ended. */
    public long retransmissions() {
        return retransmissions;
    }

    /** Packets both hosts dropped on input (corrupted ones fail their checksum), by reason. */
    public String inputDrops() {
        return "client " + client.drops().nonZero() + ", server " + server.drops().nonZero();
    }

    /** Packets both hosts sent. */
    public long packetsSent() {
        return client.packetsSent() + server.packetsSent();
    }

    public long virtualNs() {
        return net.nowNs();
    }

    /** Connections open on both hosts now. */
    public int openConnections() {
        return client.connectionCount() + server.connectionCount();
    }

    /** TIME-WAIT records on both hosts now. */
    public int timeWaitRecords() {
        return client.timeWaitCount() + server.timeWaitCount();
    }

    // ---------------------------------------------------------------------------------------------
    // Running
    // ---------------------------------------------------------------------------------------------

    private void onTrace(TraceEvent e) {
        if (e instanceof TraceEvent.StateEvent s) {
            transitions++;
            if (!legal[s.from().ordinal()][s.to().ordinal()]) {
                violation("illegal transition " + s.from() + " -> " + s.to() + " (" + s.cause() + ") at " + s.host()
                        + " " + s.connection());
            }
        }
    }

    private void violation(String text) {
        violations++;
        if (violationTexts.size() < MAX_VIOLATIONS) {
            violationTexts.add("at " + net.nowNs() / MS + " ms: " + text);
        }
    }

    /** Starts lifecycles until {@link Settings#concurrency()} are in progress or the target is reached. */
    private void refill() {
        refillScheduled = false;
        while (!draining && started < target && started - completed < settings.concurrency()) {
            start(started++);
        }
    }

    private void start(long id) {
        SplittableRandom r = new SplittableRandom(settings.seed() * 0xD1B54A32D192ED03L + id);
        Lifecycle lc = new Lifecycle(id, Ending.values()[r.nextInt(3)], size(r), size(r), 1 + r.nextInt(16 * 1024),
                1 + r.nextInt(16 * 1024));
        TcpConnection c;
        try {
            c = client.connect(net.nowNs(), SERVER, PORT);
        } catch (TcpException e) {
            // No ephemeral port free: a violation (the soak must not exhaust them); the lifecycle ends.
            violation("connect failed: " + e.getMessage());
            lifecycleDone(lc);
            return;
        }
        byPort[c.key().localPort()] = lc;
        lc.client.attach(c);
    }

    /** Sizes: mostly small, some tens of kilobytes, some empty. */
    private static int size(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 1 + r.nextInt(20_000);
            default -> 1 + r.nextInt(1_500);
        };
    }

    private void onAcceptable(TcpListener l) {
        TcpConnection c;
        while ((c = l.accept()) != null) {
            Lifecycle lc = byPort[c.key().remotePort()];
            if (lc == null || lc.server.conn != null || lc.done) {
                // A late handshake of a client that already gave up: nobody will talk on it.
                strays++;
                c.abort(net.nowNs());
            } else {
                lc.server.attach(c);
            }
        }
    }

    private void lifecycleDone(Lifecycle lc) {
        lc.done = true;
        completed++;
        if (lc.client.conn != null && byPort[lc.client.conn.key().localPort()] == lc) {
            byPort[lc.client.conn.key().localPort()] = null;
        }
        TcpError err = lc.client.error != null ? lc.client.error : lc.server.error;
        if (err != null) {
            errors.merge(err, 1L, Long::sum);
            if (lc.client.deliveredAll() && lc.server.deliveredAll()) {
                afterDelivery++;
            }
            if (errorTexts.size() < MAX_VIOLATIONS) {
                errorTexts.add("lifecycle " + lc.id + " (" + lc.ending + ", " + lc.client.sendBytes + " / "
                        + lc.server.sendBytes + " bytes): client " + lc.client.describe() + "; server "
                        + lc.server.describe());
            }
        } else if (lc.client.conn != null) {
            clean++;
        }
        if (!draining && started < target && !refillScheduled) {
            // Not from inside the engine's callback: the next event starts the new ones.
            refillScheduled = true;
            net.schedule(net.nowNs(), this::refill);
        }
    }

    /** One request and response over one connection. */
    private final class Lifecycle {
        final long id;
        final Ending ending;
        final End client;
        final End server;
        boolean done;

        Lifecycle(long id, Ending ending, int requestBytes, int responseBytes, int clientChunk, int serverChunk) {
            this.id = id;
            this.ending = ending;
            this.client = new End(this, true);
            this.server = new End(this, false);
            client.sendBytes = requestBytes;
            client.receiveBytes = responseBytes;
            client.chunk = clientChunk;
            server.sendBytes = responseBytes;
            server.receiveBytes = requestBytes;
            server.chunk = serverChunk;
            client.closeAfterSending = ending != Ending.SERVER_FIRST;
            client.closeOnEndOfStream = ending == Ending.SERVER_FIRST;
            server.closeAfterSending = true;
        }

        /** Whether the server may send its response yet. */
        boolean serverMaySend() {
            return switch (ending) {
                case CLIENT_FIRST -> server.endOfStream;
                case SERVER_FIRST -> server.received == server.receiveBytes;
                case BOTH -> true;
            };
        }

        void onEndClosed() {
            if (done) {
                return;
            }
            boolean clientOver = client.closed;
            boolean serverOver = server.closed || (server.conn == null && client.error != null);
            if (clientOver && serverOver) {
                lifecycleDone(this);
            }
        }
    }

    /** One application end: sends its bytes, reads and checks the other's, closes as its ending says. */
    private final class End implements TcpHandler {
        final Lifecycle lc;
        final boolean isClient;
        TcpConnection conn;
        int sendBytes;
        int receiveBytes;
        int chunk = 4096;
        int sent;
        long received;
        boolean closeAfterSending;
        boolean closeOnEndOfStream;
        boolean finQueued;
        boolean endOfStream;
        boolean closed;
        long closedAtMs;
        TcpError error;

        End(Lifecycle lc, boolean isClient) {
            this.lc = lc;
            this.isClient = isClient;
        }

        /** The pattern key of what this end sends; the other end checks against it. */
        long sendKey() {
            return lc.id * 2 + (isClient ? 0 : 1);
        }

        long receiveKey() {
            return lc.id * 2 + (isClient ? 1 : 0);
        }

        void attach(TcpConnection c) {
            conn = c;
            c.handler(this);
            if (c.state() != TcpState.SYN_SENT && c.state() != TcpState.SYN_RECEIVED) {
                read();
                pump();
            }
        }

        void pump() {
            if (finQueued || closed || conn == null) {
                return;
            }
            TcpState st = conn.state();
            if (st != TcpState.ESTABLISHED && st != TcpState.CLOSE_WAIT) {
                return;
            }
            if (!isClient && !lc.serverMaySend()) {
                return;
            }
            long key = sendKey();
            while (sent < sendBytes) {
                int n = Math.min(Math.min(chunk, sendScratch.capacity()), sendBytes - sent);
                sendScratch.clear();
                for (int i = 0; i < n; i++) {
                    sendScratch.put(i, pattern(key, sent + i));
                }
                sendScratch.limit(n);
                int accepted = conn.send(net.nowNs(), sendScratch);
                if (accepted == 0) {
                    return;
                }
                sent += accepted;
            }
            if (closeAfterSending) {
                finQueued = true;
                conn.close(net.nowNs());
            }
        }

        void read() {
            if (conn == null || endOfStream) {
                return;
            }
            while (true) {
                readScratch.clear();
                int n;
                try {
                    n = conn.receive(net.nowNs(), readScratch);
                } catch (TcpException e) {
                    return;
                }
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    onEndOfStream();
                    return;
                }
                check(n);
                received += n;
            }
        }

        private void check(int n) {
            long key = receiveKey();
            if (received + n > receiveBytes) {
                violation(what() + " read " + (received + n) + " bytes of " + receiveBytes);
            }
            for (int i = 0; i < n; i++) {
                if (readScratch.get(i) != pattern(key, received + i)) {
                    violation(what() + " byte " + (received + i) + " differs from what was sent");
                    break;
                }
            }
            bytesVerified += n;
        }

        private void onEndOfStream() {
            endOfStream = true;
            if (received != receiveBytes) {
                violation(what() + " reached end of stream after " + received + " of " + receiveBytes + " bytes");
            }
            if (closeOnEndOfStream) {
                closeAfterSending = true;
            }
            pump();
        }

        boolean deliveredAll() {
            return conn != null && sent == sendBytes && received == receiveBytes && endOfStream;
        }

        String describe() {
            if (conn == null) {
                return "never accepted";
            }
            return conn.key() + " " + (error == null ? "no error" : error.name()) + ", sent " + sent + "/" + sendBytes
                    + ", read " + received + "/" + receiveBytes + (endOfStream ? " and end of stream" : "")
                    + (finQueued ? ", closed" : "") + " at " + closedAtMs + " ms";
        }

        private String what() {
            return "lifecycle " + lc.id + " (" + lc.ending + ") " + (isClient ? "client" : "server") + " "
                    + conn.key();
        }

        @Override
        public void onConnected(TcpConnection c) {
            read();
            pump();
        }

        @Override
        public void onReadable(TcpConnection c) {
            read();
            if (!isClient) {
                pump();
            }
        }

        @Override
        public void onWritable(TcpConnection c) {
            pump();
        }

        @Override
        public void onClosed(TcpConnection c, TcpError err) {
            if (closed) {
                return;
            }
            if (err == null) {
                read();
            }
            closed = true;
            closedAtMs = net.nowNs() / MS;
            error = err;
            retransmissions += c.status().retransmissions();
            if (err == null && (!endOfStream || received != receiveBytes || sent != sendBytes)) {
                violation(what() + " closed without error having read " + received + " of " + receiveBytes
                        + " bytes (end of stream: " + endOfStream + ") and sent " + sent + " of " + sendBytes);
            }
            lc.onEndClosed();
        }
    }

    /** The byte at {@code offset} of the stream {@code key} names: a mix of both, so shifts and swaps show. */
    static byte pattern(long key, long offset) {
        long x = key * 0x9E3779B97F4A7C15L + offset * 0xBF58476D1CE4E5B9L;
        x ^= x >>> 31;
        x *= 0x94D049BB133111EBL;
        return (byte) (x >>> 56);
    }
}
