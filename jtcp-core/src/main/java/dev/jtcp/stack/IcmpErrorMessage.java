package dev.jtcp.stack;

import dev.jtcp.tcp.TcpError;
import dev.jtcp.wire.IcmpPacket;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpProtocol;
import java.nio.ByteBuffer;

/**
 * A received ICMP or ICMPv6 error, read for TCP: what kind it is (RFC 9293 §3.9.2.2, RFC 5927) and
 * which of our segments it quotes. The quoted packet is the start of one we sent: its source is
 * our address and port, its destination the peer's, its sequence number one of ours.
 *
 * <p>Kinds: soft errors (ICMP destination unreachable codes 0, 1, 5, time exceeded, parameter
 * problem; ICMPv6 destination unreachable codes 0 and 3, time exceeded, parameter problem) must
 * not abort a connection (MUST-56); hard errors (ICMP destination unreachable codes 2 and 3, and
 * the administrative ones Linux also treats as fatal; ICMPv6 codes 1, 2, 4, 5, 6) should (SHLD-26),
 * which jtcp, like Linux (RFC 5461), does only while the connection is being established;
 * "fragmentation needed" and "packet too big" carry a path MTU (RFC 1191, RFC 8201). Source
 * quench is ignored (MUST-55).
 *
 * <p>Not thread-safe: a reusable flyweight, filled by {@link #read}.
 */
final class IcmpErrorMessage {
    /** What an error asks of TCP. */
    enum Kind { SOFT, HARD, PACKET_TOO_BIG, IGNORED }

