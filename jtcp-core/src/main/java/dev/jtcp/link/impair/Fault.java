package dev.jtcp.link.impair;

/**
 * A fault a {@link FaultInjector} applied to a packet it still delivers (drops are {@link DropCause}s).
 *
 * <p>Thread-safety: immutable.
 */
public enum Fault {
    /** A second copy of the packet is delivered right after the first. */
    DUPLICATED,
    /** Bits of one byte were flipped; the receiver should find a bad checksum. */
    CORRUPTED,
    /** The packet was held back by the reorder delay so that later packets overtake it. */
    REORDERED,
    /** An ECN-capable packet was marked Congestion Experienced (RFC 3168) instead of being dropped. */
    CE_MARKED
}
