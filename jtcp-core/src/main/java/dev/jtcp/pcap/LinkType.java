package dev.jtcp.pcap;

/**
 * The link-layer header types (LINKTYPE_ values) that the capture reader decodes down to the IP
 * header, from <a href="https://www.tcpdump.org/linktypes.html">tcpdump.org/linktypes.html</a>.
 *
 * <pre>
 * NULL (0)        | address family, 4 bytes, byte order of the capturing host | IP ...
 *                   2 = IPv4; 24, 28, 30 = IPv6 (NetBSD/OpenBSD, FreeBSD, Darwin)
 * ETHERNET (1)    | destination 6 | source 6 | [TPID 0x8100/0x88a8 + TCI]* | ethertype 2 | IP ...
 * RAW (101)       | IPv4 or IPv6 header, told apart by the version nibble ...
 * LINUX_SLL (113) | packet type 2 | ARPHRD 2 | address length 2 | address 8 | protocol 2 | IP ...
 * IPV4 (228)      | IPv4 header ...
 * IPV6 (229)      | IPv6 header ...
 * LINUX_SLL2(276) | protocol 2 | reserved 2 | interface index 4 | ARPHRD 2 | packet type 1
 *                 | address length 1 | address 8 | IP ...
 * </pre>
 *
 * <p>Link types are plain {@code int}s in capture files, so these are constants rather than an
 * enum: a file may carry any value, and an unknown value must survive to the caller.
 *
 * <p>Thread-safety: stateless, safe for use from any thread.
 */
public final class LinkType {
    /** BSD loopback encapsulation: a 4-byte address family in the capturing host's byte order. */
    public static final int NULL = 0;
    /** IEEE 802.3 Ethernet, optionally with 802.1Q / 802.1ad VLAN tags. */
    public static final int ETHERNET = 1;
    /** Raw IP: the packet starts with an IPv4 or IPv6 header. */
    public static final int RAW = 101;
    /** Linux "cooked" capture v1: a 16-byte header with the protocol at offset 14. */
    public static final int LINUX_SLL = 113;
    /** Raw IPv4 only. */
    public static final int IPV4 = 228;
    /** Raw IPv6 only. */
    public static final int IPV6 = 229;
    /** Linux "cooked" capture v2: a 20-byte header with the protocol at offset 0. */
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    /**
     * Returns the registry name of a link type, or {@code LINKTYPE_<number>} for one this package
     * does not decode.
     */
    public static String name(int linkType) {
        return switch (linkType) {
            case NULL -> "NULL";
            case ETHERNET -> "ETHERNET";
            case RAW -> "RAW";
            case LINUX_SLL -> "LINUX_SLL";
            case IPV4 -> "IPV4";
            case IPV6 -> "IPV6";
            case LINUX_SLL2 -> "LINUX_SLL2";
            default -> "LINKTYPE_" + linkType;
        };
    }
}
