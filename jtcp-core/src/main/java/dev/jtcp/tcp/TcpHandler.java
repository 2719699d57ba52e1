package dev.jtcp.tcp;

/**
 * What a connection tells its application, asynchronously (RFC 9293 §3.9.1.8 "asynchronous
 * reports"). Called on the thread that drives the host, from inside engine calls: implementations
 * must not block, and may call back into the connection only to read, write or close it.
 */
public interface TcpHandler {
    /** A handler that ignores everything. */
    TcpHandler NONE = new TcpHandler() {};

    /** The handshake completed (ESTABLISHED). */
    default void onConnected(TcpConnection c) {}

    /** In-order data arrived, or the peer's FIN (then {@link TcpConnection#isEndOfStream()}). */
    default void onReadable(TcpConnection c) {}

    /** Send-buffer space became free. */
    default void onWritable(TcpConnection c) {}

    /** The peer's urgent pointer moved past the data read so far (MUST-32). */
    default void onUrgent(TcpConnection c) {}

    /** Retransmissions reached R1 (SHLD-9): the path may be failing; the connection keeps trying. */
    default void onRetransmissionTrouble(TcpConnection c, int retransmissions) {}

    /**
     * A soft error (RFC 9293 §3.9.2.2, SHLD-25): an ICMP error that does not end the connection
     * (MUST-56), such as host unreachable on an established connection. Not called when the
     * application turned soft error reports off ({@link TcpConnection#softErrorReports(boolean)},
     * SHLD-20). A hard error that ends a connection still being established arrives through {@link
     * #onClosed} instead, with its own error.
     */
    default void onSoftError(TcpConnection c, TcpError error) {}

    /**
     * The connection is finished: {@code error} is {@code null} after a normal close (both FINs
     * exchanged, MUST-12), or why it ended (reset, refused, timed out, aborted).
     */
    default void onClosed(TcpConnection c, TcpError error) {}
}
