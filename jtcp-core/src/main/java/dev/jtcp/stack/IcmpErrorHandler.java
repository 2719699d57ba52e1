package dev.jtcp.stack;

import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;

/**
 * Implemented by a connection's {@link dev.jtcp.tcp.TcpHandler} that wants to hear about ICMP
 * errors the host matched to the connection (RFC 9293 §3.9.2.2, MUST-54; SHLD-25: "make the
 * information available to the application"). The host calls it on its thread, after the RFC 5927
 * checks, and before it aborts the connection for a hard error.
 */
public interface IcmpErrorHandler {
    /**
     * @param error  what the ICMP message means (UNREACHABLE, REFUSED for port unreachable...)
     * @param aborts whether the host is about to abort the connection (a hard error while connecting)
     */
    void onIcmpError(TcpConnection connection, TcpError error, boolean aborts);
}
