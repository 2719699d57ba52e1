package dev.jtcp.api;

import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.IpAddress;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A listening socket of a {@link NetStack}, shaped like {@link java.net.ServerSocket}: {@link
 * #accept()} blocks (suits virtual threads), {@link #accept(Duration)} gives up with
 * SocketTimeoutException, {@link #acceptAsync()} returns a future.
 *
 * <p>Established connections wait in the engine listener's accept queue (bounded by the backlog;
 * beyond it SYNs are dropped, as Linux does). The loop moves them into this object's ready queue,
 * also bounded by the backlog, and moves more whenever an accept makes room. A stack of several
 * loops has an engine listener on each (each makes the children of the flows its loop owns); this
 * one socket accepts from all of them, each connection staying on its loop.
 *
 * <p>A listener made with a {@link LoopHandler} factory ({@link NetStack#listen(InetSocketAddress,
 * int, Supplier)}) has no accept queue of its own: the loop gives each established connection to a
 * new handler as a {@link LoopConnection}, and {@link #accept()} is refused.
 *
 * <p>Thread-safety: safe from any threads. Futures may complete on the event loop thread.
 */
public final class TcpServerSocket implements Closeable {
    /** The engine listener of each loop, by loop index ({@link #loops}[i] runs {@link #engines}[i]). */
    private final EventLoop[] loops;
    private final TcpListener[] engines;
    /** The first loop's listener (every copy has the same address, port and backlog). */
    private final TcpListener engine;
    private final InetSocketAddress local;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition acceptable = lock.newCondition();
    // ---- guarded by lock ----
    private final ArrayDeque<TcpSocket> ready = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<TcpSocket>> waiting = new ArrayDeque<>();
    private boolean closed;
    private volatile java.util.function.Consumer<TcpServerSocket> onClose = l -> {};
    /** Makes the loop-side handler of each accepted connection; null: connections go to {@link #accept()}. */
    private final Supplier<? extends LoopHandler> handlers;

    /** Over {@code engines[i]}, each on {@code loops[i]}; {@link #start} hooks them up. */
    TcpServerSocket(EventLoop[] loops, TcpListener[] engines) {
        this(loops, engines, null);
    }

    /**
     * Over {@code engines[i]}, each on {@code loops[i]}; with {@code handlers}, every accepted
     * connection is served on its loop. {@link #start} hooks them up.
     */
    TcpServerSocket(EventLoop[] loops, TcpListener[] engines, Supplier<? extends LoopHandler> handlers) {
        this.loops = loops.clone();
        this.engines = engines.clone();
        this.engine = engines[0];
        this.handlers = handlers;
        this.local = new InetSocketAddress(engine.localAddress().toInetAddress(), engine.port());
    }

    /** Has each engine listener tell this socket of its connections, and takes those already there. */
    void start() {
        for (int i = 0; i < loops.length; i++) {
            int shard = i;
            loops[i].call(() -> {
                engines[shard].handler(l -> pull(shard));
                pull(shard);
                return null;
            });
        }
    }

    /**
     * Moves established connections from loop {@code shard}'s engine listener to the ready queue
     * (or to waiting futures); on that loop.
     */
    private void pull(int shard) {
        EventLoop loop = loops[shard];
        TcpListener engine = engines[shard];
        if (handlers != null) {
            pullToHandlers(loop, engine);
            return;
        }
        List<Runnable> completions = new ArrayList<>();
        lock.lock();
        try {
            while (!closed && (ready.size() < engine.backlog() || !waiting.isEmpty())) {
                TcpConnection c = engine.accept();
                if (c == null) {
                    break;
                }
                TcpSocket conn = new TcpSocket(loop, c);
                conn.adopt();
                CompletableFuture<TcpSocket> f = waiting.poll();
                if (f != null) {
                    completions.add(() -> f.complete(conn));
                } else {
                    ready.add(conn);
                    acceptable.signal();
                }
            }
        } finally {
            lock.unlock();
        }
        completions.forEach(Runnable::run);
    }

    /**
     * Hands every established connection to a new loop-side handler, on the loop: no application
     * thread is woken, nothing waits in a queue. Connections are taken as they establish, so the
     * backlog bounds only the engine's SYN and accept queues.
     */
    private void pullToHandlers(EventLoop loop, TcpListener engine) {
        if (closed) {
            return;
        }
        TcpConnection c;
        while ((c = engine.accept()) != null) {
            LoopHandler h;
            try {
                h = Objects.requireNonNull(handlers.get(), "the handler factory returned null");
            } catch (RuntimeException e) {
                loop.reportFailure(e);
                c.abort(loop.nowNs());
                continue;
            }
            LoopConnection.adopt(loop, c, h);
        }
    }

    /**
     * Waits for the next connection.
     *
     * @return the accepted connection, ESTABLISHED
     * @throws IOException as {@link #accept(Duration)}
     */
    public TcpSocket accept() throws IOException {
        return accept(Duration.ZERO);
    }

    /**
     * Waits up to {@code timeout} (zero: for ever) for the next connection.
     *
     * @param timeout how long to wait; zero: for ever
     * @return the accepted connection, ESTABLISHED
     * @throws SocketTimeoutException "Accept timed out"
     * @throws SocketException "Socket closed" once the listener is closed
     * @throws IllegalStateException when the listener serves its connections with a {@link LoopHandler}
     */
    public TcpSocket accept(Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        checkNotOnLoop();
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
        lock.lock();
        try {
            long timeoutNs = timeout.toNanos();
            long deadline = System.nanoTime() + timeoutNs;
            while (ready.isEmpty()) {
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (timeoutNs == 0) {
                    acceptable.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("Accept timed out");
                    }
                    acceptable.awaitNanos(left);
                }
            }
            TcpSocket c = ready.poll();
            if (ready.size() == engine.backlog() - 1) {
                pullSoon();
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("accept interrupted");
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next connection, as a future.
     *
     * @return a future completed on the loop thread when a connection arrives, or failed with
     *     "Socket closed" once the listener is closed
     */
    public CompletableFuture<TcpSocket> acceptAsync() {
        checkNotOnLoop();
        CompletableFuture<TcpSocket> f = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                f.completeExceptionally(new SocketException("Socket closed"));
            } else if (!ready.isEmpty()) {
                f.complete(ready.poll());
                pullSoon();
            } else {
                waiting.add(f);
                pullSoon();
            }
        } finally {
            lock.unlock();
        }
        return f;
    }

    private void checkNotOnLoop() {
        if (handlers != null) {
            throw new IllegalStateException(this + " hands its connections to a LoopHandler; there is nothing to accept");
        }
    }

    /** Asks the loops to move accepted connections here; nothing once the stack is closed. */
    private void pullSoon() {
        for (int i = 0; i < loops.length; i++) {
            int shard = i;
            if (loops[i].isRunning()) {
                try {
                    loops[i].execute(() -> pull(shard));
                } catch (IllegalStateException e) {
                    // The stack closed meanwhile; its shutdown closes this listener.
                }
            }
        }
    }

    /**
     * Where it listens.
     *
     * @return the address (wildcard: every address) and port
     */
    public InetSocketAddress getLocalSocketAddress() {
        return local;
    }

    /**
     * The port it listens on.
     *
     * @return the port
     */
    public int getLocalPort() {
        return local.getPort();
    }

    /**
     * The listener's RFC 9293 state.
     *
     * @return LISTEN while open, CLOSED after
     */
    public TcpState state() {
        return loops[0].call(engine::state);
    }

    /**
     * Whether the listener is closed (by {@link #close()}, or with its stack), as {@link
     * java.net.ServerSocket#isClosed()}.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code action} once the listener is closed (the stack forgets it). */
    void onClose(java.util.function.Consumer<TcpServerSocket> action) {
        this.onClose = action;
    }

    /** Stops listening; connections not yet accepted are reset; blocked accepts fail with "Socket closed". */
    @Override
    public void close() {
        List<TcpSocket> unaccepted;
        List<CompletableFuture<TcpSocket>> futures;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            unaccepted = new ArrayList<>(ready);
            ready.clear();
            futures = new ArrayList<>(waiting);
            waiting.clear();
            acceptable.signalAll();
        } finally {
            lock.unlock();
        }
        unaccepted.forEach(TcpSocket::abort);
        futures.forEach(f -> f.completeExceptionally(new SocketException("Socket closed")));
        onClose.accept(this);
        for (int i = 0; i < loops.length; i++) {
            EventLoop loop = loops[i];
            TcpListener engine = engines[i];
            if (loop.isRunning()) {
                try {
                    loop.execute(() -> loop.host().closeListener(loop.nowNs(), engine));
                } catch (IllegalStateException e) {
                    // The stack is closing; its shutdown closes the engine listener.
                }
            }
        }
    }

    @Override
    public String toString() {
        IpAddress address = engine.localAddress();
        return "listener " + (address.isV4() ? address.toString() : "[" + address + "]") + ":" + engine.port();
    }
}
