package dev.jtcp.link.impair;

/**
 * Why a packet was discarded before reaching a host. Reported to fault-injector outputs, simulator
 * taps and counters.
 *
 * <p>Thread-safety: immutable.
 */
public enum DropCause {
    /** Lost on the link: random (Bernoulli) or burst (Gilbert–Elliott) loss. */
    LOSS,
    /** Tail-dropped because a rate-limited link's queue was full. */
    QUEUE_FULL,
    /** A router had no route for the destination address. */
    NO_ROUTE,
    /** Not an IPv4 or IPv6 packet, or too short to hold its fixed header. */
    NOT_IP
}
