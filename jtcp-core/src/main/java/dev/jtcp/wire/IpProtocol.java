package dev.jtcp.wire;

/**
 * IANA protocol numbers used in the IPv4 Protocol and IPv6 Next Header fields.
 *
 * <p>Thread-safe: constants only.
 */
public final class IpProtocol {
    private IpProtocol() {}

    /** IPv6 Hop-by-Hop Options extension header (RFC 8200 §4.3). */
    public static final int HOP_BY_HOP = 0;
    /** ICMP for IPv4 (RFC 792). */
    public static final int ICMP = 1;
    /** TCP (RFC 9293). */
    public static final int TCP = 6;
    /** UDP (RFC 768). */
    public static final int UDP = 17;
    /** IPv6 Routing extension header (RFC 8200 §4.4). */
    public static final int IPV6_ROUTING = 43;
    /** IPv6 Fragment extension header (RFC 8200 §4.5). */
    public static final int IPV6_FRAGMENT = 44;
    /** Encapsulating Security Payload (RFC 4303); its payload cannot be walked. */
    public static final int ESP = 50;
    /** Authentication Header (RFC 4302); length in 4-octet units minus 2. */
    public static final int AH = 51;
    /** ICMP for IPv6 (RFC 4443). */
    public static final int ICMPV6 = 58;
    /** IPv6 No Next Header (RFC 8200 §4.7). */
    public static final int IPV6_NO_NEXT = 59;
    /** IPv6 Destination Options extension header (RFC 8200 §4.6). */
    public static final int IPV6_DEST_OPTS = 60;

    /** A short name for printing ("tcp", "icmp", or the number). */
    public static String name(int protocol) {
        return switch (protocol) {
            case ICMP -> "icmp";
            case TCP -> "tcp";
            case UDP -> "udp";
            case ICMPV6 -> "icmp6";
            default -> Integer.toString(protocol);
        };
    }
}
