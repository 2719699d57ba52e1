package dev.jtcp.wire;

/**
 * Why a packet was dropped, at any layer. Parsers return one of these instead of throwing; the host
 * stack and the engine count them ({@code DropCounters}) and report them in traces.
 *
 * <p>Each constant carries a short human description used in counters and ladder diagrams.
 */
public enum DropReason {
    // ---- IP (RFC 791, RFC 8200) ----
    /** Fewer bytes than a minimal IP header. */
    IP_TRUNCATED("IP header truncated"),
    /** Version nibble neither 4 nor 6. */
    IP_BAD_VERSION("IP version not 4 or 6"),
    /** IPv4 IHL below 5 or past the end of the packet. */
    IPV4_BAD_HEADER_LENGTH("IPv4 header length invalid"),
    /** IPv4 Total Length shorter than its header or longer than the bytes received. */
    IPV4_BAD_TOTAL_LENGTH("IPv4 total length invalid"),
    /** IPv4 header checksum does not verify. */
    IPV4_BAD_CHECKSUM("IPv4 header checksum bad"),
    /** IPv6 Payload Length longer than the bytes received. */
    IPV6_BAD_PAYLOAD_LENGTH("IPv6 payload length invalid"),
    /** An IPv6 extension header runs past the end of the packet. */
    IPV6_BAD_EXTENSION_HEADER("IPv6 extension header invalid"),
    /** IPv6 No Next Header, or ESP whose payload cannot be read. */
    IPV6_NO_UPPER_LAYER("IPv6 packet has no readable upper layer"),
    /** A fragment (IPv4 MF/offset, IPv6 Fragment header); jtcp does not reassemble. */
    IP_FRAGMENT("IP fragment (reassembly not supported)"),
    /** Source address is multicast, broadcast or otherwise unusable as a sender. */
    IP_BAD_SOURCE("IP source address invalid"),
    /** Destination is not an address of this host. */
    IP_NOT_FOR_US("IP destination not ours"),
    /** Destination is broadcast or multicast; TCP discards these (RFC 9293 §3.9.2.3, MUST-57). */
    IP_BROADCAST_OR_MULTICAST("TCP to broadcast/multicast address"),
    /** An upper-layer protocol this host does not implement. */
    IP_UNKNOWN_PROTOCOL("protocol not implemented"),

    // ---- ICMP (RFC 792, RFC 4443) ----
    /** ICMP message shorter than its fixed header. */
    ICMP_TRUNCATED("ICMP message truncated"),
    /** UDP datagram shorter than its header, or its length field disagrees with the IP payload. */
    UDP_TRUNCATED("UDP datagram truncated"),
    /** UDP checksum does not verify, or is zero over IPv6 (RFC 8200 §8.1). */
    UDP_BAD_CHECKSUM("UDP checksum bad"),
    /** UDP to a port nobody bound (answered with ICMP port unreachable when allowed). */
    UDP_NO_SOCKET("no UDP socket on the port"),
    /** UDP datagram for a socket whose receive queue is full. */
    UDP_QUEUE_FULL("UDP receive queue full"),
    /** ICMP checksum does not verify. */
    ICMP_BAD_CHECKSUM("ICMP checksum bad"),
    /** ICMP type this host ignores. */
    ICMP_UNHANDLED_TYPE("ICMP type not handled"),
    /** ICMP error quoting a packet that matches no connection or fails RFC 5927 checks. */
    ICMP_ERROR_REJECTED("ICMP error does not match a connection"),
    /** ICMP error quoting a sequence number outside the connection's send window (Linux's TcpExtOutOfWindowIcmps). */
    ICMP_OUT_OF_WINDOW("ICMP error quotes a sequence number outside SND.UNA..SND.MAX"),

    // ---- TCP header (RFC 9293 §3.1) ----
    /** Fewer than 20 bytes of TCP header. */
    TCP_TRUNCATED("TCP header truncated"),
    /** Data Offset below 5 or past the end of the segment. */
    TCP_BAD_DATA_OFFSET("TCP data offset invalid"),
    /** TCP checksum over the pseudo-header does not verify (MUST-3). */
    TCP_BAD_CHECKSUM("TCP checksum bad"),
    /** An option with a length of 0 or 1, or one running past the header (MUST-7). */
    TCP_BAD_OPTION_LENGTH("TCP option length invalid"),
    /** Source or destination port 0. */
    TCP_BAD_PORT("TCP port 0"),

    // ---- TCP engine (RFC 9293 §3.10.7) ----
    /** No connection and no listener; answered with RST when allowed (§3.10.7.1). */
    TCP_NO_CONNECTION("no connection or listener"),
    /** Failed the sequence-number acceptability test (§3.10.7.4 first check). */
    TCP_SEQ_NOT_ACCEPTABLE("sequence number not acceptable"),
    /** ACK field outside the acceptable range. */
    TCP_ACK_NOT_ACCEPTABLE("acknowledgment not acceptable"),
    /** Rejected by PAWS (RFC 7323 §5). */
    TCP_PAWS("PAWS: old timestamp"),
    /** A RST that did not match exactly and was answered with a challenge ACK, or ignored. */
    TCP_RST_NOT_ACCEPTED("RST not acceptable"),
    /** A segment without ACK in a synchronized state (§3.10.7.4 fifth check). */
    TCP_NO_ACK("ACK bit off"),
    /** Listener's SYN and accept queues full and no SYN cookies. */
    TCP_LISTEN_OVERFLOW("listen queue overflow"),
    /** Returning SYN-cookie ACK that does not validate. */
    TCP_BAD_COOKIE("SYN cookie invalid"),
    /** A segment the state machine discards for a reason not listed above. */
    TCP_DISCARDED("discarded by state machine"),
    /** A SYN for another host, held until the forwarder decides (see stack.AnyAddressAcceptor). */
    FORWARD_HELD("SYN held for the forwarder's decision"),
    /** A SYN for another host the forwarder refused; answered with RST. */
    FORWARD_REFUSED("refused by the forwarder"),
    /** A SYN for another host the forwarder found unreachable; answered with ICMP unreachable. */
    FORWARD_UNREACHABLE("unreachable, said the forwarder"),
    /** A SYN for another host past the forwarder's flow limit; answered with RST. */
    FORWARD_LIMIT("forwarded-flow limit reached");

    private final String description;

    DropReason(String description) {
        this.description = description;
    }

    /** A short human description, e.g. "TCP checksum bad". */
    public String description() {
        return description;
    }
}
