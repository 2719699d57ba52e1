package dev.jtcp.api;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.tcp.TcpHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A connection served by a {@link LoopHandler} on the event loop: reads and writes go straight to
 * the engine connection's buffers, with no queue between and no other thread. Reads and writes
 * never block: {@link #read} returns 0 when nothing waits, {@link #write} takes what fits and the
 * handler hears {@link LoopHandler#onWritable} when more fits.
 *
 * <p>How events reach the handler: the engine's callbacks ({@code onReadable}, {@code
 * onWritable}, {@code onClosed}) only note the event and queue, once per cycle, a task made once
 * per connection for the end of the loop's cycle; the task calls the handler. So a batch of
 * segments makes one call, the engine is never re-entered from inside its own segment processing,
 * and no event allocates.
 *
 * <p>Thread-safety: loop thread only, like its handler. Calls from another thread fail with
 * {@link IllegalStateException}.
 */
public final class LoopConnection {
    private final EventLoop loop;
    private final TcpConnection engine;
    private final ConnectionKey key;
    private final LoopHandler handler;
    /** The handler has been told of readable bytes once they waited (loop thread only). */
    private boolean readableQueued;
    private boolean writableQueued;
    private boolean closedQueued;
    /** The handler closed or aborted the connection: it hears only {@link LoopHandler#onClosed} now. */
    private boolean closedByApp;
    /** {@link LoopHandler#onClosed} was called: nothing follows. */
    private boolean finished;
    /** Why the engine ended the connection, or null; read when the closed task runs. */
    private TcpError error;
    /** Anything the application hangs on the connection. */
    private Object attachment;

    /** The end-of-cycle tasks, made once per connection: no allocation per event. */
    private final Runnable openTask = this::deliverOpen;
    private final Runnable readableTask = this::deliverReadable;
    private final Runnable writableTask = this::deliverWritable;
    private final Runnable closedTask = this::deliverClosed;

    private LoopConnection(EventLoop loop, TcpConnection engine, LoopHandler handler) {
        this.loop = loop;
        this.engine = engine;
        this.key = engine.key();
        this.handler = handler;
    }

    /**
     * Takes over an accepted engine connection for {@code handler}: from now on its events are the
     * handler's; {@link LoopHandler#onOpen} follows at the end of this cycle. On the loop thread.
     */
    static LoopConnection adopt(EventLoop loop, TcpConnection engine, LoopHandler handler) {
        LoopConnection c = new LoopConnection(loop, engine, handler);
        engine.handler(c.new Events());
        loop.atEndOfCycle(c.openTask);
        return c;
    }

    /** The engine's callbacks: note the event, deliver it at the end of the cycle. */
    private final class Events implements TcpHandler {
        @Override
        public void onReadable(TcpConnection c) {
            queueReadable();
        }

        @Override
        public void onWritable(TcpConnection c) {
            if (!writableQueued && !closedByApp) {
                writableQueued = true;
                loop.atEndOfCycle(writableTask);
            }
        }

        @Override
        public void onClosed(TcpConnection c, TcpError why) {
            queueClosed(why);
        }
    }

    private void queueReadable() {
        if (!readableQueued && !closedByApp) {
            readableQueued = true;
            loop.atEndOfCycle(readableTask);
        }
    }

    private void queueClosed(TcpError why) {
        if (!closedQueued) {
            closedQueued = true;
            error = why;
            loop.atEndOfCycle(closedTask);
        }
    }

    private void deliverOpen() {
        if (!run(Event.OPEN)) {
            return;
        }
        // Catch up with what arrived before the handler was set (data with the handshake's ACK).
        if (engine.readable() > 0 || engine.isEndOfStream()) {
            queueReadable();
        }
        TcpState s = engine.state();
        if (s == TcpState.CLOSED || s == TcpState.TIME_WAIT) {
            queueClosed(engine.error());
        }
    }

    private void deliverReadable() {
        readableQueued = false;
        if (!closedByApp) {
            run(Event.READABLE);
        }
    }

    private void deliverWritable() {
        writableQueued = false;
        if (!closedByApp) {
            run(Event.WRITABLE);
        }
    }

    private void deliverClosed() {
        if (finished) {
            return;
        }
        finished = true;
        closedByApp = true;
        run(Event.CLOSED);
    }

    private enum Event { OPEN, READABLE, WRITABLE, CLOSED }

