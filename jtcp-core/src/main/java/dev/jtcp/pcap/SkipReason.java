package dev.jtcp.pcap;

/**
 * Why the capture reader skipped a packet or a block, or why it stopped reading.
 *
 * <p>Reasons with {@link #endsReading()} false are per packet or per block: the reader returns the
 * packet with this reason instead of an IP view (or, for {@link #UNKNOWN_BLOCK}, steps over the
 * block) and goes on. Reasons with {@link #endsReading()} true describe damage the reader cannot
 * step over safely; it stops there, having returned every packet before the damage.
 *
 * <p>Thread-safety: immutable, safe for use from any thread.
 */
public enum SkipReason {
    /** The link header names a protocol other than IPv4/IPv6, or the version nibble disagrees. */
    NOT_IP("non-IP", false),
    /** The captured bytes end inside the link-layer header, or nothing follows it. */
    SHORT_FRAME("shorter than its link header", false),
    /** The packet's link type is not one of {@link LinkType}'s. */
    UNSUPPORTED_LINK_TYPE("unsupported link type", false),
    /** A pcapng packet names an interface that its section has not described. */
    UNKNOWN_INTERFACE("undeclared interface", false),
    /** A pcapng packet's captured length runs past the end of its block. */
    BAD_CAPTURED_LENGTH("captured length past block end", false),
    /** A pcapng block of a type this reader does not know; it was stepped over. */
    UNKNOWN_BLOCK("unknown block type", false),
    /** The file starts with neither a pcap magic number nor a pcapng section header. */
    BAD_MAGIC("not a pcap or pcapng file", true),
    /** A pcap file header or pcapng section header of an unsupported version. */
    BAD_HEADER("unsupported file version", true),
    /** A record or block length that is too small, unaligned, oversized or inconsistent. */
    BAD_LENGTH("bad record length", true),
    /** The file ends inside a header, record or block. */
    TRUNCATED_FILE("truncated file tail", true);

    private final String description;
    private final boolean endsReading;

    SkipReason(String description, boolean endsReading) {
        this.description = description;
        this.endsReading = endsReading;
    }

    /** A short phrase for summaries such as "3 non-IP, 1 truncated file tail". */
    public String description() {
        return description;
    }

    /** Whether the reader stops at this reason rather than skipping one packet or block. */
    public boolean endsReading() {
        return endsReading;
    }
}
