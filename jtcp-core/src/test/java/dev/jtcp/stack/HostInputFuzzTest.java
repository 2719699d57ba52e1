package dev.jtcp.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.Checksum;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Fuzzes the host's input path ({@link Host#onPacket}, then demux, the listener, the engine's
 * SEGMENT ARRIVES and ICMP error handling) with packets a peer or an attacker could send. Each run
 * builds a host with a listener on port 80, an established connection with data in flight
 * (198.18.0.1:40000) and a connection in SYN-SENT, then feeds it a sequence of packets the fuzzer
 * describes, with virtual time passing between them:
 * <ul>
 *   <li>raw bytes as an IP packet (the parsers' checks);
 *   <li>TCP segments with valid checksums into the established connection, the SYN-SENT one or the
 *       listener, with fuzzed flags, sequence and acknowledgment numbers near the live ones, window,
 *       urgent pointer, options and payload (the engine's checks; a valid checksum takes them past
 *       the parsers);
 *   <li>ICMP errors quoting the established connection (unreachable, packet too big, time exceeded).
 * </ul>
 * Nothing may throw, and every packet the host sends in answer must be well formed: an IP packet
 * that passes {@link IpPacket#check()}, carrying TCP with a correct checksum.
 * Corpus: {@code src/test/resources/dev/jtcp/stack/HostInputFuzzTestInputs/packets}.
 */
class HostInputFuzzTest {
    private static final IpAddress PEER = IpAddress.parse("198.18.0.1");
    private static final IpAddress US = IpAddress.parse("198.18.0.2");
    private static final int PEER_PORT = 40000;
    private static final long MS = 1_000_000L;

    /** One run's host and what it last sent. */
    private static final class Rig {
        final Host host;
        final ByteBuffer last = ByteBuffer.allocate(70_000);
        long now = 1_000 * MS;
        int sent;
        int ourIss;
        int synSentIss;
        int synSentPort;
        TcpConnection established;

        Rig() {
            host = new Host("fuzz", TcpConfig.defaults(), new SplittableRandom(7)).addAddress("198.18.0.2/24")
                    .addAddress("fd00::2/64");
            host.attach(this::onSent);
        }

        void onSent(ByteBuffer packet) {
            sent++;
            last.clear();
            last.put(packet.duplicate());
            last.flip();
            IpPacket ip = new IpPacket().wrap(last, 0, last.limit());
            assertThat(ip.check()).as("a packet the host sent").isNull();
            if (ip.protocol() == IpProtocol.TCP) {
                TcpPacket t = new TcpPacket().wrap(last, ip.payloadOffset(), ip.payloadLength());
                assertThat(t.check()).as("a TCP segment the host sent").isNull();
                assertThat(t.verifyChecksum(ip.pseudoHeaderSum())).as("its checksum").isTrue();
            }
        }

        TcpPacket lastTcp() {
            IpPacket ip = new IpPacket().wrap(last, 0, last.limit());
            ip.check();
            return new TcpPacket().wrap(last, ip.payloadOffset(), ip.payloadLength());
        }

        void deliver(byte[] packet) {
            host.onPacket(now, ByteBuffer.wrap(packet));
        }

        void advance(long ns) {
            now += ns;
            while (host.nextDeadlineNs() <= now) {
                host.onTimer(host.nextDeadlineNs());
            }
        }
    }

    @FuzzTest(maxDuration = "10s")
    void packets(FuzzedDataProvider data) {
        Rig rig = setUp();
        for (int i = 0; i < 48 && data.remainingBytes() > 0; i++) {
            switch (data.consumeInt(0, 5)) {
                case 0 -> rig.deliver(data.consumeBytes(data.consumeInt(0, 200)));
                case 1, 2 -> rig.deliver(segment(data, rig, 0));
                case 3 -> rig.deliver(segment(data, rig, 1));
                case 4 -> rig.deliver(segment(data, rig, 2));
                default -> rig.deliver(icmpError(data, rig));
            }
            rig.advance(data.consumeLong(0, 3_000 * MS));
        }
        // Whatever happened, time passing must not throw either.
        rig.advance(10 * 60_000 * MS);
    }

    /** A host with a listener, one established connection with 3000 bytes unacknowledged, one in SYN-SENT. */
    private static Rig setUp() {
        Rig rig = new Rig();
        TcpListener listener = rig.host.listen(0, 80, 16);
        rig.deliver(tcp(PEER, US, PEER_PORT, 80, 1000, 0, 0x02, 65535, 0, new byte[] {2, 4, 5, (byte) 0xb4, 4, 2, 1, 1},
                new byte[0], true));
        rig.ourIss = rig.lastTcp().seq();
        rig.deliver(tcp(PEER, US, PEER_PORT, 80, 1001, rig.ourIss + 1, 0x10, 65535, 0, new byte[0], new byte[0], true));
        rig.established = listener.accept();
        assertThat(rig.established).as("the handshake in the set-up: %d sent, drops %s", rig.sent,
                rig.host.drops().nonZero()).isNotNull();
        rig.established.send(rig.now, ByteBuffer.allocate(3000));
        TcpConnection synSent = rig.host.connect(rig.now, PEER, 9000);
        rig.synSentIss = rig.lastTcp().seq();
        rig.synSentPort = synSent.key().localPort();
        return rig;
    }

    /** A TCP segment with a valid checksum (unless the fuzzer says otherwise) to one of the three endpoints. */
    private static byte[] segment(FuzzedDataProvider data, Rig rig, int target) {
        int srcPort;
        int dstPort;
        int seq;
        int ack;
        switch (target) {
            case 0 -> {
                srcPort = PEER_PORT;
                dstPort = 80;
                seq = 1001 + data.consumeInt(-70_000, 70_000);
                ack = rig.ourIss + 1 + data.consumeInt(-70_000, 70_000);
            }
            case 1 -> {
                srcPort = 9000;
                dstPort = rig.synSentPort;
                seq = data.consumeInt();
                ack = rig.synSentIss + 1 + data.consumeInt(-3, 3);
            }
            default -> {
                srcPort = data.consumeInt(1, 65535);
                dstPort = data.consumeBoolean() ? 80 : data.consumeInt(0, 65535);
                seq = data.consumeInt();
                ack = data.consumeInt();
            }
        }
        int flags = data.consumeByte() & 0xff;
        int window = data.consumeInt(0, 65535);
        int urgent = data.consumeInt(0, 65535);
        byte[] options = data.consumeBytes(data.consumeInt(0, 40));
        byte[] payload = data.consumeBytes(data.consumeInt(0, 1460));
        boolean goodChecksum = data.consumeInt(0, 15) != 0;
        return tcp(PEER, US, srcPort, dstPort, seq, ack, flags, window, urgent, options, payload, goodChecksum);
    }

    /** An ICMP error quoting the start of a segment of the established connection, as routers send. */
    private static byte[] icmpError(FuzzedDataProvider data, Rig rig) {
        int type = switch (data.consumeInt(0, 3)) {
            case 0, 1 -> 3;
            case 2 -> 11;
            default -> data.consumeInt(0, 255);
        };
        int code = data.consumeInt(0, 15);
        int mtu = data.consumeInt(0, 65535);
        byte[] quoted = tcp(US, PEER, 80, PEER_PORT, rig.ourIss + 1 + data.consumeInt(-5000, 5000), 1001, 0x18, 502, 0,
                new byte[0], new byte[data.consumeInt(0, 40)], true);
        int quotedLength = Math.min(quoted.length, data.consumeInt(0, quoted.length));
        ByteBuffer icmp = ByteBuffer.allocate(8 + quotedLength);
        icmp.put(0, (byte) type).put(1, (byte) code);
        icmp.putShort(6, (short) mtu);
        icmp.put(8, quoted, 0, quotedLength);
        icmp.putShort(2, (short) Checksum.finish(Checksum.sum(icmp.array(), 0, icmp.capacity())));
        return ipv4(IpAddress.parse("198.18.0.254"), US, IpProtocol.ICMP, icmp.array());
    }

    static byte[] tcp(IpAddress src, IpAddress dst, int srcPort, int dstPort, int seq, int ack, int flags, int window,
                      int urgent, byte[] options, byte[] payload, boolean goodChecksum) {
        int optionsLength = (options.length + 3) & ~3;
        int headerLength = 20 + optionsLength;
        ByteBuffer t = ByteBuffer.allocate(headerLength + payload.length);
        t.putShort(0, (short) srcPort).putShort(2, (short) dstPort).putInt(4, seq).putInt(8, ack);
        t.put(12, (byte) ((headerLength / 4) << 4)).put(13, (byte) flags).putShort(14, (short) window);
        t.putShort(18, (short) urgent);
        t.put(20, options);
        t.put(headerLength, payload);
        long sum = Checksum.pseudoHeader(src, dst, IpProtocol.TCP, t.capacity()) + Checksum.sum(t.array(), 0, t.capacity());
        t.putShort(16, (short) (Checksum.finish(sum) ^ (goodChecksum ? 0 : 0x5a5a)));
        return ipv4(src, dst, IpProtocol.TCP, t.array());
    }

    private static byte[] ipv4(IpAddress src, IpAddress dst, int protocol, byte[] payload) {
        ByteBuffer p = ByteBuffer.allocate(20 + payload.length);
        p.put(0, (byte) 0x45).putShort(2, (short) p.capacity()).putShort(6, (short) 0x4000);
        p.put(8, (byte) 64).put(9, (byte) protocol);
        p.putInt(12, src.v4()).putInt(16, dst.v4());
        p.putShort(10, (short) Checksum.finish(Checksum.sum(p.array(), 0, 20)));
        p.put(20, payload);
        return p.array();
    }
}