    /**
     * Calls the handler; one that throws has its connection reset and the failure reported, and the
     * loop goes on. Returns whether the handler returned normally.
     */
    private boolean run(Event event) {
        try {
            switch (event) {
                case OPEN -> handler.onOpen(this);
                case READABLE -> handler.onReadable(this);
                case WRITABLE -> handler.onWritable(this);
                case CLOSED -> handler.onClosed(this, error == null ? null : Errors.of(error, false));
            }
            return true;
        } catch (RuntimeException e) {
            loop.reportFailure(e);
            if (!finished) {
                abort();
            }
            return false;
        }
    }

    // =================================================================================================
    // The handler's calls
    // =================================================================================================

    /**
     * Reads received bytes into {@code dst}.
     *
     * @param dst where the bytes go, from its position
     * @return bytes read; 0 when none wait now; -1 at the end of the stream (the peer's FIN)
     * @throws IOException the connection's error ("Connection reset"), or "Socket closed" after
     *     {@link #close()}
     */
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        checkLoop();
        if (closedByApp) {
            throw new SocketException("Socket closed");
        }
        try {
            return engine.receive(loop.nowNs(), dst);
        } catch (TcpException e) {
            throw Errors.of(e, false);
        }
    }

    /**
     * Queues bytes of {@code src} for sending, as many as the send buffer takes now.
     *
     * @param src the bytes, from its position (advanced past what was taken)
     * @return bytes taken, possibly 0; {@link LoopHandler#onWritable} follows when room frees
     * @throws IOException "Socket closed" after {@link #close()}, "Broken pipe" after {@link
     *     #shutdownOutput()}, or the connection's error
     */
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        checkLoop();
        if (closedByApp) {
            throw new SocketException("Socket closed");
        }
        try {
            return engine.send(loop.nowNs(), src);
        } catch (TcpException e) {
            throw Errors.of(e, false);
        }
    }

    /**
     * Send space free now.
     *
     * @return bytes a {@link #write} would take now; 0 once closing or failed
     */
    public int writable() {
        checkLoop();
        return closedByApp ? 0 : engine.writable();
    }

    /**
     * Half-close: FIN after the queued bytes; reading goes on until the peer's FIN (RFC 9293 §3.6).
     *
     * @throws IOException "Socket closed" after {@link #close()}, or the connection's error
     */
    public void shutdownOutput() throws IOException {
        checkLoop();
        if (closedByApp) {
            throw new SocketException("Socket closed");
        }
        try {
            engine.close(loop.nowNs());
        } catch (TcpException e) {
            throw Errors.of(e, false);
        }
    }

    /**
     * Closes like {@code Socket.close()}: queued bytes are still sent, then FIN; nothing more is read
     * (unread received bytes make it a reset, RFC 9293 SHLD-3). Only {@link LoopHandler#onClosed}
     * follows. Idempotent.
     */
    public void close() {
        checkLoop();
        if (closedByApp) {
            return;
        }
        closedByApp = true;
        try {
            engine.closeFully(loop.nowNs());
        } catch (TcpException e) {
            // Already over: onClosed reports it.
        }
    }

    /** Resets the connection now: RST to the peer, queued bytes dropped (RFC 9293 §3.10.5 ABORT). */
    public void abort() {
        checkLoop();
        closedByApp = true;
        if (engine.state() != TcpState.CLOSED) {
            engine.abort(loop.nowNs());
        }
        queueClosed(TcpError.ABORTED);
    }

    /**
     * TCP_NODELAY: turn Nagle's algorithm off.
     *
     * @param on true to send small segments at once
     */
    public void setTcpNoDelay(boolean on) {
        checkLoop();
        engine.noDelay(loop.nowNs(), on);
    }

    /**
     * The peer's end.
     *
     * @return the peer's address and port
     */
    public InetSocketAddress getRemoteSocketAddress() {
        return new InetSocketAddress(key.remoteAddress().toInetAddress(), key.remotePort());
    }

    /**
     * This end.
     *
     * @return the local address and port
     */
    public InetSocketAddress getLocalSocketAddress() {
        return new InetSocketAddress(key.localAddress().toInetAddress(), key.localPort());
    }

    /**
     * Both ends, as the engine and its trace events name them.
     *
     * @return the connection's key
     */
    public ConnectionKey key() {
        return key;
    }

    /**
     * The RFC 9293 state now.
     *
     * @return the engine connection's state
     */
    public TcpState state() {
        checkLoop();
        return engine.state();
    }

    /**
     * Hangs the application's per-connection state on the connection.
     *
     * @param attachment anything, or null
     */
    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    /**
     * What {@link #attach} hung on the connection.
     *
     * @return the attachment, or null
     */
    public Object attachment() {
        return attachment;
    }

    private void checkLoop() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("a LoopConnection is used on its event loop's thread only");
        }
    }

    @Override
    public String toString() {
        return key + " " + engine.state();
    }
}
