package dev.jtcp.event;

/** The timers a connection runs (RFC 9293 §3.8, RFC 6298, RFC 1122 §4.2.3.6). */
public enum TimerKind {
    /** Retransmission of SYN, SYN-ACK, FIN or data (RFC 6298). */
    RETRANSMISSION("RTO"),
    /** Zero-window probing (RFC 9293 §3.8.6.1). */
    PERSIST("persist"),
    /** Delayed acknowledgment (RFC 9293 §3.8.6.3). */
    DELAYED_ACK("delayed ACK"),
    /** Keep-alive idle time and probe interval (RFC 9293 §3.8.4). */
    KEEPALIVE("keep-alive"),
    /** TIME-WAIT, 2×MSL (RFC 9293 §3.4.2). */
    TIME_WAIT("2MSL"),
    /** The user timeout of OPEN/SEND (RFC 9293 §3.10.8, RFC 5482). */
    USER_TIMEOUT("user timeout"),
    /** How long FIN-WAIT-2 waits for the peer's FIN once the application has gone (like Linux's tcp_fin_timeout). */
    FIN_WAIT_2("FIN-WAIT-2 timeout"),
    /** When a paced sender may send its next segment (draft-ietf-ccwg-bbr §4.6.2). */
    PACING("pacing");

    private final String label;

    TimerKind(String label) {
        this.label = label;
    }

    /** The short name used in diagrams ("RTO", "2MSL"). */
    public String label() {
        return label;
    }
}
