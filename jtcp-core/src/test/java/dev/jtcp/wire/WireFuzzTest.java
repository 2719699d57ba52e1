package dev.jtcp.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing of the packet views with Jazzer: IPv4 and IPv6 (with extension headers),
 * TCP with its options, UDP, ICMP and ICMPv6 and the packet an ICMP error quotes. In a normal test
 * run this replays the seed corpus in {@code src/test/resources/dev/jtcp/wire/WireFuzzTestInputs};
 * CI also fuzzes it for a moment, and {@code fuzz/campaign --minutes 10 WireFuzzTest} fuzzes it for
 * longer (docs/fuzzing.md). Any exception escaping a parser is a finding.
 */
class WireFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parsers(byte[] data) {
        parseEverything(data);
    }

    /** Runs bytes through every parser the receive path and the tools use. */
    static void parseEverything(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        IpPacket ip = new IpPacket();
        if (ip.wrap(b, 0, data.length).check() != null) {
            // Parse the bytes as a bare TCP segment and an ICMP message as well.
            tcp(b, 0, data.length, 0);
            new IcmpPacket().wrap(b, 0, data.length).check(0);
            return;
        }
        ip.src().toString();
        switch (ip.protocol()) {
            case IpProtocol.TCP -> tcp(b, ip.payloadOffset(), ip.payloadLength(), ip.pseudoHeaderSum());
            case IpProtocol.UDP -> new UdpPacket().wrap(b, ip.payloadOffset(), ip.payloadLength())
                    .check(ip.pseudoHeaderSum(), ip.version());
            case IpProtocol.ICMP, IpProtocol.ICMPV6 -> {
                IcmpPacket icmp = new IcmpPacket().wrap(b, ip.payloadOffset(), ip.payloadLength());
                if (icmp.check(ip.version() == 6 ? ip.pseudoHeaderSum() : 0) == null && icmp.isError(ip.version())) {
                    // An ICMP error quotes a packet: parse that too, as the stack will.
                    IpPacket inner = new IpPacket().wrap(b, icmp.bodyOffset(), icmp.bodyLength());
                    inner.check();
                }
            }
            default -> {
            }
        }
    }

    private static void tcp(ByteBuffer b, int offset, int length, long pseudo) {
        TcpPacket p = new TcpPacket().wrap(b, offset, length);
        if (p.check() == null) {
            p.verifyChecksum(pseudo);
            TcpSegment s = new TcpSegment();
            s.readFrom(p);
            s.toString();
            s.payloadBytes();
            p.decodeOptions().options().forEach(Object::toString);
        }
    }
}
