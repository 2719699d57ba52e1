package dev.jtcp.forward;

import dev.jtcp.api.AnyAddressListener;
import dev.jtcp.api.NetStack;
import dev.jtcp.api.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
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
 * connected {@link DatagramSocket}; a session ends after {@link Options#udpIdle} without traffic.
 * Through a SOCKS5 upstream UDP is not relayed (no UDP ASSOCIATE yet): such datagrams are dropped.
 *
 * <p>Bounded: at most {@link Options#maxFlows} TCP flows (new ones are refused with a RST) and as
 * many UDP sessions (new ones are dropped).
 *
 * <p>Thread-safety: safe; one virtual thread per relay direction and per UDP session.
 */
public final class Forwarder implements AutoCloseable {
    /** The forwarder's settings; a builder with defaults. */
    public static final class Options {
        private Upstream upstream = Upstream.direct();
        private int maxFlows = 4096;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration udpIdle = Duration.ofSeconds(60);
        private Consumer<String> log = line -> {};

        public Options upstream(Upstream upstream) {
            this.upstream = Objects.requireNonNull(upstream);
            return this;
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
            this.udpIdle = Objects.requireNonNull(idle);
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
    private volatile boolean closed;

    public static Options options() {
        return new Options();
    }

    private Forwarder(NetStack stack, Options options) {
        this.options = options;
        this.listener = AnyAddressListener.open(stack, options.maxFlows, new AnyAddressListener.Handler() {
            @Override
            public void onFlow(AnyAddressListener.Flow flow) {
                Thread.ofVirtual().name("forward " + flow.destination()).start(() -> open(flow));
            }

            @Override
            public void onDatagram(InetSocketAddress client, InetSocketAddress destination, byte[] data) {
                datagram(client, destination, data);
            }
        });
    }

    /** Starts forwarding every flow that reaches {@code stack}. */
    public static Forwarder start(NetStack stack, Options options) {
        return new Forwarder(stack, options);
    }

    // ---- TCP ----

    private void open(AnyAddressListener.Flow flow) {
        Socket out;
        try {
            out = options.upstream.connect(flow.destination(), options.connectTimeout);
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
        options.log.accept(flow.client() + " -> " + flow.destination() + ": relayed via " + options.upstream);
        Relay r = new Relay(in, out);
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

    private static long copy(InputStream from, OutputStream to, AtomicLong counter) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = from.read(buf)) >= 0) {
            to.write(buf, 0, n);
            to.flush();
            total += n;
            counter.addAndGet(n);
        }
        return total;
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

    /** On the stack's loop thread: must not block (a connected UDP send does not). */
    private void datagram(InetSocketAddress client, InetSocketAddress destination, byte[] data) {
        if (closed || !options.upstream.isDirect()) {
            return;
        }
        List<InetSocketAddress> key = List.of(client, destination);
        UdpSession s = sessions.get(key);
        if (s == null) {
            if (sessions.size() >= options.maxFlows) {
                return;
            }
            try {
                s = new UdpSession(key, client, destination);
            } catch (SocketException e) {
                return;
            }
            sessions.put(key, s);
            Thread.ofVirtual().name("udp " + destination).start(s::run);
        }
        s.send(data);
    }

    /** One UDP session: a connected OS socket and the thread that carries the replies back. */
    private final class UdpSession {
        final List<InetSocketAddress> key;
        final InetSocketAddress client;
        final InetSocketAddress destination;
        final DatagramSocket socket;
        volatile long lastNs = System.nanoTime();

        UdpSession(List<InetSocketAddress> key, InetSocketAddress client, InetSocketAddress destination)
                throws SocketException {
            this.key = key;
            this.client = client;
            this.destination = destination;
            this.socket = new DatagramSocket();
            socket.connect(destination);
            socket.setSoTimeout((int) Math.max(1, Math.min(options.udpIdle.toMillis(), 1000)));
        }

        void send(byte[] data) {
            lastNs = System.nanoTime();
            try {
                socket.send(new DatagramPacket(data, data.length));
                bytesUp.addAndGet(data.length);
            } catch (IOException e) {
                // Lost, as UDP may be.
            }
        }

        void run() {
            byte[] buf = new byte[65535];
            try {
                while (!closed) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                    } catch (SocketTimeoutException idle) {
                        if (System.nanoTime() - lastNs >= options.udpIdle.toNanos()) {
                            break;
                        }
                        continue;
                    } catch (java.net.PortUnreachableException unreachable) {
                        continue;
                    }
                    lastNs = System.nanoTime();
                    byte[] copy = java.util.Arrays.copyOf(buf, p.getLength());
                    bytesDown.addAndGet(copy.length);
                    listener.sendDatagram(destination, client, copy);
                }
            } catch (IOException | IllegalStateException e) {
                // The socket closed or the stack did: the session ends.
            } finally {
                sessions.remove(key, this);
                socket.close();
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

    public int udpSessions() {
        return sessions.size();
    }

    /** Stops the UDP sessions; TCP relays end with the stack. */
    @Override
    public void close() {
        closed = true;
        sessions.values().forEach(s -> s.socket.close());
    }
}
