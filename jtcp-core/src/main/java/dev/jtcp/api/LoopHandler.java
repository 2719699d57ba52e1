package dev.jtcp.api;

import java.io.IOException;

/**
 * A server's connection handler that runs on the stack's event loop itself, for servers whose
 * work per event is short and never blocks (echo, discard, a request answered from memory): no
 * thread per connection, no hand-off between the loop and an application thread, so no wake-up
 * of either for each event. Given to {@link NetStack#listen(java.net.InetSocketAddress, int,
 * java.util.function.Supplier)}, which makes one handler per accepted connection.
 *
 * <p>Lifecycle of a connection, each call on the loop thread, in this order:
 *
 * <ol>
 *   <li>{@link #onOpen} once, when the connection is accepted (ESTABLISHED);
 *   <li>{@link #onReadable} when bytes or the peer's FIN wait to be read: read with {@link
 *       LoopConnection#read} until it returns 0 (nothing more now) or -1 (end of stream); bytes
 *       left unread stay in the engine and close its window (back-pressure);
 *   <li>{@link #onWritable} when send space became free: write more with {@link
 *       LoopConnection#write};
 *   <li>{@link #onClosed} once, when the connection is over: {@code error} is null after a normal
 *       close, else why it ended ("Connection reset"...). It comes even after the handler's own
 *       {@link LoopConnection#close}, which ends the other calls.
 * </ol>
 *
 * <p>Readable and writable events are gathered per loop cycle: after a batch of 30 segments the
 * handler hears once. A handler that throws has its connection reset; the loop goes on.
 *
 * <p>Thread-safety: every method is called on the loop thread; it must not block (no I/O to files
 * or other sockets, no locks held by application threads). Work that blocks belongs on an
 * application thread with {@link TcpServerSocket#accept()}.
 */
public interface LoopHandler {
    /**
     * The connection was accepted.
     *
     * @param c the connection
     */
    default void onOpen(LoopConnection c) {}

    /**
     * Bytes, or the peer's FIN, wait to be read.
     *
     * @param c the connection
     */
    void onReadable(LoopConnection c);

    /**
     * Send space became free (at most once per loop cycle).
     *
     * @param c the connection
     */
    default void onWritable(LoopConnection c) {}

    /**
     * The connection is over; no call follows.
     *
     * @param c     the connection
     * @param error null after a normal close, else why it ended
     */
    default void onClosed(LoopConnection c, IOException error) {}
}
