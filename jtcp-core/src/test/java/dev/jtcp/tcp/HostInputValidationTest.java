package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.Checksum;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the host checks before the engine sees a segment: the checksum (MUST-2, MUST-3) and the
 * option area (MUST-4..7, MUST-64), with each drop counted.
 */
class HostInputValidationTest {
    /** Offset of the TCP header in an IPv4 packet written by {@link ScriptedPeer#packet}. */
    private static final int TCP = 20;

    /** A SYN whose 12-byte option area (NOP, NOP, timestamps) the test then overwrites. */
    private static byte[] synWithOptions(ScriptedPeer p, int... options) {
        byte[] pkt = p.packet(seg(SYN).seq(IRS).ts(1, 0), ScriptedPeer.REMOTE, ScriptedPeer.LOCAL);
        assertThat(pkt.length).isEqualTo(TCP + 20 + 12);
        assertThat(options).hasSize(12);
        for (int i = 0; i < options.length; i++) {
            pkt[TCP + 20 + i] = (byte) options[i];
        }
        fixChecksum(pkt);
        return pkt;
    }

    private static void fixChecksum(byte[] pkt) {
        ByteBuffer b = ByteBuffer.wrap(pkt);
        int tcpLength = pkt.length - TCP;
        b.putShort(TCP + 16, (short) 0);
        long sum = Checksum.pseudoHeader(ScriptedPeer.REMOTE, ScriptedPeer.LOCAL, IpProtocol.TCP, tcpLength)
                + Checksum.sum(b, TCP, tcpLength);
        b.putShort(TCP + 16, (short) Checksum.finish(sum));
    }

