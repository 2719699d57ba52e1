package dev.jtcp.api;

import dev.jtcp.event.Tracer;
import dev.jtcp.link.Link;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.wire.IpAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * A running jtcp stack: a {@link Host} on a {@link Link}, driven by its own {@link EventLoop}
 * thread, with a socket-like API for applications on any threads.
 *
 * <pre>{@code
 * try (NetStack stack = NetStack.builder().address("198.18.0.2/24").link(link).start()) {
 *     TcpServerSocket l = stack.listen(8080);
 *     TcpSocket c = l.accept();                       // blocks; fine on a virtual thread
 *     c.getOutputStream().write("hello\n".getBytes());
 *     c.close();
 * }
 * }</pre>
 *
 * <p>Threading model: the host, every engine connection and listener, the timers and the link
 * belong to the loop thread, and only it calls them (the core is single-threaded and sans-IO).
 * API objects ({@link TcpSocket}, {@link TcpServerSocket}) are thread-safe facades: calls queue a
 * command for the loop and, when they must wait, park on a lock condition or future that the loop
 * signals. Data crosses through per-connection bounded queues, so a read that finds data never
 * involves the loop.
 *
 * <p>Thread-safety: safe from any threads.
 */
public final class NetStack implements AutoCloseable {
    private final Host host;
    private final Link link;
    private final EventLoop loop;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Listeners not yet closed, so that closing the stack wakes threads blocked in accept. */
    private final java.util.Set<TcpServerSocket> listeners = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private NetStack(Host host, Link link, LongSupplier clock) throws IOException {
        this.host = host;
        this.link = link;
        this.loop = new EventLoop(host.name(), host, link, clock, this::onLoopFailure, this::onCommandFailure);
        loop.start();
    }

    /**
     * The loop thread died (a bug, or the link failed): report it, and on that thread tell every
     * connection it is over, so no application thread waits for ever. Later calls fail with "the
     * stack is closed".
     */
    private void onLoopFailure(Throwable t) {
        System.err.println("jtcp: event loop of " + host.name() + " failed: " + t);
        t.printStackTrace();
        for (TcpConnection c : host.connections()) {
            try {
                c.handler().onClosed(c, TcpError.ABORTED);
            } catch (RuntimeException e) {
                // Best effort: the stack is already broken.
            }
        }
        listeners.forEach(TcpServerSocket::close);
    }

    /** A command queued by an application thread threw on the loop: report it; the loop goes on. */
    private void onCommandFailure(RuntimeException e) {
        System.err.println("jtcp: a command on the event loop of " + host.name() + " failed: " + e);
    }

    /**
     * A builder for a stack; {@link Builder#start()} starts it.
     *
     * @return a builder with the defaults: name "jtcp", {@link TcpConfig#defaults()}, TTL 64, no tracer
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a stack: a name, addresses, TCP settings, the link, an optional tracer. */
    public static final class Builder {
        private String name = "jtcp";
        private TcpConfig config = TcpConfig.defaults();
        private final List<String> addresses = new ArrayList<>();
        private Link link;
        private Tracer tracer = Tracer.NONE;
        private RandomGenerator random;
        private int ttl = Host.DEFAULT_TTL;

        private Builder() {
        }

        /**
         * The stack's name, in traces, thread names and errors.
         *
         * @param name the name; "jtcp" by default
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        /**
         * The engine's settings for every connection of the stack.
         *
         * @param config the settings; {@link TcpConfig#defaults()} by default
         * @return this builder
         */
        public Builder config(TcpConfig config) {
            this.config = Objects.requireNonNull(config);
            return this;
        }

        /**
         * Adds an address of the stack; call once per address (at least one, of either family).
         *
         * @param cidr the address with its prefix, e.g. "198.18.0.2/24" or "fd00::2/64"
         * @return this builder
         */
        public Builder address(String cidr) {
            addresses.add(Objects.requireNonNull(cidr, "cidr"));
            return this;
        }

        /**
         * The link the stack sends and receives IP packets on; required. The stack closes it when it closes.
         *
         * @param link a {@link dev.jtcp.link.MemoryLink}, a {@link dev.jtcp.link.tun.TunLink}, or another link
         * @return this builder
         */
        public Builder link(Link link) {
            this.link = Objects.requireNonNull(link);
            return this;
        }

