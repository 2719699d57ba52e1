package dev.jtcp.tcp;

/**
 * Why a connection failed or a call was refused, in RFC 9293's words (§3.10) with the POSIX errno a
 * socket API would report. Resets, refusals and timeouts are told apart (MUST-12 region: the user is
 * informed of each distinctly).
 */
public enum TcpError {
    /** RST answering our SYN (§3.10.7.3), or ICMP port unreachable while connecting. */
    REFUSED("connection refused", "ECONNREFUSED"),
    /** RST in a synchronized state (§3.10.7.4). */
    RESET("connection reset", "ECONNRESET"),
    /** Retransmissions exhausted (R2), user timeout, or keep-alive probes unanswered. */
    TIMED_OUT("connection timed out", "ETIMEDOUT"),
    /** ICMP host or network unreachable (a hard error while connecting, RFC 5927). */
    UNREACHABLE("host unreachable", "EHOSTUNREACH"),
    /** The local application aborted the connection. */
    ABORTED("connection aborted", "ECONNABORTED"),
    /** SEND after CLOSE, or after the connection was reset (§3.10.2). */
    CLOSING("connection closing", "EPIPE"),
    /** A call that needs a connection made on one that is not connected (yet). */
    NOT_CONNECTED("connection does not exist", "ENOTCONN"),
    /** OPEN on a connection that is already open (§3.10.1). */
    ALREADY_OPEN("connection already exists", "EISCONN"),
    /** The 4-tuple or the local port is in use. */
    ADDRESS_IN_USE("address already in use", "EADDRINUSE"),
    /** OPEN to a broadcast or multicast address (MUST-46) or another unusable address. */
    BAD_ADDRESS("address not usable for TCP", "EADDRNOTAVAIL"),
    /** No route to the destination. */
    NO_ROUTE("network unreachable", "ENETUNREACH"),
    /** Out of ephemeral ports or other resources (§3.10.1 "insufficient resources"). */
    INSUFFICIENT_RESOURCES("insufficient resources", "ENOBUFS");

    private final String message;
    private final String errno;

    TcpError(String message, String errno) {
        this.message = message;
        this.errno = errno;
    }

    /** The RFC's phrase, e.g. "connection reset". */
    public String message() {
        return message;
    }

    /** The POSIX errno name, e.g. {@code ECONNRESET}. */
    public String errno() {
        return errno;
    }
}