    /** RFC 1191 §7 plateau table, for routers that do not say the next-hop MTU. */
    private static final int[] PLATEAUS = {32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    Kind kind;
    /** What the error means for a connection's user. */
    TcpError error;
    /** For {@link Kind#PACKET_TOO_BIG}: the MTU the router reported (or estimated from the plateaus). */
    int mtu;
    /** A short description for traces, e.g. "ICMP port unreachable". */
    String description;
    long localHi;
    long localLo;
    long remoteHi;
    long remoteLo;
    int localPort;
    int remotePort;
    /** The sequence number of the quoted segment. */
    int seq;

    /**
     * Reads an ICMP error of IP version {@code version} (its bytes in {@code buf}); returns false
     * if it is not an error, or quotes no TCP segment whose ports and sequence number can be read.
     */
    boolean read(int version, IcmpPacket icmp, ByteBuffer buf) {
        mtu = 0;
        classify(version, icmp.type(), icmp.code());
        if (kind == Kind.IGNORED) {
            return false;
        }
        if (kind == Kind.PACKET_TOO_BIG) {
            mtu = version == 4 ? icmp.v4NextHopMtu() : icmp.v6Mtu();
        }
        return readQuote(buf, icmp.bodyOffset(), icmp.bodyLength(), version);
    }

    private void classify(int version, int type, int code) {
        error = TcpError.UNREACHABLE;
        kind = Kind.IGNORED;
        if (version == 4) {
            switch (type) {
                case IcmpPacket.V4_DEST_UNREACHABLE -> {
                    switch (code) {
                        case 0 -> soft(TcpError.NO_ROUTE, "ICMP net unreachable");
                        case 1 -> soft(TcpError.UNREACHABLE, "ICMP host unreachable");
                        case 2 -> hard(TcpError.REFUSED, "ICMP protocol unreachable");
                        case 3 -> hard(TcpError.REFUSED, "ICMP port unreachable");
                        case 4 -> {
                            kind = Kind.PACKET_TOO_BIG;
                            description = "ICMP fragmentation needed";
                        }
                        case 5 -> soft(TcpError.UNREACHABLE, "ICMP source route failed");
                        case 6, 9 -> hard(TcpError.NO_ROUTE, "ICMP network unknown or prohibited");
                        case 11 -> soft(TcpError.NO_ROUTE, "ICMP net unreachable for TOS");
                        case 12 -> soft(TcpError.UNREACHABLE, "ICMP host unreachable for TOS");
                        default -> hard(TcpError.UNREACHABLE, "ICMP destination unreachable code " + code);
                    }
                }
                case IcmpPacket.V4_TIME_EXCEEDED -> soft(TcpError.UNREACHABLE, "ICMP time exceeded");
                case IcmpPacket.V4_PARAMETER_PROBLEM -> soft(TcpError.UNREACHABLE, "ICMP parameter problem");
                default -> {
                    // Source quench (4) and everything else: silently ignored (MUST-55).
                }
            }
            return;
        }
        switch (type) {
            case IcmpPacket.V6_DEST_UNREACHABLE -> {
                switch (code) {
                    case 0 -> soft(TcpError.NO_ROUTE, "ICMPv6 no route to destination");
                    case 3 -> soft(TcpError.UNREACHABLE, "ICMPv6 address unreachable");
                    case IcmpPacket.V6_CODE_PORT_UNREACHABLE -> hard(TcpError.REFUSED, "ICMPv6 port unreachable");
                    default -> hard(TcpError.UNREACHABLE, "ICMPv6 destination unreachable code " + code);
                }
            }
            case IcmpPacket.V6_PACKET_TOO_BIG -> {
                kind = Kind.PACKET_TOO_BIG;
                description = "ICMPv6 packet too big";
            }
            case IcmpPacket.V6_TIME_EXCEEDED -> soft(TcpError.UNREACHABLE, "ICMPv6 time exceeded");
            case IcmpPacket.V6_PARAMETER_PROBLEM -> soft(TcpError.UNREACHABLE, "ICMPv6 parameter problem");
            default -> {
            }
        }
    }

    private void soft(TcpError e, String what) {
        kind = Kind.SOFT;
        error = e;
        description = what;
    }

    private void hard(TcpError e, String what) {
        kind = Kind.HARD;
        error = e;
        description = what;
    }

    /** Finds the quoted IP header and the first 8 bytes of TCP after it (RFC 792, RFC 4443 §2.4(c)). */
    private boolean readQuote(ByteBuffer b, int at, int length, int version) {
        if (length < 1 || ((b.get(at) & 0xFF) >>> 4) != version) {
            return false;
        }
        int end = at + length;
        int tcpAt;
        if (version == 4) {
            if (length < 20) {
                return false;
            }
            int ihl = (b.get(at) & 0x0F) * 4;
            if (ihl < 20 || (b.get(at + 9) & 0xFF) != IpProtocol.TCP) {
                return false;
            }
            localHi = 0;
            localLo = 0x0000_FFFF_0000_0000L | (b.getInt(at + 12) & 0xFFFF_FFFFL);
            remoteHi = 0;
            remoteLo = 0x0000_FFFF_0000_0000L | (b.getInt(at + 16) & 0xFFFF_FFFFL);
            tcpAt = at + ihl;
            if (mtu == 0 && kind == Kind.PACKET_TOO_BIG) {
                mtu = plateauBelow(b.getShort(at + 2) & 0xFFFF);
            }
        } else {
            if (length < 40) {
                return false;
            }
            localHi = b.getLong(at + 8);
            localLo = b.getLong(at + 16);
            remoteHi = b.getLong(at + 24);
            remoteLo = b.getLong(at + 32);
            int next = b.get(at + 6) & 0xFF;
            tcpAt = at + 40;
            // Walk extension headers to TCP (RFC 8200 §4).
            while (next != IpProtocol.TCP) {
                if (tcpAt + 8 > end) {
                    return false;
                }
                int len = switch (next) {
                    case IpProtocol.HOP_BY_HOP, IpProtocol.IPV6_ROUTING, IpProtocol.IPV6_DEST_OPTS ->
                            ((b.get(tcpAt + 1) & 0xFF) + 1) * 8;
                    case IpProtocol.IPV6_FRAGMENT -> 8;
                    case IpProtocol.AH -> ((b.get(tcpAt + 1) & 0xFF) + 2) * 4;
                    default -> -1;
                };
                if (len < 0) {
                    return false;
                }
                next = b.get(tcpAt) & 0xFF;
                tcpAt += len;
            }
        }
        if (tcpAt + 8 > end) {
            return false;
        }
        localPort = b.getShort(tcpAt) & 0xFFFF;
        remotePort = b.getShort(tcpAt + 2) & 0xFFFF;
        seq = b.getInt(tcpAt + 4);
        return true;
    }

    private static int plateauBelow(int length) {
        for (int p : PLATEAUS) {
            if (p < length) {
                return p;
            }
        }
        return 68;
    }

    IpAddress local() {
        return new IpAddress(localHi, localLo);
    }

    IpAddress remote() {
        return new IpAddress(remoteHi, remoteLo);
    }
}
