package dev.jtcp.tcp;

import dev.jtcp.event.TcpState;

/**
 * The settings an application may change on one connection, like socket options: no-delay
 * (TCP_NODELAY), keep-alive (SO_KEEPALIVE), the Diffserv octet (IP_TOS), the user timeout
 * (TCP_USER_TIMEOUT, R2), the MSS cap (TCP_MAXSEG), soft error reports, and the buffer sizes
 * (SO_SNDBUF, SO_RCVBUF). {@link TcpConnection} exposes them and applies what a change implies
 * (timers, the effective MSS); here they are held and checked.
 *
 * <p>Not thread-safe: driven by the one thread that runs its host.
 */
final class ConnectionOptions {
    /** Nagle's algorithm is off (RFC 9293 §3.7.4, SHLD-7 lets the application turn it off). */
    boolean noDelay;
    /** TCP_CORK (Linux): a last piece shorter than the MSS waits until uncorked, even with nothing in flight. */
    boolean cork;
    /** Set while one send runs with MSG_MORE (Linux): its last short piece waits as under {@link #cork}. */
    boolean moreThisSend;
    /** The latest send had MSG_MORE: a segment ending at {@link #noPushEnd} carries no PSH. */
    boolean noPush;
    int noPushEnd;
    /** One send-loop run ignores {@link #cork} (Linux's TCP_NAGLE_PUSH, after TCP_NODELAY is set). */
    boolean pushOnce;
    /** TCP_NOTSENT_LOWAT (Linux) for this connection, > 0; 0 = the host's {@link TcpConfig#notSentLowatBytes()}. */
    int notSentLowat;
    /** Keep-alive probes are on (MUST-24; off by default, MUST-25). */
    boolean keepAlive;
    /** Linux's quick-ACK mode may run ({@link TcpConfig#quickAck()}; TCP_QUICKACK 0 turns it off). */
    boolean quickAck;
    /** The Diffserv/TOS octet for this connection's packets, 0..255 (MUST-48). */
    int tos;
    /** Soft errors are reported to the handler (SHLD-20: the application may turn them off). */
    boolean softErrorReports = true;
    /** R2 for this connection (MUST-21), ≥ 0; 0 = the configured default. */
    long r2Ns;
    /** TCP_MAXSEG: 0 when unset, else 88..65495; caps the MSS sent and advertised. */
    int userMss;
    /** R2 for the SYN of this connection (MUST-23; Linux's TCP_SYNCNT), ≥ 0; 0 = the configured default. */
    long synR2Ns;
    /** TCP_KEEPIDLE for this connection, > 0; 0 = the configured idle time. */
    long keepAliveIdleNs;

    void tos(int tos) {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("TOS must be 0..255, got " + tos);
        }
        this.tos = tos;
    }

    void userTimeout(long timeoutNs) {
        if (timeoutNs < 0) {
            throw new IllegalArgumentException("user timeout must not be negative");
        }
        r2Ns = timeoutNs;
    }

    void maxSegmentSize(int mss) {
        if (mss != 0 && (mss < 88 || mss > 65495)) {
            throw new IllegalArgumentException("MSS must be 0 or between 88 and 65495, got " + mss);
        }
        userMss = mss;
    }

    /**
     * Resizes the send buffer (SO_SNDBUF); it may not shrink below buffered data. An explicit size
     * turns send-buffer autotuning off, as in Linux.
     */
    static void sendBufferSize(SendBuffer buf, int bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("send buffer must be at least 1024 bytes");
        }
        buf.setExplicitly(bytes);
    }

    /**
     * Resizes the receive buffer (SO_RCVBUF); only before the handshake, as the window scale depends
     * on it. An explicit size turns receive-buffer autotuning off, as in Linux.
     */
    static void receiveBufferSize(ReceiveBuffer buf, TcpState state, int bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("receive buffer must be at least 1024 bytes");
        }
        if (state != TcpState.CLOSED && state != TcpState.LISTEN) {
            throw new IllegalStateException("the receive buffer can only be sized before the connection opens");
        }
        buf.resize(bytes);
    }

    /** R2 in {@code state}: the application's (MUST-21), else for a SYN (MUST-23) or data (SHLD-11). */
    long r2Ns(TcpState state, TcpConfig cfg) {
        if (r2Ns > 0) {
            return r2Ns;
        }
        return state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED
                ? (synR2Ns > 0 ? synR2Ns : cfg.synRetransmitTimeoutNs()) : cfg.r2TimeoutNs();
    }
}
