package dev.jtcp.api;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.tcp.TcpConnection;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP connection of a {@link NetStack}, shaped like {@link java.net.Socket}: {@link
 * #getInputStream()}, {@link #getOutputStream()}, {@link #shutdownOutput()} (half-close), {@link
 * #close()}, {@link #abort()} (RST), options, addresses and state. Errors are the {@code
 * java.net} exceptions a kernel socket raises ("Connection reset", "Read timed out"). Every
 * blocking call suits virtual threads (they park on a {@link ReentrantLock}); the non-blocking
 * forms {@link #read(ByteBuffer)} and {@link #write(ByteBuffer)} return futures.
 *
 * <p>How bytes move. The engine connection belongs to the event loop, and so does this socket's
 * loop half, {@link SocketLoopSide} (the engine's callbacks). Between the engine and the
 * application sit two bounded queues guarded by this connection's lock:
 *
 * <ul>
 *   <li>receive: when the engine reports data, the loop moves it into the receive queue (up to
 *       {@link #QUEUE_LIMIT} bytes); reads take from there without involving the loop, and ask the
 *       loop to move more only if it had stopped for lack of room. The advertised window therefore
 *       reflects what the application has really consumed.
 *   <li>send: writes append to the send queue (blocking while it is full) and ask the loop once to
 *       pump it into the engine's send buffer; the loop goes on whenever the engine reports room.
 * </ul>
 *
 * <p>Lifecycle: 1. created by {@link NetStack#connect} or {@link TcpServerSocket#accept}; 2. data in
 * both directions; 3. {@link #shutdownOutput()} sends FIN after the queued data, {@link #close()}
 * does the same and gives up reading (unread data makes it a RST, RFC 9293 SHLD-3), {@link
 * #abort()} resets at once; 4. the engine reports the end, and every later call fails with the
 * reason.
 *
 * <p>Thread-safety: safe from any threads. Futures returned by the non-blocking methods may be
 * completed on the event loop thread: attach only short, non-blocking stages, or use the
 * {@code *Async} forms of {@link CompletableFuture}.
 */
public final class TcpSocket implements Closeable {
    /** Bytes each of the receive and send queues holds at most (on top of the engine's buffers). */
    public static final int QUEUE_LIMIT = 256 * 1024;
    /** Buffer sizes the engine takes: at least 1 KiB, at most 1 GiB (the largest scaled window, RFC 7323 §2.3). */
    private static final int MIN_BUFFER = 1024;
    private static final int MAX_BUFFER = 1 << 30;
    /** The longest TCP_USER_TIMEOUT (about 24 days, Linux's limit of INT_MAX milliseconds). */
    private static final Duration MAX_USER_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

    final EventLoop loop;
    /** The engine connection; touched only on the loop thread. */
    final TcpConnection engine;
    private final ConnectionKey key;
    /** The loop's half: engine callbacks, draining and pumping. */
    private final SocketLoopSide loopSide = new SocketLoopSide(this);
    /** {@link SocketLoopSide#drain} and {@link SocketLoopSide#pump} as commands, made once. */
    private final Runnable drainCommand = loopSide::drain;
    private final Runnable pumpCommand = loopSide::pump;

    final ReentrantLock lock = new ReentrantLock();
    /** Signalled when bytes, end of stream or an error arrive. */
    final Condition readable = lock.newCondition();
    /** Signalled when the send queue drains or an error arrives. */
    final Condition writable = lock.newCondition();

    // ---- guarded by lock; shared with the loop side (SocketLoopSide) ----
    /** Received bytes not yet read; at most {@link #QUEUE_LIMIT}. */
    final ByteRing rx = new ByteRing(QUEUE_LIMIT);
    /** The peer's FIN was taken from the engine: after {@link #rx} empties, reads return -1. */
    boolean rxEof;
    /** The loop stopped moving data for lack of room; a read that frees room restarts it. */
    boolean rxStalled;
    /**
     * Bytes waiting for the engine: at most {@link #QUEUE_LIMIT} from blocking writes; a
     * non-blocking {@link #write(ByteBuffer)} queues all it is given.
     */
    final ByteRing tx = new ByteRing(QUEUE_LIMIT);
    /** A pump command is queued on the loop. */
    boolean pumpScheduled;
    /** shutdownOutput or close was called: FIN follows the queued bytes. */
    boolean finRequested;
    /** close (not just shutdownOutput): the engine gets closeFully. */
    boolean fullClose;
    /** The engine has been told to close or abort. */
    boolean engineClosed;
    /** The engine has been told closeFully (or to abort): the application gave it up. */
    boolean engineFullyClosed;
    /** The application called close or abort: its streams are finished. */
    boolean closedByApp;
    boolean inputShutdown;
    /** Why the connection ended, or null. */
    IOException failure;
    /** The last ICMP soft error reported for the connection (RFC 9293 SHLD-25), or null. */
    IOException softError;
    final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    final ArrayDeque<CompletableFuture<Void>> pendingWrites = new ArrayDeque<>();

    private volatile int soTimeoutMs;
    private volatile int lingerSeconds = -1;
    volatile TcpState state;

    /** Completes once ESTABLISHED (or fails with why not). */
    final CompletableFuture<TcpSocket> connected = new CompletableFuture<>();
    /** Completes when the engine is done with the connection (CLOSED or TIME-WAIT). */
    final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final InputStream in = new In();
    private final OutputStream out = new Out();

    record PendingRead(ByteBuffer dst, CompletableFuture<Integer> future) {}

    /** Wraps {@code engine}, taking over its handler; on the loop thread. */
    TcpSocket(EventLoop loop, TcpConnection engine) {
        this.loop = loop;
        this.engine = engine;
        this.key = engine.key();
        this.state = engine.state();
        engine.handler(loopSide);
    }

    /** For an accepted connection: catch up with what happened before the handler was set. */
    void adopt() {
        loopSide.onConnected(engine);
        loopSide.onReadable(engine);
        if (engine.state() == TcpState.CLOSED || engine.state() == TcpState.TIME_WAIT) {
            loopSide.onClosed(engine, engine.error());
        }
    }

    CompletableFuture<TcpSocket> connectedFuture() {
        return connected;
    }

    TcpConnection engine() {
        return engine;
    }

    // =================================================================================================
    // Streams
    // =================================================================================================

    /**
     * The bytes from the peer.
     *
     * @return a stream whose reads block up to {@link #setSoTimeout}, return -1 after the peer's FIN,
     *     and fail with "Connection reset" after a RST
     */
    public InputStream getInputStream() {
        return in;
    }

    /**
     * The bytes to the peer.
     *
     * @return a stream whose writes block while the send queue is full; {@code flush()} does nothing
     *     (bytes leave as soon as TCP allows)
     */
    public OutputStream getOutputStream() {
        return out;
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            return readBlocking(b, off, len);
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return rx.size();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() throws IOException {
            TcpSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            writeBlocking(b, off, len);
        }

        @Override
        public void close() throws IOException {
            TcpSocket.this.close();
        }
    }

    private int readBlocking(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            long timeoutNs = TimeUnit.MILLISECONDS.toNanos(soTimeoutMs);
            long deadline = System.nanoTime() + timeoutNs;
            while (rx.isEmpty()) {
                if (closedByApp || inputShutdown) {
                    if (inputShutdown && !closedByApp) {
                        return -1;
                    }
                    throw new SocketException("Socket closed");
                }
                if (rxEof) {
                    return -1;
                }
                if (failure != null) {
                    throw Errors.copy(failure);
                }
                if (timeoutNs == 0) {
                    readable.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                    readable.awaitNanos(left);
                }
            }
            int n = rx.read(b, off, len);
            afterTake();
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("read interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Moves queued received bytes into {@code dst}; restarts the loop's draining if it had stalled. Holds the lock. */
    int take(ByteBuffer dst) {
        int n = rx.read(dst);
        afterTake();
        return n;
    }

    /** After a read: restarts the loop's draining if it had stalled and half the queue is free. Holds the lock. */
    private void afterTake() {
        if (rxStalled && rx.size() <= QUEUE_LIMIT / 2) {
            rxStalled = false;
            onLoop(drainCommand);
        }
    }

    private void writeBlocking(byte[] b, int off, int len) throws IOException {
        lock.lock();
        try {
            while (len > 0) {
                checkWritable();
                int room = tx.room();
                if (room <= 0) {
                    writable.await();
                    continue;
                }
                int n = Math.min(room, len);
                enqueue(b, off, n);
                off += n;
                len -= n;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("write interrupted");
        } finally {
            lock.unlock();
        }
    }

    private void checkWritable() throws IOException {
        if (closedByApp) {
            throw new SocketException("Socket closed");
        }
        if (failure != null) {
            throw Errors.copy(failure);
        }
        if (finRequested) {
            throw new SocketException("Socket output is shutdown");
        }
    }

    /** Appends bytes to the send queue and makes sure a pump is scheduled. Holds the lock. */
    private void enqueue(byte[] b, int off, int n) {
        tx.write(b, off, n);
        schedulePump();
    }

    private void schedulePump() {
        if (!pumpScheduled && onLoop(pumpCommand)) {
            pumpScheduled = true;
        }
    }

    /**
     * Queues {@code command} on the loop; false, doing nothing, once the stack is closed: the
     * connection went with it, so closing, half-closing or setting an option has nothing left to do.
     */
    private boolean onLoop(Runnable command) {
        if (!loop.isRunning()) {
            return false;
        }
        try {
            loop.execute(command);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    // =================================================================================================
    // Non-blocking forms
    // =================================================================================================

    /**
     * Reads what is available into {@code dst}: the future completes with the byte count once at
     * least one byte (or the end of stream, -1) is there, or fails with the connection's error.
     *
     * @param dst where the bytes go, from its position; not read-only
     * @return the byte count, or -1 at the end of the stream
     */
    public CompletableFuture<Integer> read(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        CompletableFuture<Integer> f = new CompletableFuture<>();
        lock.lock();
        try {
            if (!rx.isEmpty() && pendingReads.isEmpty()) {
                f.complete(take(dst));
            } else if (rxEof && rx.isEmpty()) {
                f.complete(-1);
            } else if (failure != null) {
                f.completeExceptionally(Errors.copy(failure));
            } else if (closedByApp) {
                f.completeExceptionally(new SocketException("Socket closed"));
            } else {
                pendingReads.add(new PendingRead(dst, f));
            }
        } finally {
            lock.unlock();
        }
        return f;
    }

    /**
     * Queues all of {@code src} for sending at once; the future completes when the send queue is
     * back under its limit (back-pressure), or fails with the connection's error.
     *
     * @param src the bytes, from its position to its limit (copied; the buffer is free on return)
     * @return a future for back-pressure
     */
    public CompletableFuture<Void> write(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        CompletableFuture<Void> f = new CompletableFuture<>();
        lock.lock();
        try {
            checkWritable();
            int n = src.remaining();
            if (n > 0) {
                tx.write(src, n);
                schedulePump();
            }
            if (tx.size() < QUEUE_LIMIT) {
                f.complete(null);
            } else {
                pendingWrites.add(f);
            }
        } catch (IOException e) {
            f.completeExceptionally(e);
        } finally {
            lock.unlock();
        }
        return f;
    }

    /**
     * The end of the connection.
     *
     * @return a future that completes when the connection is over: normally (null) or with its error
     */
    public CompletableFuture<Void> onClose() {
        return finished;
    }

    // =================================================================================================
    // Closing
    // =================================================================================================

    /**
     * Half-close: FIN after the queued bytes; reading goes on until the peer's FIN (RFC 9293 §3.6).
     *
     * @throws IOException "Socket is closed" after {@link #close()}, or the connection's error
     */
    public void shutdownOutput() throws IOException {
        lock.lock();
        try {
            if (closedByApp) {
                throw new SocketException("Socket is closed");
            }
            if (!finRequested) {
                finRequested = true;
                schedulePump();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Reads return -1 from now on; received bytes are discarded. */
    public void shutdownInput() {
        lock.lock();
        try {
            inputShutdown = true;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the connection like {@code Socket.close()}: queued bytes are still sent, then FIN; the
     * application reads no more. With unread received data, or with SO_LINGER 0, the connection is
     * reset instead (RFC 9293 SHLD-3). Does not wait for the peer.
     */
    @Override
    public void close() {
        List<CompletableFuture<Integer>> reads = new ArrayList<>();
        lock.lock();
        try {
            if (closedByApp) {
                return;
            }
            closedByApp = true;
            // Waiting non-blocking reads end now, as a blocked read() does.
            pendingReads.forEach(r -> reads.add(r.future()));
            pendingReads.clear();
            if (lingerSeconds == 0 || (!rx.isEmpty() && failure == null)) {
                resetLocked();
                return;
            }
            finRequested = true;
            fullClose = true;
            schedulePump();
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
            reads.forEach(f -> f.completeExceptionally(new SocketException("Socket closed")));
        }
    }

    /** Resets the connection now: RST to the peer, queued data discarded (RFC 9293 §3.10.5 ABORT). */
    public void abort() {
        List<CompletableFuture<Integer>> reads = new ArrayList<>();
        lock.lock();
        try {
            closedByApp = true;
            pendingReads.forEach(r -> reads.add(r.future()));
            pendingReads.clear();
            resetLocked();
        } finally {
            lock.unlock();
            reads.forEach(f -> f.completeExceptionally(new SocketException("Socket closed")));
        }
    }

    private void resetLocked() {
        tx.release();
        rx.release();
        readable.signalAll();
        writable.signalAll();
        engineFullyClosed = true;
        if (!engineClosed && loop.isRunning()) {
            engineClosed = true;
            onLoop(() -> engine.abort(loop.nowNs())); // false: the stack closed; the connection went with it
        }
    }

    // =================================================================================================
    // Options and information
    // =================================================================================================

    /**
     * SO_TIMEOUT: how long a blocking read waits before {@link java.net.SocketTimeoutException}.
     *
     * @param ms milliseconds, 0 for ever
     */
    public void setSoTimeout(int ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("timeout must not be negative");
        }
        soTimeoutMs = ms;
    }

    /**
     * SO_TIMEOUT.
     *
     * @return how long a blocking read waits in milliseconds, 0 for ever
     */
    public int getSoTimeout() {
        return soTimeoutMs;
    }

    /**
     * SO_LINGER: with {@code on} and 0 seconds, {@link #close()} resets (sends RST). Other values close normally.
     *
     * @param on      whether to linger
     * @param seconds the linger time; 0 means reset on close
     */
    public void setSoLinger(boolean on, int seconds) {
        if (on && seconds < 0) {
            throw new IllegalArgumentException("linger seconds must not be negative, got " + seconds);
        }
        lingerSeconds = on ? seconds : -1;
    }

    /**
     * SO_LINGER.
     *
     * @return the linger time in seconds, or -1 when off
     */
    public int getSoLinger() {
        return lingerSeconds;
    }

    /**
     * TCP_NODELAY: turn Nagle's algorithm off.
     *
     * @param on true to send small segments at once
     */
    public void setTcpNoDelay(boolean on) {
        onLoop(() -> engine.noDelay(on));
    }

    /**
     * TCP_NODELAY.
     *
     * @return whether Nagle's algorithm is off
     */
    public boolean getTcpNoDelay() {
        return loop.call(engine::noDelay);
    }

    /**
     * IP_TOS / IPV6_TCLASS, as {@link java.net.Socket#setTrafficClass}: the Diffserv/TOS octet of this
     * connection's packets from now on (RFC 9293 MUST-48, SHLD-21).
     *
     * @param tos the octet, 0 to 255
     */
    public void setTrafficClass(int tos) {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("traffic class must be 0..255, got " + tos);
        }
        onLoop(() -> engine.tos(tos));
    }

    /**
     * IP_TOS / IPV6_TCLASS.
     *
     * @return the octet this connection's packets carry
     */
    public int getTrafficClass() {
        return loop.call(engine::tos);
    }

    /**
     * The TOS / traffic-class octet of the last segment received from the peer (RFC 9293 MAY-9).
     *
     * @return the octet, 0 to 255
     */
    public int getReceivedTrafficClass() {
        return loop.call(engine::receivedTos);
    }

    /**
     * SO_KEEPALIVE (RFC 9293 §3.8.4; off by default, MUST-25).
     *
     * @param on whether to probe an idle connection
     */
    public void setKeepAlive(boolean on) {
        onLoop(() -> engine.keepAlive(loop.nowNs(), on));
    }

    /**
     * SO_KEEPALIVE.
     *
     * @return whether an idle connection is probed
     */
    public boolean getKeepAlive() {
        return loop.call(engine::keepAlive);
    }

    /**
     * TCP_USER_TIMEOUT: give up after retransmitting this long (MUST-21).
     *
     * @param timeout how long; zero restores the default
     */
    public void setUserTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("user timeout must not be negative, got " + timeout);
        }
        if (timeout.compareTo(MAX_USER_TIMEOUT) > 0) {
            throw new IllegalArgumentException("user timeout must be at most " + MAX_USER_TIMEOUT + ", got " + timeout);
        }
        long ns = timeout.toNanos();
        onLoop(() -> engine.userTimeout(ns));
    }

    /**
     * SO_SNDBUF of the engine (this connection's send queue adds {@link #QUEUE_LIMIT}).
     *
     * @param bytes the size in bytes
     */
    public void setSendBufferSize(int bytes) {
        checkBufferSize("send", bytes);
        loop.call(() -> {
            engine.sendBufferSize(bytes);
            return null;
        });
    }

    private static void checkBufferSize(String which, int bytes) {
        if (bytes < MIN_BUFFER || bytes > MAX_BUFFER) {
            throw new IllegalArgumentException(which + " buffer size must be " + MIN_BUFFER + ".." + MAX_BUFFER
                    + " bytes, got " + bytes);
        }
    }

    /**
     * SO_SNDBUF of the engine.
     *
     * @return the size in bytes
     */
    public int getSendBufferSize() {
        return loop.call(engine::sendBufferSize);
    }

    /**
     * SO_RCVBUF of the engine; fixed once the handshake has started (the window scale depends on it).
     *
     * @param bytes the size in bytes
     */
    public void setReceiveBufferSize(int bytes) {
        checkBufferSize("receive", bytes);
        loop.call(() -> {
            engine.receiveBufferSize(bytes);
            return null;
        });
    }

    /**
     * SO_RCVBUF of the engine.
     *
     * @return the size in bytes
     */
    public int getReceiveBufferSize() {
        return loop.call(engine::receiveBufferSize);
    }

    /**
     * This end of the connection.
     *
     * @return the local address and port
     */
    public InetSocketAddress getLocalSocketAddress() {
        return new InetSocketAddress(key.localAddress().toInetAddress(), key.localPort());
    }

    /**
     * The peer's end of the connection.
     *
     * @return the peer's address and port
     */
    public InetSocketAddress getRemoteSocketAddress() {
        return new InetSocketAddress(key.remoteAddress().toInetAddress(), key.remotePort());
    }

    /**
     * Both ends of the connection, as the engine and its trace events name it.
     *
     * @return the connection's key
     */
    public ConnectionKey key() {
        return key;
    }

    /**
     * The RFC 9293 state now.
     *
     * @return the state; after the stack closed, the last one seen
     */
    public TcpState state() {
        return loop.isRunning() ? loop.call(engine::state) : state;
    }

    /**
     * The engine's STATUS (RFC 9293 §3.10.6).
     *
     * @return a snapshot of the connection's state, variables and counters
     */
    public ConnectionStatus status() {
        return loop.call(engine::status);
    }

    /**
     * Whether close or abort was called.
     *
     * @return true once the application closed or aborted the socket
     */
    public boolean isClosed() {
        lock.lock();
        try {
            return closedByApp;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The last ICMP soft error reported for this connection (SHLD-25).
     *
     * @return the error, or null
     */
    public IOException softError() {
        lock.lock();
        try {
            return softError;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return key + " " + state;
    }
}