    @Test
    @Requirement("MUST-3")
    void dropsAndCountsASegmentWithABadChecksum() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        byte[] data = p.packet(seg(ACK).seq(IRS + 1).ack(ISS + 1).data("payload"), ScriptedPeer.REMOTE,
                ScriptedPeer.LOCAL);
        data[data.length - 1] ^= 0x01;
        p.injectRaw(data);
        byte[] syn = p.packet(seg(SYN).seq(IRS).mss(1460).ports(40001, 80), ScriptedPeer.REMOTE, ScriptedPeer.LOCAL);
        syn[TCP + 14] ^= 0x10; // the window field
        p.injectRaw(syn);
        p.advance(1_000_000_000L);
        p.expectNothingSent();
        assertThat(c.readable()).isZero();
        assertThat(p.host.connectionCount()).isEqualTo(1);
        assertThat(p.host.drops().get(DropReason.TCP_BAD_CHECKSUM)).isEqualTo(2);
        // The same segment with its checksum intact is taken.
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).data("payload"));
        assertThat(c.readable()).isEqualTo(7);
    }

    @Test
    @Requirement("MUST-2")
    void checksumsEverySegmentItSendsOverIpv4AndIpv6() {
        for (boolean v6 : new boolean[] {false, true}) {
            ScriptedPeer p = Scripted.peer(TcpConfig.defaults());
            p.host.addAddress("fd00::2/64");
            IpAddress remote = v6 ? IpAddress.parse("fd00::1") : ScriptedPeer.REMOTE;
            IpAddress local = v6 ? IpAddress.parse("fd00::2") : ScriptedPeer.LOCAL;
            List<Boolean> verified = new ArrayList<>();
            IpPacket ip = new IpPacket();
            TcpPacket tcp = new TcpPacket();
            p.host.attach(pkt -> {
                assertThat(ip.wrap(pkt, pkt.position(), pkt.remaining()).check()).isNull();
                tcp.wrap(pkt, ip.payloadOffset(), ip.payloadLength());
                verified.add(tcp.verifyChecksum(ip.pseudoHeaderSum()));
            });
            TcpListener l = p.host.listen(0, 80, 8);
            p.inject(seg(SYN).seq(IRS).mss(1460).ts(1, 0).sackOk().wscale(7), remote, local);
            p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1), remote, local);
            TcpConnection c = l.accept();
            c.send(p.now(), Scripted.bytes(20_001));
            p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).data(333), remote, local);
            p.inject(seg(ACK).seq(IRS + 2000).ack(ISS + 1).data(7), remote, local); // out of order: SACK
            c.close(p.now());
            p.advance(3_000_000_000L);
            assertThat(verified).hasSizeGreaterThan(10).containsOnly(true);
        }
    }

    @Test
    @Requirement("MUST-50")
    void ignoresIpOptionsItDoesNotUnderstand() {
        ScriptedPeer p = Scripted.peer();
        p.host.listen(0, 80, 8);
        byte[] plain = p.packet(seg(SYN).seq(IRS).mss(1460), ScriptedPeer.REMOTE, ScriptedPeer.LOCAL);
        // Insert an empty Record Route option (type 7, length 3, pointer 4) and an EOL: IHL 6.
        byte[] pkt = new byte[plain.length + 4];
        System.arraycopy(plain, 0, pkt, 0, 20);
        pkt[20] = 7;
        pkt[21] = 3;
        pkt[22] = 4;
        pkt[23] = 0;
        System.arraycopy(plain, 20, pkt, 24, plain.length - 20);
        ByteBuffer b = ByteBuffer.wrap(pkt);
        b.put(0, (byte) 0x46).putShort(2, (short) pkt.length).putShort(10, (short) 0);
        b.putShort(10, (short) Checksum.finish(Checksum.sum(b, 0, 24)));
        p.injectRaw(pkt);
        ScriptedPeer.Sent synAck = p.next();
        assertThat(synAck.is(SYN | ACK)).as("%s", synAck).isTrue();
        assertThat(synAck.ack()).as("%s", synAck).isEqualTo(IRS + 1);
        assertThat(p.host.drops().total()).isZero();
    }

    @Test
    @Requirement("MUST-7")
    void dropsAndCountsSegmentsWithIllegalOptionLengths() {
        ScriptedPeer p = Scripted.peer();
        p.host.listen(0, 80, 8);
        int[][] bad = {
            {2, 0, 5, 0xB4, 1, 1, 1, 1, 1, 1, 1, 1}, // length 0
            {1, 2, 1, 5, 0xB4, 1, 1, 1, 1, 1, 1, 1}, // length 1
            {1, 1, 1, 1, 1, 1, 1, 1, 8, 10, 0, 0}, // runs past the header
            {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 99}, // a kind with no room for its length
        };
        for (int[] options : bad) {
            p.injectRaw(synWithOptions(p, options));
        }
        p.expectNothingSent();
        assertThat(p.host.connectionCount()).isZero();
        assertThat(p.host.drops().get(DropReason.TCP_BAD_OPTION_LENGTH)).isEqualTo(bad.length);
    }

    @Test
    @Requirement({"MUST-4", "MUST-5", "MUST-6", "MUST-64", "MUST-68"})
    void ignoresUnknownOptionsAndReadsOptionsAtAnyAlignment() {
        ScriptedPeer p = Scripted.peer();
        TcpListener l = p.host.listen(0, 80, 8);
        // Unknown kind 99 (3 bytes), then MSS 1280 at an odd offset, NOP, then EOL padding.
        p.injectRaw(synWithOptions(p, 99, 3, 0xAA, 2, 4, 0x05, 0x00, 1, 0, 0, 0, 0));
        ScriptedPeer.Sent synAck = p.next();
        assertThat(synAck.is(SYN | ACK)).isTrue();
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        TcpConnection c = l.accept();
        assertThat(c.status().peerMss()).isEqualTo(1280);
        // Options on a data segment too, unknown ones included (MUST-5, MUST-6).
        byte[] data = p.packet(seg(ACK).seq(IRS + 1).ack(ISS + 1).ts(5, 0).data("abc"), ScriptedPeer.REMOTE,
                ScriptedPeer.LOCAL);
        int[] options = {1, 77, 4, 0xDE, 0xAD, 1, 1, 1, 1, 1, 1, 0};
        for (int i = 0; i < options.length; i++) {
            data[TCP + 20 + i] = (byte) options[i];
        }
        fixChecksum(data);
        p.injectRaw(data);
        assertThat(c.readable()).isEqualTo(3);
        assertThat(p.host.drops().total()).isZero();
    }
}
