package dev.jtcp.api;

import dev.jtcp.event.Tracer;
import dev.jtcp.link.Link;
import dev.jtcp.stack.FlowShards;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.tcp.TcpListener;
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
 * <p>Several loops ({@link Builder#loops}, one per core over a multi-queue link such as a TUN
 * created with {@code IFF_MULTI_QUEUE}): each loop has its own {@link Host} (its own tables of
 * connections, listeners, TIME-WAIT records and timers) and its own queue of the link, and owns
 * the TCP flows {@link FlowShards} gives it: the ones it opened (from the ephemeral ports of its
 * slice) and the children its copy of every listener makes for the flows that hash to it. A packet
 * that arrives on another loop's queue is handed to the owner ({@link EventLoop#handOff}). A
 * connect runs on the next loop in turn (or the owner of an explicit local port); {@link #listen}
 * opens a listener on every loop and one {@link TcpServerSocket} accepts from all. UDP, ICMP and
 * the any-address hook stay on the first loop.
 *
 * <p>Thread-safety: safe from any threads.
 */
public final class NetStack implements AutoCloseable {
    /** The first loop's host and link, and the first loop (UDP, ICMP and the any-address hook live there). */
    private final Host host;
    private final Link link;
    private final EventLoop loop;
    /** Every loop, its host and its queue of the link, by loop index. */
    private final Host[] hosts;
    private final Link[] links;
    private final EventLoop[] loops;
    /** Which loop owns which TCP flow. */
    private final FlowShards shards;
    /** The loop the next connect from an ephemeral port runs on, modulo the loops. */
    private final java.util.concurrent.atomic.AtomicInteger nextLoop = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Listeners not yet closed, so that closing the stack wakes threads blocked in accept. */
    private final java.util.Set<TcpServerSocket> listeners = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private NetStack(Host[] hosts, Link[] links, FlowShards shards, LongSupplier clock) throws IOException {
        this.hosts = hosts;
        this.links = links;
        this.shards = shards;
        this.host = hosts[0];
        this.link = links[0];
        this.loops = new EventLoop[hosts.length];
        for (int i = 0; i < hosts.length; i++) {
            Host h = hosts[i];
            loops[i] = new EventLoop(i == 0 ? h.name() : h.name() + "-" + i, h, links[i], clock,
                    t -> onLoopFailure(h, t), this::onCommandFailure);
        }
        if (loops.length > 1) {
            for (int i = 0; i < loops.length; i++) {
                loops[i].joinGroup(loops, i, shards, HAND_OFF_QUEUE);
            }
        }
        this.loop = loops[0];
        for (EventLoop l : loops) {
            l.start();
        }
    }

    /** Cells of each loop's queue of packets handed over by its siblings. */
    private static final int HAND_OFF_QUEUE = 1024;

    /**
     * A loop thread died (a bug, or the link failed): report it, and on that thread tell every
     * connection of its host it is over, so no application thread waits for ever. Later calls fail
     * with "the stack is closed".
     */
    private void onLoopFailure(Host host, Throwable t) {
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
        private int loops = 1;

        private Builder() {
        }

        /**
         * How many event loops (threads) run the stack, each with its own host tables and its own
         * queue of the link: one per core over a multi-queue TUN. More than one needs a link that
         * has more queues ({@link Link#newQueue}); the stack opens them.
         *
         * @param loops 1 to 256; 1 by default (one loop, one queue)
         * @return this builder
         */
        public Builder loops(int loops) {
            if (loops < 1 || loops > 256) {
                throw new IllegalArgumentException("loops must be 1..256, got " + loops);
            }
            this.loops = loops;
            return this;
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
            RandomGenerator first = random != null ? random : new SecureRandom();
            Host[] hosts = new Host[loops];
            Link[] links = new Link[loops];
            links[0] = link;
            try {
                for (int i = 1; i < loops; i++) {
                    links[i] = link.newQueue();
                }
            } catch (IOException | RuntimeException e) {
                for (int i = 1; i < loops && links[i] != null; i++) {
                    links[i].close();
                }
                throw e;
            }
            for (int i = 0; i < loops; i++) {
                // Each host draws its own secrets; one loop's host draws them as a stack alone did.
                RandomGenerator r = i == 0 ? first
                        : random != null ? new java.util.SplittableRandom(first.nextLong()) : new SecureRandom();
                Host host = new Host(name, config, r);
                addresses.forEach(host::addAddress);
                host.mtu(link.mtu());
                host.tracer(tracer);
                host.ttl(ttl);
                hosts[i] = host;
            }
            FlowShards shards = loops == 1 ? FlowShards.ONE : new FlowShards(loops, first.nextLong(), first.nextLong());
            for (int i = 0; i < loops; i++) {
                hosts[i].shard(shards, i);
            }
            long origin = System.nanoTime();
            // The loop's clock starts near zero, so deadlines never come near overflow.
            return new NetStack(hosts, links, shards, () -> System.nanoTime() - origin);
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
        // An ephemeral port: the next loop in turn, which takes one from its slice; a given port:
        // the loop that owns the flow.
        int index = loops.length == 1 ? 0 : localPort == 0 ? Math.floorMod(nextLoop.getAndIncrement(), loops.length)
                : localPort > 65535 || localPort < 0 ? 0 : shards.ownerOf(address, remote.getPort(), localPort);
        EventLoop loop = loops[index];
        Host host = hosts[index];
        CompletableFuture<TcpSocket> result = new CompletableFuture<>();
        boolean queued = runOnLoop(loop, () -> {
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
        // Every loop listens, in loop order, so of two listens on one port the one that wins the
        // first loop wins them all; a refusal closes what the earlier loops opened.
        TcpListener[] engines = new TcpListener[loops.length];
        try {
            for (int i = 0; i < loops.length; i++) {
                EventLoop l = loops[i];
                Host h = hosts[i];
                engines[i] = l.call(() -> h.listen(l.nowNs(), address, local.getPort(), queue));
            }
            TcpServerSocket l = new TcpServerSocket(loops, engines, handlers);
            listeners.add(l);
            l.onClose(listeners::remove);
            l.start();
            return l;
        } catch (TcpException e) {
            closeListeners(engines);
            throw Errors.of(e, false);
        } catch (IllegalStateException e) {
            closeListeners(engines);
            if (!isOpen()) {
                throw new SocketException("Socket closed");
            }
            throw e;
        }
    }

    /** Closes the engine listeners a failed {@link #listen} opened. */
    private void closeListeners(TcpListener[] engines) {
        for (int i = 0; i < engines.length; i++) {
            TcpListener e = engines[i];
            Host h = hosts[i];
            EventLoop l = loops[i];
            if (e != null) {
                runOnLoop(l, () -> h.closeListener(l.nowNs(), e));
            }
        }
    }

    /** Whether the stack runs: not closed, its loops alive. */
    private boolean isOpen() {
        if (closed.get()) {
            return false;
        }
        for (EventLoop l : loops) {
            if (!l.isRunning()) {
                return false;
            }
        }
        return true;
    }

    /** Queues {@code command} on {@code loop}; false when the stack is closed. */
    private boolean runOnLoop(EventLoop loop, Runnable command) {
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
     * Runs {@code query} on the (first) loop thread with its host (counters, tables) and returns its
     * result; with several loops, see {@link #inspectEach}.
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
     * Runs {@code query} on every loop thread with that loop's host, in loop order.
     *
     * @param <T>   the result's type
     * @param query what to read from a host; it must not keep the host
     * @return the results, one per loop
     */
    public <T> List<T> inspectEach(Function<Host, T> query) {
        Objects.requireNonNull(query, "query");
        List<T> results = new ArrayList<>(loops.length);
        for (int i = 0; i < loops.length; i++) {
            Host h = hosts[i];
            results.add(loops[i].call(() -> query.apply(h)));
        }
        return results;
    }

    /**
     * How many event loops run the stack.
     *
     * @return the number given to {@link Builder#loops}
     */
    public int loopCount() {
        return loops.length;
    }

    /**
     * Packets a loop received for a flow another loop owns and handed to it, over every loop, and
     * of those the ones dropped because the owner's queue was full.
     *
     * @return {handed over, dropped}; {0, 0} with one loop
     */
    public long[] handOffs() {
        long[] total = new long[2];
        for (EventLoop l : loops) {
            long[] c = l.handOffCounts();
            total[0] += c[0];
            total[1] += c[1];
        }
        return total;
    }

    /**
     * The stack's counters now (connections by state, queues, cookies, TIME-WAIT records, drops),
     * read on the loop threads and summed over the loops; after {@link #close()}, the last ones.
     *
     * @return a snapshot of the counters
     */
    public StackStats stats() {
        return StackStats.sum(inspectEach(StackStats::of));
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
        while (isOpen() && System.nanoTime() - deadline < 0
                && inspectEach(Host::connectionCount).stream().mapToInt(Integer::intValue).sum() > 0) {
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
        List<CompletableFuture<Void>> stopped = new ArrayList<>();
        for (int i = 0; i < loops.length; i++) {
            EventLoop l = loops[i];
            Host h = hosts[i];
            Link k = links[i];
            stopped.add(l.shutdown(() -> {
                long now = l.nowNs();
                h.connections().forEach(c -> c.abort(now));
                h.listeners().forEach(x -> h.closeListener(now, x));
                try {
                    k.flush(now);
                } catch (IOException e) {
                    // Closing anyway.
                }
            }));
        }
        try {
            CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // A loop is gone or stuck; close the links regardless.
        }
        for (int i = links.length - 1; i >= 0; i--) {
            links[i].close();
        }
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
        return "stack " + host.name() + " on " + link.name() + (loops.length == 1 ? "" : " (" + loops.length + " loops)");
    }
}
