package dev.jtcp.api;

import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.tcp.TcpHandler;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The loop's half of a {@link TcpSocket}: the engine connection's callbacks, and the commands the
 * application side queues ({@link #drain()}, {@link #pump()}). It moves bytes between the engine's
 * buffers and the socket's two bounded queues, records why the connection ended, and signals the
 * socket's conditions and futures.
 *
 * <p>Thread-safety: loop thread only. It shares the socket's state under the socket's lock; the
 * fields it owns alone ({@link #drainQueued}, {@link #pumpQueued}) are never touched elsewhere.
 */
final class SocketLoopSide implements TcpHandler {
    /** The socket whose queues this side fills and drains. */
    private final TcpSocket socket;
    /** A drain is queued for the end of the loop's cycle (loop thread only). */
    private boolean drainQueued;
    /** A pump is queued for the end of the loop's cycle (loop thread only). */
    private boolean pumpQueued;

    /** The end-of-cycle tasks, made once: no allocation per readable or writable event. */
    private final Runnable drainAtEnd = () -> {
        drainQueued = false;
        drain();
    };
    private final Runnable pumpAtEnd = () -> {
        pumpQueued = false;
        pump();
    };

    SocketLoopSide(TcpSocket socket) {
        this.socket = socket;
    }

    @Override
    public void onConnected(TcpConnection c) {
        socket.state = c.state();
        if (c.state().isSynchronized()) {
            socket.connected.complete(socket);
        }
    }

    @Override
    public void onReadable(TcpConnection c) {
        if (!drainQueued) {
            drainQueued = true;
            socket.loop.atEndOfCycle(drainAtEnd);
        }
    }

    @Override
    public void onWritable(TcpConnection c) {
        if (!pumpQueued) {
            pumpQueued = true;
            socket.loop.atEndOfCycle(pumpAtEnd);
        }
    }

    @Override
    public void onClosed(TcpConnection c, TcpError error) {
        TcpSocket s = socket;
        s.state = c.state();
        // Received data may still wait in the engine (the receive queue was full): it stays
        // readable, and drain() reports the end of stream only once it has all been moved.
        drain();
        List<Runnable> completions = new ArrayList<>();
        boolean wasConnecting = !s.connected.isDone();
        s.lock.lock();
        try {
            if (error != null && s.failure == null) {
                s.failure = error == TcpError.TIMED_OUT && s.softError != null ? s.softError
                        : Errors.of(error, wasConnecting);
                s.tx.release();
            }
            failPending(completions);
            s.readable.signalAll();
            s.writable.signalAll();
        } finally {
            s.lock.unlock();
        }
        IOException why = s.failure;
        if (wasConnecting) {
            completions.add(() -> s.connected.completeExceptionally(why != null ? Errors.copy(why)
                    : new SocketException("Connection closed before it was established")));
        }
        completions.add(() -> {
            if (why == null) {
                s.finished.complete(null);
            } else {
                s.finished.completeExceptionally(Errors.copy(why));
            }
        });
        completions.forEach(Runnable::run);
    }

    @Override
    public void onSoftError(TcpConnection c, TcpError error) {
        TcpSocket s = socket;
        s.lock.lock();
        try {
            s.softError = Errors.of(error, !s.connected.isDone());
        } finally {
            s.lock.unlock();
        }
    }

    /** Moves received bytes from the engine into the receive queue, as room allows. */
    void drain() {
        TcpSocket s = socket;
        TcpConnection engine = s.engine;
        // Only non-blocking reads need completing; the list is made only for them.
        List<Runnable> completions = List.of();
        s.lock.lock();
        try {
            while (true) {
                int available = engine.readable();
                if (available == 0) {
                    if (engine.isEndOfStream()) {
                        s.rxEof = true;
                    }
                    break;
                }
                if (s.closedByApp || s.inputShutdown) {
                    // Nobody will read: discard, keeping the window open (shutdownInput semantics).
                    s.rx.clear();
                    engine.receive(s.loop.nowNs(), s.rx.writable(available));
                    s.rx.clear();
                    continue;
                }
                if (s.rx.room() <= 0) {
                    s.rxStalled = true;
                    break;
                }
                // Straight from the engine's receive ring into the socket's, one contiguous piece at a time.
                s.rx.commit(engine.receive(s.loop.nowNs(), s.rx.writable(available)));
            }
            if (!s.rx.isEmpty() || s.rxEof) {
                s.readable.signalAll();
                if (!s.pendingReads.isEmpty()) {
                    completions = new ArrayList<>();
                    servePendingReads(completions);
                }
            }
        } catch (TcpException e) {
            // The connection failed; onClosed reports it.
        } finally {
            s.lock.unlock();
        }
        completions.forEach(Runnable::run);
    }

    /** Completes waiting non-blocking reads from the receive queue. Holds the socket's lock. */
    private void servePendingReads(List<Runnable> completions) {
        TcpSocket s = socket;
        while (!s.pendingReads.isEmpty() && (!s.rx.isEmpty() || s.rxEof)) {
            TcpSocket.PendingRead r = s.pendingReads.poll();
            int n = !s.rx.isEmpty() ? s.take(r.dst()) : -1;
            completions.add(() -> r.future().complete(n));
        }
    }

    /** Serves what can still be read, then fails every waiting read and write. Holds the socket's lock. */
    private void failPending(List<Runnable> completions) {
        TcpSocket s = socket;
        servePendingReads(completions);
        if (s.pendingReads.isEmpty() && s.pendingWrites.isEmpty()) {
            return; // the usual case: no exception made (its stack trace is costly), none needed
        }
        IOException why = s.failure != null ? s.failure : new SocketException("Socket closed");
        while (!s.pendingReads.isEmpty()) {
            TcpSocket.PendingRead r = s.pendingReads.poll();
            completions.add(() -> r.future().completeExceptionally(Errors.copy(why)));
        }
        while (!s.pendingWrites.isEmpty()) {
            CompletableFuture<Void> w = s.pendingWrites.poll();
            completions.add(() -> w.completeExceptionally(Errors.copy(why)));
        }
    }

    /** Moves queued bytes into the engine's send buffer; then FIN if requested. */
    void pump() {
        TcpSocket s = socket;
        TcpConnection engine = s.engine;
        List<CompletableFuture<Void>> released = null;
        s.lock.lock();
        try {
            s.pumpScheduled = false;
            if (s.engineClosed && !s.finRequested) {
                return;
            }
            int moved = 0;
            while (!s.tx.isEmpty() && s.failure == null) {
                // Straight from the socket's ring into the engine's send ring.
                ByteBuffer head = s.tx.readable();
                int want = head.remaining();
                int n = engine.send(s.loop.nowNs(), head);
                s.tx.consume(n);
                moved += n;
                if (n < want) {
                    break;
                }
            }
            if (moved > 0) {
                s.writable.signalAll();
                while (s.tx.size() < TcpSocket.QUEUE_LIMIT && !s.pendingWrites.isEmpty()) {
                    if (released == null) {
                        released = new ArrayList<>();
                    }
                    released.add(s.pendingWrites.poll());
                }
            }
            if (s.tx.isEmpty() && s.finRequested && !s.engineClosed) {
                s.engineClosed = true;
                s.engineFullyClosed = s.fullClose;
                if (s.fullClose) {
                    engine.closeFully(s.loop.nowNs());
                } else {
                    engine.close(s.loop.nowNs());
                }
            } else if (s.engineClosed && s.fullClose && !s.engineFullyClosed) {
                // close() after shutdownOutput(): the engine already sent FIN; now the application
                // gives the connection up (a TIME-WAIT record then keeps only its compact form).
                s.engineFullyClosed = true;
                engine.closeFully(s.loop.nowNs());
            }
        } catch (TcpException e) {
            // Closed under us (reset, or already closing); onClosed has reported or will report it.
            s.tx.release();
            s.writable.signalAll();
        } finally {
            s.lock.unlock();
        }
        if (released != null) {
            released.forEach(f -> f.complete(null));
        }
    }
}