        /**
         * Receives every trace event, on the loop thread.
         *
         * @param tracer the tracer; {@link Tracer#NONE} by default
         * @return this builder
         */
        public Builder tracer(Tracer tracer) {
            this.tracer = Objects.requireNonNull(tracer);
            return this;
        }

        /**
         * Seeds the stack's secrets (ISNs, cookies, ports).
         *
         * @param random the source; a SecureRandom by default
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * The TTL / hop limit of the packets the stack sends (RFC 9293 MUST-49).
         *
         * @param ttl 1 to 255; 64 by default
         * @return this builder
         */
        public Builder ttl(int ttl) {
            if (ttl < 1 || ttl > 255) {
                throw new IllegalArgumentException("TTL must be 1..255, got " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        /**
         * Starts the loop thread.
         *
         * @return the running stack; close it to stop the loop and close the link
         * @throws IOException when the link fails to start
         */
        public NetStack start() throws IOException {
            if (link == null) {
                throw new IllegalStateException("a link is needed");
            }
            if (addresses.isEmpty()) {
                throw new IllegalStateException("at least one address is needed");
            }
            Host host = new Host(name, config, random != null ? random : new SecureRandom());
            addresses.forEach(host::addAddress);
            host.mtu(link.mtu());
            host.tracer(tracer);
            host.ttl(ttl);
            long origin = System.nanoTime();
            // The loop's clock starts near zero, so deadlines never come near overflow.
            return new NetStack(host, link, () -> System.nanoTime() - origin);
        }
    }

    // =================================================================================================
    // Connecting
    // =================================================================================================

    /**
     * Connects to {@code remote}, waiting as long as the engine keeps trying (its SYN timeout).
     *
     * @param remote the peer's address and port
     * @return the connected socket
     * @throws IOException as {@link #connect(InetSocketAddress, int, Duration)}
     */
    public TcpSocket connect(InetSocketAddress remote) throws IOException {
        return connect(remote, 0, Duration.ZERO);
    }

    /**
     * Connects to {@code remote} from an ephemeral port, giving up after {@code timeout}.
     *
     * @param remote  the peer's address and port
     * @param timeout how long to wait; zero: no limit but the engine's
     * @return the connected socket
     * @throws IOException as {@link #connect(InetSocketAddress, int, Duration)}
     */
    public TcpSocket connect(InetSocketAddress remote, Duration timeout) throws IOException {
        return connect(remote, 0, timeout);
    }

    /**
     * Connects from {@code localPort} (0: an ephemeral port, RFC 6056) to {@code remote}, giving up
     * after {@code timeout} (zero: no limit but the engine's).
     *
     * @param remote    the peer's address and port
     * @param localPort the local port, or 0
     * @param timeout   how long to wait
     * @return the connected socket
     * @throws java.net.ConnectException "Connection refused" (RST), "Connection timed out"
     * @throws SocketTimeoutException "Connect timed out" when {@code timeout} passes
     */
    public TcpSocket connect(InetSocketAddress remote, int localPort, Duration timeout) throws IOException {
        return connect(remote, new InetSocketAddress(localPort), timeout);
    }

    /**
     * Connects from {@code local} to {@code remote}, like {@link java.net.Socket#bind} then connect:
     * a wildcard address lets the stack choose the source address, port 0 an ephemeral port (RFC 9293
     * MUST-43, MUST-44). {@code local}'s address must be one of the stack's, of {@code remote}'s family.
     *
     * @param remote  the peer's address and port
     * @param local   the local address and port, either may be a wildcard
     * @param timeout how long to wait; zero: no limit but the engine's
     * @return the connected socket
     * @throws SocketTimeoutException "Connect timed out" when {@code timeout} passes
     * @throws java.net.ConnectException "Cannot assign requested address" when the local address is not
     *     the stack's; {@link java.net.BindException} when the local port is in use
     */
    public TcpSocket connect(InetSocketAddress remote, InetSocketAddress local, Duration timeout)
            throws IOException {
        checkTimeout(timeout);
        CompletableFuture<TcpSocket> f = connectAsync(remote, local);
        try {
            try {
                return timeout.isZero() ? f.get() : f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (f.cancel(false)) {
                    throw new SocketTimeoutException("Connect timed out");
                }
                return f.get(); // it completed just now
            }
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("connect interrupted");
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /**
     * Starts an active OPEN from an ephemeral port.
     *
     * @param remote the peer's address and port
     * @return a future of the connected socket, as {@link #connectAsync(InetSocketAddress, InetSocketAddress)}
     */
    public CompletableFuture<TcpSocket> connectAsync(InetSocketAddress remote) {
        return connectAsync(remote, 0);
    }

    /**
     * Starts an active OPEN.
     *
     * @param remote    the peer's address and port
     * @param localPort the local port, or 0 for an ephemeral one
     * @return a future that completes when ESTABLISHED or fails with a {@code java.net} exception
     */
    public CompletableFuture<TcpSocket> connectAsync(InetSocketAddress remote, int localPort) {
        return connectAsync(remote, new InetSocketAddress(localPort));
    }

    /**
     * As {@link #connect(InetSocketAddress, InetSocketAddress, Duration)}, without waiting. On a
     * closed stack the future fails with {@code SocketException("Socket closed")}.
     *
     * @param remote the peer's address and port
     * @param local  the local address and port, either may be a wildcard
     * @return a future that completes when ESTABLISHED or fails with a {@code java.net} exception
     */
    public CompletableFuture<TcpSocket> connectAsync(InetSocketAddress remote, InetSocketAddress local) {
        Objects.requireNonNull(local, "local");
        IpAddress address = ipOf(remote);
        IpAddress localAddress = local.getAddress() == null || local.getAddress().isAnyLocalAddress()
                ? null : IpAddress.of(local.getAddress());
        int localPort = local.getPort();
        CompletableFuture<TcpSocket> result = new CompletableFuture<>();
        boolean queued = runOnLoop(() -> {
            if (result.isDone()) {
                return;
            }
            try {
                TcpConnection c = host.connect(loop.nowNs(), localAddress, address, remote.getPort(), localPort);
                TcpSocket conn = new TcpSocket(loop, c);
                // Cancelling the future (a connect timeout) abandons the attempt.
                result.whenComplete((ok, err) -> {
                    if (result.isCancelled()) {
                        conn.abort();
                    }
                });
                conn.connectedFuture().whenComplete((ok, err) -> {
                    if (err != null) {
                        result.completeExceptionally(err);
                    } else {
                        result.complete(ok);
                    }
                });
                // The SYN may already have been answered within this call (never on a real link).
                if (c.state().isSynchronized()) {
                    conn.adopt();
                }
            } catch (TcpException e) {
                result.completeExceptionally(Errors.of(e, true));
            } catch (RuntimeException e) {
                // A bad argument the engine caught: the caller hears of it, the loop goes on.
                result.completeExceptionally(e);
            }
        });
        if (!queued) {
            result.completeExceptionally(new SocketException("Socket closed"));
        }
        return result;
    }

    // =================================================================================================
    // Listening
    // =================================================================================================

    /**
     * Listens on {@code port} on every address (both families), backlog 128.
     *
     * @param port the port, 0 to 65535
     * @return the listening socket
     * @throws IOException as {@link #listen(InetSocketAddress, int)}
     */
    public TcpServerSocket listen(int port) throws IOException {
        return listen(new InetSocketAddress(port), 128);
    }

    /**
     * Listens on {@code local} (wildcard address: every address of both families).
     *
     * @param local   the address and port to listen on
     * @param backlog connections queued for {@link TcpServerSocket#accept()}; below 1: the default, 128
     * @return the listening socket
     * @throws SocketException "Socket closed" when the stack is closed
     * @throws java.net.BindException "Address already in use"
     */
    public TcpServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
        return listenWith(local, backlog, null);
    }

    /**
     * Listens on {@code local} and serves every accepted connection on the event loop itself, with a
     * new handler from {@code handlers} (see {@link LoopHandler}): no thread per connection and no
     * hand-off between threads, for servers whose work per event never blocks.
     *
     * @param local    the address and port to listen on (wildcard address: every address of both families)
     * @param backlog  bound on the engine's SYN and accept queues; below 1: the default, 128
     * @param handlers makes one handler per accepted connection; called on the loop thread
     * @return the listening socket (close it to stop listening; it has nothing to accept)
     * @throws SocketException "Socket closed" when the stack is closed
     * @throws java.net.BindException "Address already in use"
     */
    public TcpServerSocket listen(InetSocketAddress local, int backlog,
                                  java.util.function.Supplier<? extends LoopHandler> handlers) throws IOException {
        return listenWith(local, backlog, Objects.requireNonNull(handlers, "handlers"));
    }

    /** Listens; {@code handlers} null: connections go to {@link TcpServerSocket#accept()}. */
    private TcpServerSocket listenWith(InetSocketAddress local, int backlog,
                                       java.util.function.Supplier<? extends LoopHandler> handlers) throws IOException {
        Objects.requireNonNull(local, "local");
        if (local.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + local);
        }
        if (backlog < 1) {
            backlog = 128; // as java.net.ServerSocket: a backlog below 1 means the default
        }
        int queue = backlog;
        if (!isOpen()) {
            throw new SocketException("Socket closed");
        }
        IpAddress address = local.getAddress() == null || local.getAddress().isAnyLocalAddress()
                ? IpAddress.ANY_V4 : IpAddress.of(local.getAddress());
        try {
            TcpServerSocket l = loop.call(() -> new TcpServerSocket(loop, host.listen(loop.nowNs(), address, local.getPort(),
                    queue), handlers));
            listeners.add(l);
            l.onClose(listeners::remove);
            return l;
        } catch (TcpException e) {
            throw Errors.of(e, false);
        } catch (IllegalStateException e) {
            if (!isOpen()) {
                throw new SocketException("Socket closed");
            }
            throw e;
        }
    }

    /** Whether the stack runs: not closed, its loop alive. */
    private boolean isOpen() {
        return !closed.get() && loop.isRunning();
    }

    /** Queues {@code command} on the loop; false when the stack is closed. */
    private boolean runOnLoop(Runnable command) {
        if (!isOpen()) {
            return false;
        }
        try {
            loop.execute(command);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static void checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
    }

    // =================================================================================================
    // The rest
    // =================================================================================================

    /**
     * Runs {@code query} on the loop thread with the host (counters, tables) and returns its result.
     *
     * @param <T>   the result's type
     * @param query what to read from the host; it must not keep the host
     * @return the query's result
     */
    public <T> T inspect(Function<Host, T> query) {
        Objects.requireNonNull(query, "query");
        return loop.call(() -> query.apply(host));
    }

    /**
     * The stack's counters now (connections by state, queues, cookies, TIME-WAIT records, drops),
     * read on the loop thread; after {@link #close()}, the last ones.
     *
     * @return a snapshot of the counters
     */
    public StackStats stats() {
        return loop.call(() -> StackStats.of(host));
    }

    /** The loop, for the api's other facades ({@link UdpSocket}, {@link AnyAddressListener}). */
    EventLoop loop() {
        return loop;
    }

    /**
     * The stack's link.
     *
     * @return the link given to the builder
     */
    public Link link() {
        return link;
    }

    /**
     * The stack's name.
     *
     * @return the name given to the builder
     */
    public String name() {
        return host.name();
    }

    /**
     * Waits up to {@code grace} for open connections to finish (their data and FIN acknowledged),
     * then {@link #close()}s.
     *
     * @param grace how long to wait at most
     */
    public void close(Duration grace) {
        checkTimeout(grace);
        long deadline = System.nanoTime() + grace.toNanos();
        while (loop.isRunning() && System.nanoTime() - deadline < 0 && inspect(Host::connectionCount) > 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    /**
     * Closes every listener (blocked accepts fail with "Socket closed"), resets every remaining
     * connection (blocked reads and writes fail), stops the loop and closes the link.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        listeners.forEach(TcpServerSocket::close);
        try {
            loop.shutdown(() -> {
                long now = loop.nowNs();
                host.connections().forEach(c -> c.abort(now));
                host.listeners().forEach(l -> host.closeListener(now, l));
                try {
                    link.flush(now);
                } catch (IOException e) {
                    // Closing anyway.
                }
            }).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // The loop is gone or stuck; close the link regardless.
        }
        link.close();
    }

    private static IpAddress ipOf(InetSocketAddress remote) {
        Objects.requireNonNull(remote, "remote");
        InetAddress a = remote.getAddress();
        if (a == null) {
            throw new IllegalArgumentException("unresolved address " + remote);
        }
        return IpAddress.of(a);
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof IOException io) {
            return Errors.copy(io);
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        return new IOException(t);
    }

    @Override
    public String toString() {
        return "stack " + host.name() + " on " + link.name();
    }
}
