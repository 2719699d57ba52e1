package dev.jtcp.script;

import dev.jtcp.wire.Checksum;
import dev.jtcp.wire.IcmpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.Ipv4Packet;
import dev.jtcp.wire.Ipv6Packet;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * An inbound ICMP error line, {@code < icmp TYPE [CODE] [mtu N] [[start:end(len)]]}, as packetdrill
 * sends it: from the script's address to the stack's, quoting the IP header and the TCP header of
 * a segment the stack sent on the connection under test. The quoted sequence number is the
 * script's {@code start} on the stack's side (0 when the line names none: the stack's ISN), which
 * the stack checks against its send window (RFC 5927).
 *
 * @param type    the ICMP (or ICMPv6) type
 * @param code    the code
 * @param mtu     the MTU a "fragmentation needed" or "packet too big" reports, else 0
 * @param start   the quoted segment's sequence number, relative to the stack's ISN
 * @param length  the quoted segment's payload length
 */
record IcmpLine(int type, int code, int mtu, long start, int length) {
    private static final Map<String, Integer> V4_TYPES = Map.of("echo_reply", 0, "unreachable", 3,
            "source_quench", 4, "redirect", 5, "echo_request", 8, "time_exceeded", 11, "parameter_problem", 12);
    private static final Map<String, Integer> V6_TYPES = Map.of("unreachable", 1, "packet_too_big", 2,
            "time_exceeded", 3, "parameter_problem", 4, "echo_request", 128, "echo_reply", 129);
    private static final String[] V4_UNREACHABLE_CODES = {"net_unreachable", "host_unreachable",
        "protocol_unreachable", "port_unreachable", "frag_needed", "source_route_failed", "net_unknown",
        "host_unknown", "source_host_isolated", "net_prohibited", "host_prohibited", "net_unreachable_for_tos",
        "host_unreachable_for_tos", "packet_filtered", "precedence_violation", "precedence_cutoff"};
    private static final String[] V6_UNREACHABLE_CODES = {"no_route", "admin_prohibited", "beyond_scope",
        "address_unreachable", "port_unreachable"};

    /** Parses the normalised text of a {@link Script.OtherPacket} ({@code icmp unreachable frag_needed mtu 800 [0:10(10)]}). */
    static IcmpLine parse(int line, String text, boolean v4) {
        String[] w = text.strip().split("\\s+");
        int k = 1;
        if (w.length < 2) {
            throw new ScriptUnsupportedException(line, "icmp line without a type: " + text);
        }
        Integer type = named(w[k++], v4 ? V4_TYPES : V6_TYPES, "type_");
        if (type == null) {
            throw new ScriptUnsupportedException(line, "ICMP" + (v4 ? "" : "v6") + " type " + w[1] + " is not known");
        }
        int code = 0;
        if (k < w.length && !w[k].equals("mtu") && !w[k].startsWith("[")) {
            String c = w[k++];
            String[] codes = type == (v4 ? IcmpPacket.V4_DEST_UNREACHABLE : IcmpPacket.V6_DEST_UNREACHABLE)
                    ? (v4 ? V4_UNREACHABLE_CODES : V6_UNREACHABLE_CODES) : new String[0];
            code = -1;
            for (int i = 0; i < codes.length; i++) {
                if (codes[i].equals(c)) {
                    code = i;
                }
            }
            if (code < 0) {
                Integer n = number(c.startsWith("code_") ? c.substring(5) : c);
                if (n == null || n > 255) {
                    throw new ScriptUnsupportedException(line, "ICMP code " + c + " is not known for type " + w[1]);
                }
                code = n;
            }
        }
        int mtu = 0;
        if (k + 1 < w.length && w[k].equals("mtu")) {
            mtu = Integer.parseInt(w[k + 1]);
            k += 2;
        }
        long start = 0;
        int length = 0;
        if (k < w.length) {
            String q = String.join("", java.util.Arrays.copyOfRange(w, k, w.length));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[(\\d+):(\\d+)\\((\\d+)\\)]").matcher(q);
            if (!m.matches()) {
                throw new ScriptUnsupportedException(line, "the quoted packet " + q + " is not a TCP segment");
            }
            start = Long.parseLong(m.group(1));
            length = Integer.parseInt(m.group(3));
        }
        return new IcmpLine(type, code, mtu, start, length);
    }

    private static Integer named(String word, Map<String, Integer> names, String numericPrefix) {
        Integer n = names.get(word);
        return n != null ? n : word.startsWith(numericPrefix) ? number(word.substring(numericPrefix.length())) : null;
    }

    private static Integer number(String s) {
        return s.matches("\\d{1,3}") ? Integer.valueOf(s) : null;
    }

    /**
     * The whole IP packet: the error from the script's address to the stack's, quoting the stack's
     * segment {@code [liveSeq...]} (IP header and 20-byte TCP header, as a router quotes them).
     */
    byte[] build(Endpoints ends, int liveSeq) {
        boolean v4 = ends.isV4();
        int innerIp = v4 ? Ipv4Packet.HEADER_LENGTH : Ipv6Packet.HEADER_LENGTH;
        int quoted = innerIp + 20;
        int icmpLength = IcmpPacket.HEADER_LENGTH + quoted;
        int outerIp = innerIp;
        ByteBuffer b = ByteBuffer.allocate(outerIp + icmpLength);
        int proto = v4 ? IpProtocol.ICMP : IpProtocol.ICMPV6;
        if (v4) {
            new Ipv4Packet().writeHeader(b, 0, 0, outerIp + icmpLength, 0, 64, proto, ends.remote.v4(), ends.local.v4());
        } else {
            new Ipv6Packet().writeHeader(b, 0, 0, 0, icmpLength, proto, 64, ends.remote, ends.local);
        }
        int i = outerIp;
        b.put(i, (byte) type);
        b.put(i + 1, (byte) code);
        if (v4) {
            b.putShort(i + 6, (short) mtu); // RFC 1191: next-hop MTU in the low 16 bits
        } else {
            b.putInt(i + 4, mtu); // RFC 4443 §3.2 (0 for the other types' unused field)
        }
        int q = i + IcmpPacket.HEADER_LENGTH;
        int innerLength = 20 + length;
        if (v4) {
            new Ipv4Packet().writeHeader(b, q, 0, innerIp + innerLength, 0, 64, IpProtocol.TCP, ends.local.v4(),
                    ends.remote.v4());
        } else {
            new Ipv6Packet().writeHeader(b, q, 0, 0, innerLength, IpProtocol.TCP, 64, ends.local, ends.remote);
        }
        int t = q + innerIp;
        b.putShort(t, (short) ends.localPort);
        b.putShort(t + 2, (short) ends.remotePort);
        b.putInt(t + 4, liveSeq);
        b.putShort(t + 12, (short) (5 << 12 | 0x18));
        long sum = Checksum.sum(b, i, icmpLength);
        if (!v4) {
            sum += Checksum.pseudoHeader(ends.remote, ends.local, proto, icmpLength);
        }
        b.putShort(i + 2, (short) Checksum.finish(sum));
        return b.array();
    }
}
