/**
 * The TCP engine of RFC 9293, sans-IO: the connection's TCB and state machine ({@link
 * dev.jtcp.tcp.TcpConnection}), LISTEN with its SYN and accept queues and SYN cookies ({@link
 * dev.jtcp.tcp.TcpListener}), the compact TIME-WAIT record, and the mechanisms the connection uses:
 * send and receive rings, RTT estimation, congestion control, SACK scoreboard, ISNs, challenge-ACK
 * throttling.
 *
 * <p>Read first: {@link dev.jtcp.tcp.TcpContext} (everything the engine needs from its host), then
 * {@link dev.jtcp.tcp.TcpConnection} beside RFC 9293 §3.10 (one method per event, SEGMENT ARRIVES in
 * the RFC's order of checks), then {@link dev.jtcp.tcp.TcpHandler} (what it tells the application).
 *
 * <p>Uses {@code event} and {@code wire} only: the engine never sees a host, a link or a thread. It
 * never sends, schedules or reads a clock itself; the host passes the time in and carries out what
 * the engine asks through {@code TcpContext}.
 *
 * <p>Thread-safety: none. One thread drives a host and every connection and listener on it.
 */
package dev.jtcp.tcp;
