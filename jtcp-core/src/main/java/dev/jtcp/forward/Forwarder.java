package dev.jtcp.forward;

import dev.jtcp.api.AnyAddressListener;
import dev.jtcp.api.NetStack;
import dev.jtcp.api.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A VPN's or transparent proxy's relay (tun2socks): a {@link NetStack}, typically on a TUN device
 * that the system routes traffic into, terminates every TCP and UDP flow whatever its destination,
 * and the forwarder carries each one through an ordinary socket to that destination ({@link
 * Upstream#direct()}) or through a SOCKS5 proxy.
 *
 * <pre>{@code
 * NetStack stack = ...;                       // e.g. on a TunLink
 * Forwarder f = Forwarder.start(stack, Forwarder.options().upstream(Upstream.direct()));
 * }</pre>
 *
 * <p>What the client sees is what the real server did: a SYN is held until the outbound connection
 * succeeds (then the handshake completes), is refused (a RST) or fails otherwise (ICMP host
 * unreachable). Once open, a half-close crosses as a half-close ({@code shutdownOutput} on the other
 * side) in either direction, and a reset or error on either side aborts both (RST, SO_LINGER 0).
 *
 * <p>UDP is relayed per session (client address and port, destination address and port) through a
 * non-blocking {@link DatagramChannel} connected to the destination, or, through a SOCKS5 upstream,
 * to the relay of a UDP ASSOCIATE (RFC 1928 §7) made for the session. One thread reads the replies
 * of every session (a selector); a session ends after {@link Options#udpIdle} without a datagram
 * either way, timed by the stack's timer wheel, or when the proxy closes the association.
 *
 * <p>Bounded: at most {@link Options#maxFlows} TCP flows (new ones are refused with a RST) and as
 * many UDP sessions (new ones are dropped).
 *
 * <p>Thread-safety: safe; one virtual thread per relay direction of a TCP flow, one thread for all
 * of UDP.
 */
public final class Forwarder implements AutoCloseable {
    /**
     * The decision hook: which way a new flow goes, or whether it goes at all. Called once per TCP
     * flow, on that flow's own virtual thread (it may block, e.g. to ask a user or a rule
     * database), and once per new UDP session, on the stack's loop thread (it must not block).
     */
    @FunctionalInterface
    public interface Policy {
        /**
         * The upstream for a flow from {@code client} to {@code destination} ({@code tcp}: a TCP
         * flow, else a UDP session), or null to turn it away: the client's SYN is answered with a
         * RST, its datagrams are dropped.
         */
        Upstream route(boolean tcp, InetSocketAddress client, InetSocketAddress destination);
    }

    /** The forwarder's settings; a builder with defaults. */
    public static final class Options {
        private Upstream upstream = Upstream.direct();
        private Policy policy;
        private int maxFlows = 4096;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration udpIdle = Duration.ofSeconds(60);
        private Consumer<String> log = line -> {};

        public Options upstream(Upstream upstream) {
            this.upstream = Objects.requireNonNull(upstream);
            return this;
        }

        /** Decides per flow (default: every flow through {@link #upstream}). */
        public Options policy(Policy policy) {
            this.policy = Objects.requireNonNull(policy);
            return this;
        }

        Upstream route(boolean tcp, InetSocketAddress client, InetSocketAddress destination) {
            return policy == null ? upstream : policy.route(tcp, client, destination);
        }

        /** TCP flows (and, separately, UDP sessions) at once, at least 1 (default 4096). */
        public Options maxFlows(int maxFlows) {
            if (maxFlows < 1) {
                throw new IllegalArgumentException("maxFlows must be at least 1, got " + maxFlows);
            }
            this.maxFlows = maxFlows;
            return this;
        }

        /** How long an outbound connect may take before the client is told unreachable (default 10 s). */
        public Options connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How long a UDP session lives without traffic (default 60 s). */
        public Options udpIdle(Duration idle) {
            if (idle.isNegative() || idle.isZero()) {
                throw new IllegalArgumentException("udpIdle must be positive, got " + idle);
            }
            this.udpIdle = idle;
            return this;
        }

        /** Where a line per flow goes (default nowhere). */
        public Options log(Consumer<String> log) {
            this.log = Objects.requireNonNull(log);
            return this;
        }
    }

    private final Options options;
    private final AnyAddressListener listener;
    private final Map<List<InetSocketAddress>, UdpSession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong flowsRelayed = new AtomicLong();
    private final AtomicLong flowsRefused = new AtomicLong();
    private final AtomicLong flowsUnreachable = new AtomicLong();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private final AtomicLong udpSessionsOpened = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger activeRelays = new java.util.concurrent.atomic.AtomicInteger();
    /** Datagrams a session keeps while its SOCKS5 association is being set up. */
    private static final int EARLY_LIMIT = 16;
    private final Selector selector;
    private final java.util.Queue<UdpSession> toRegister = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    public static Options options() {
        return new Options();
    }

    private Forwarder(NetStack stack, Options options) throws IOException {
        this.options = options;
        this.selector = Selector.open();
        this.listener = AnyAddressListener.open(stack, options.maxFlows, options.maxFlows, options.udpIdle,
                new AnyAddressListener.Handler() {
            @Override
            public void onFlow(AnyAddressListener.Flow flow) {
                Thread.ofVirtual().name("forward " + flow.destination()).start(() -> open(flow));
            }

            @Override
            public void onDatagram(InetSocketAddress client, InetSocketAddress destination, byte[] data) {
                datagram(client, destination, data);
            }

            @Override
            public void onDatagramSessionEnded(InetSocketAddress client, InetSocketAddress destination) {
                UdpSession s = sessions.get(List.of(client, destination));
                if (s != null) {
                    end(s, false);
                    options.log.accept("udp " + client + " -> " + destination + ": idle "
                            + options.udpIdle.toString().substring(2).toLowerCase(java.util.Locale.ROOT) + ", ended");
                }
            }
        });
        Thread t = new Thread(this::selectLoop, "jtcp forward udp");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Starts forwarding every flow that reaches {@code stack}.
     *
     * @throws UncheckedIOException if the selector for UDP cannot be opened (out of file descriptors)
     */
    public static Forwarder start(NetStack stack, Options options) {
        try {
            return new Forwarder(stack, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- TCP ----

    private void open(AnyAddressListener.Flow flow) {
        Upstream upstream;
        try {
            upstream = options.route(true, flow.client(), flow.destination());
        } catch (RuntimeException e) {
            options.log.accept(flow.client() + " -> " + flow.destination() + ": the policy failed: " + e);
            upstream = null;
        }
        if (upstream == null) {
            flowsRefused.incrementAndGet();
            flow.refuse();
            options.log.accept(flow.client() + " -> " + flow.destination() + ": refused by the policy");
            return;
        }
        Socket out;
        try {
            out = upstream.connect(flow.destination(), options.connectTimeout);
        } catch (ConnectException e) {
            if (String.valueOf(e.getMessage()).contains("refused")) {
                flowsRefused.incrementAndGet();
                flow.refuse();
            } else {
                flowsUnreachable.incrementAndGet();
                flow.unreachable();
            }
            options.log.accept(flow.client() + " -> " + flow.destination() + ": " + e.getMessage());
            return;
        } catch (IOException e) {
            flowsUnreachable.incrementAndGet();
            flow.unreachable();
            options.log.accept(flow.client() + " -> " + flow.destination() + ": " + e.getMessage());
            return;
        }
        TcpSocket in;
        try {
            in = flow.accept().get(options.connectTimeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            abort(out);
            return;
        }
        flowsRelayed.incrementAndGet();
        options.log.accept(flow.client() + " -> " + flow.destination() + ": relayed via " + upstream);
        Relay r = new Relay(in, out);
        activeRelays.incrementAndGet();
        Thread.ofVirtual().name("up " + flow.destination()).start(r::up);
        r.down();
    }

    /** The two directions of one flow; the second to finish closes both. */
    private final class Relay {
        final TcpSocket in;
        final Socket out;
        volatile boolean aborted;
        int done;

        Relay(TcpSocket in, Socket out) {
            this.in = in;
            this.out = out;
        }

        /** Client to destination. */
        void up() {
            try {
                long n = copy(in.getInputStream(), out.getOutputStream(), bytesUp);
                if (n >= 0) {
                    out.shutdownOutput();
                }
            } catch (IOException e) {
                abortBoth();
            }
            finish();
        }

        /** Destination to client. */
        void down() {
            try {
                long n = copy(out.getInputStream(), in.getOutputStream(), bytesDown);
                if (n >= 0) {
                    in.shutdownOutput();
                }
            } catch (IOException e) {
                abortBoth();
            }
            finish();
        }

        private void abortBoth() {
            if (!aborted) {
                aborted = true;
                in.abort();
                abort(out);
            }
        }

        private void finish() {
            boolean last;
            synchronized (this) {
                last = ++done == 2;
            }
            if (last) {
                activeRelays.decrementAndGet();
            }
            if (last && !aborted) {
                in.close();
                try {
                    out.close();
                } catch (IOException ignored) {
                    // Closing; nothing left to tell.
                }
            }
        }
    }

    /** What each relay direction holds while idle: a blocked read needs no more. */
    static final int SMALL_BUFFER = 2048;
    /** What a direction borrows while bytes keep coming (from {@link #BUFFERS}). */
    static final int BULK_BUFFER = 64 * 1024;
    /** Bulk buffers returned and not yet borrowed again, at most {@link #POOLED}. */
    private static final java.util.concurrent.ConcurrentLinkedDeque<byte[]> BUFFERS =
            new java.util.concurrent.ConcurrentLinkedDeque<>();
    private static final int POOLED = 64;
    private static final java.util.concurrent.atomic.AtomicInteger pooled = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Copies until end of stream; returns the bytes copied. An idle flow blocks in a read of its
     * small buffer, so 10,000 idle flows hold 20,000 small buffers, not 20,000 bulk ones. When a
     * read fills the small buffer, more is probably waiting: the direction borrows a bulk buffer,
     * fills it while the source has bytes ready ({@code available()}), and passes it on in one
     * write (one hand-off to the other side) when it is full or nothing more is waiting; then gives
     * it back. So a bulk transfer crosses in writes of up to 64 KiB, and nothing waits for more
     * than what has already arrived.
     */
    private static long copy(InputStream from, OutputStream to, AtomicLong counter) throws IOException {
        byte[] small = new byte[SMALL_BUFFER];
        long total = 0;
        int n;
        while ((n = from.read(small)) >= 0) {
            if (n < small.length) {
                to.write(small, 0, n);
                total += n;
                counter.addAndGet(n);
                continue;
            }
            byte[] big = borrow();
            try {
                System.arraycopy(small, 0, big, 0, n);
                int fill = n;
                boolean eof = false;
                while (true) {
                    if (fill < big.length && from.available() > 0) {
                        int m = from.read(big, fill, big.length - fill);
                        if (m >= 0) {
                            fill += m;
                            continue;
                        }
                        eof = true;
                    }
                    if (fill > 0) {
                        to.write(big, 0, fill);
                        total += fill;
                        counter.addAndGet(fill);
                    }
                    boolean full = fill == big.length;
                    fill = 0;
                    if (eof) {
                        return total;
                    }
                    if (!full || from.available() == 0) {
                        break;
                    }
                }
            } finally {
                giveBack(big);
            }
        }
        return total;
    }

    private static byte[] borrow() {
        byte[] b = BUFFERS.pollFirst();
        if (b == null) {
            return new byte[BULK_BUFFER];
        }
        pooled.decrementAndGet();
        return b;
    }

    private static void giveBack(byte[] b) {
        if (pooled.incrementAndGet() <= POOLED) {
            BUFFERS.addFirst(b);
        } else {
            pooled.decrementAndGet();
        }
    }

    private static void abort(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException ignored) {
            // Already gone.
        }
    }

    // ---- UDP ----

    /** On the stack's loop thread: must not block (a non-blocking channel's send does not). */
    private void datagram(InetSocketAddress client, InetSocketAddress destination, byte[] data) {
        if (closed) {
            return;
        }
        List<InetSocketAddress> key = List.of(client, destination);
        UdpSession s = sessions.get(key);
        if (s == null) {
            if (sessions.size() >= options.maxFlows) {
                return;
            }
            Upstream upstream;
            try {
                upstream = options.route(false, client, destination);
            } catch (RuntimeException e) {
                options.log.accept("udp " + client + " -> " + destination + ": the policy failed: " + e);
                upstream = null;
            }
            if (upstream == null) {
                return;
            }
            s = new UdpSession(key, client, destination, upstream);
            sessions.put(key, s);
            udpSessionsOpened.incrementAndGet();
            if (upstream.isDirect()) {
                try {
                    s.openDirect();
                    options.log.accept("udp " + client + " -> " + destination + ": relayed direct");
                } catch (IOException e) {
                    options.log.accept("udp " + client + " -> " + destination + ": " + e.getMessage());
                    end(s, true);
                    return;
                }
            } else {
                Thread.ofVirtual().name("udp associate " + destination).start(s::associate);
            }
        }
        s.send(data);
    }

    /** Ends a session: its channels close; {@code tellStack}: the stack's session ends too. */
    private void end(UdpSession s, boolean tellStack) {
        if (sessions.remove(s.key, s)) {
            s.close();
            if (tellStack) {
                listener.endDatagramSession(s.client, s.destination);
            }
        }
    }

    /**
     * The one thread that reads every session's replies (and watches the SOCKS5 control
     * connections): a selector over all the sessions' channels, not a thread per session. Each
     * session's lifetime is the stack's affair (its idle timer on the stack's timer wheel).
     */
    private void selectLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        byte[] bytes = new byte[65536];
        try {
            while (!closed) {
                selectOnce(buf, bytes);
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // The forwarder closed.
        }
    }

    private void selectOnce(ByteBuffer buf, byte[] bytes) throws IOException {
        selector.select();
        UdpSession r;
        while ((r = toRegister.poll()) != null) {
            try {
                r.channel.register(selector, SelectionKey.OP_READ, r);
                if (r.control != null) {
                    r.control.configureBlocking(false);
                    r.control.register(selector, SelectionKey.OP_READ, r);
                }
            } catch (IOException | java.nio.channels.CancelledKeyException e) {
                end(r, true);
            }
        }
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey k = it.next();
            it.remove();
            UdpSession s = (UdpSession) k.attachment();
            try {
                if (k.channel() == s.control) {
                    buf.clear();
                    if (s.control.read(buf) < 0) {
                        options.log.accept("udp " + s.client + " -> " + s.destination
                                + ": the SOCKS5 proxy ended the association");
                        end(s, true);
                    }
                    continue;
                }
                for (int i = 0; i < 64; i++) {
                    buf.clear();
                    int n;
                    try {
                        n = s.channel.read(buf);
                    } catch (java.net.PortUnreachableException unreachable) {
                        continue;
                    }
                    if (n <= 0) {
                        break;
                    }
                    buf.flip().get(bytes, 0, n);
                    int skip = 0;
                    if (s.control != null && (skip = Upstream.udpHeaderLength(bytes, n)) < 0) {
                        continue;
                    }
                    byte[] reply = java.util.Arrays.copyOfRange(bytes, skip, n);
                    bytesDown.addAndGet(reply.length);
                    listener.sendDatagram(s.destination, s.client, reply);
                }
            } catch (IOException | IllegalStateException e) {
                end(s, true);
            }
        }
    }

    /**
     * One UDP session (client and destination): a non-blocking {@link DatagramChannel} connected to
     * the destination, or (SOCKS5) to the proxy's relay with the association's control connection.
     */
    private final class UdpSession {
        final List<InetSocketAddress> key;
        final InetSocketAddress client;
        final InetSocketAddress destination;
        final Upstream upstream;
        /** Set before the session is registered; then read by the selector thread. */
        volatile DatagramChannel channel;
        volatile SocketChannel control;
        /** Datagrams that came before the SOCKS5 association was ready; guarded by this. */
        private java.util.ArrayDeque<byte[]> early = new java.util.ArrayDeque<>();
        private boolean ready;
        private boolean ended;

        UdpSession(List<InetSocketAddress> key, InetSocketAddress client, InetSocketAddress destination,
                   Upstream upstream) {
            this.key = key;
            this.client = client;
            this.destination = destination;
            this.upstream = upstream;
        }

        /** Direct: a channel connected to the destination (connect checks the route, never blocks). */
        void openDirect() throws IOException {
            DatagramChannel c = DatagramChannel.open();
            try {
                c.configureBlocking(false);
                c.connect(destination);
            } catch (IOException e) {
                c.close();
                throw e;
            }
            channel = c;
            synchronized (this) {
                ready = true;
            }
            register();
        }

        /** SOCKS5: UDP ASSOCIATE on a virtual thread, then the datagrams that waited. */
        void associate() {
            DatagramChannel c = null;
            try {
                c = DatagramChannel.open();
                Upstream.Association a = upstream.associate(c, options.connectTimeout);
                c.configureBlocking(false);
                channel = c;
                control = a.control();
                options.log.accept("udp " + client + " -> " + destination + ": relayed via " + upstream
                        + " (relay " + a.relay() + ")");
            } catch (IOException | RuntimeException e) {
                options.log.accept("udp " + client + " -> " + destination + ": " + e.getMessage());
                if (c != null) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // Nothing opened.
                    }
                }
                end(this, true);
                return;
            }
            java.util.ArrayDeque<byte[]> waiting;
            synchronized (this) {
                if (ended) {
                    closeQuietly();
                    return;
                }
                ready = true;
                waiting = early;
                early = null;
            }
            register();
            for (byte[] d : waiting) {
                write(d);
            }
        }

        private void register() {
            toRegister.add(this);
            selector.wakeup();
        }

        void send(byte[] data) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                if (!ready) {
                    if (early.size() < EARLY_LIMIT) {
                        early.add(data);
                    }
                    return;
                }
            }
            write(data);
        }

        private void write(byte[] data) {
            try {
                ByteBuffer b;
                if (control == null) {
                    b = ByteBuffer.wrap(data);
                } else {
                    byte[] framed = new byte[22 + data.length];
                    int h = Upstream.writeUdpHeader(framed, destination);
                    System.arraycopy(data, 0, framed, h, data.length);
                    b = ByteBuffer.wrap(framed, 0, h + data.length);
                }
                channel.write(b);
                bytesUp.addAndGet(data.length);
            } catch (IOException e) {
                // Lost, as UDP may be (a full socket buffer, an ICMP error remembered by the socket).
            }
        }

        void close() {
            synchronized (this) {
                ended = true;
                if (!ready) {
                    return; // associate() closes what it opens when it sees ended
                }
            }
            closeQuietly();
        }

        private void closeQuietly() {
            for (java.io.Closeable c : new java.io.Closeable[] {channel, control}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // Closing.
                    }
                }
            }
        }
    }

    // ---- figures ----

    public long flowsRelayed() {
        return flowsRelayed.get();
    }

    public long flowsRefused() {
        return flowsRefused.get();
    }

    public long flowsUnreachable() {
        return flowsUnreachable.get();
    }

    /** Bytes from clients to destinations (TCP and UDP payload). */
    public long bytesUp() {
        return bytesUp.get();
    }

    /** Bytes from destinations to clients. */
    public long bytesDown() {
        return bytesDown.get();
    }

    /** TCP flows in the stack's table now (held, handshaking or open). */
    public int tcpFlows() {
        return listener.flowCount();
    }

    /** TCP relays running now (each with two virtual threads). */
    public int activeRelays() {
        return activeRelays.get();
    }

    /** UDP sessions open now. */
    public int udpSessions() {
        return sessions.size();
    }

    /** UDP sessions opened so far. */
    public long udpSessionsOpened() {
        return udpSessionsOpened.get();
    }

    /** Stops the UDP sessions and their thread; TCP relays end with the stack. */
    @Override
    public void close() {
        closed = true;
        sessions.values().forEach(UdpSession::close);
        sessions.clear();
        try {
            selector.close();
        } catch (IOException ignored) {
            // Closing.
        }
    }
}
