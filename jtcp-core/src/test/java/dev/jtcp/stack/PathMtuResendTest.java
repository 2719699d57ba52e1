package dev.jtcp.stack;

import static dev.jtcp.testutil.TwoHosts.MS;
import static dev.jtcp.testutil.TwoHosts.S;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.testutil.TwoHosts;
import dev.jtcp.wire.IcmpPacket;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpFlags;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A lower path MTU reported for data in flight (RFC 1191 §6.5, RFC 8201 §5.2): the segments sent at
 * the old size go again at once, cut to the new one, as many as the window holds in segments, with
 * no congestion response (Linux's tcp_simple_retransmit); with RACK's records (SACK) and without.
 */
class PathMtuResendTest {

    /** An ICMP "fragmentation needed" / ICMPv6 "packet too big" quoting the client's oldest unacknowledged byte. */
    private static ByteBuffer tooBig(TcpConnection c, int mtu) {
        var k = c.key();
        boolean v4 = k.localAddress().isV4();
        ByteBuffer quoted = RawPackets.tcp(k.localAddress().toString(), k.localPort(), k.remoteAddress().toString(),
                k.remotePort(), c.status().sndUna(), TcpFlags.ACK);
        return RawPackets.icmpError(k.remoteAddress().toString(), k.localAddress().toString(),
                v4 ? IcmpPacket.V4_DEST_UNREACHABLE : IcmpPacket.V6_PACKET_TOO_BIG,
                v4 ? IcmpPacket.V4_CODE_FRAGMENTATION_NEEDED : 0, mtu, quoted, v4 ? 28 : 48);
    }

    @ParameterizedTest(name = "sack={0} ipv6={1}")
    @CsvSource({"true,false", "false,false", "true,true", "false,true"})
    void dataInFlightGoesAgainAtOnceAtTheNewSize(boolean sack, boolean v6) {
        TcpConfig cfg = TcpConfig.defaults().toBuilder().sack(sack).build();
        TwoHosts t = new TwoHosts(1, cfg, Impairments.builder().delayNs(10 * MS).build());
        IpAddress server = v6 ? TwoHosts.SERVER6 : TwoHosts.SERVER;
        t.server.listen(t.now(), 80, 16);
        TcpConnection c = t.client.connect(t.now(), server, 80);
        t.runFor(100 * MS);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);

        int oldMss = c.maxSegmentSize();
        c.send(t.now(), ByteBuffer.allocate(8 * oldMss));
        ConnectionStatus before = c.status();
        assertThat(before.unacknowledged()).isEqualTo(8 * oldMss);
        int cwndSegments = before.cwnd() / oldMss;
        int sentBefore = t.segments("client", TraceEvent.Direction.SENT).size();

        // Before any of it is acknowledged, the path says it was too big.
        t.client.onPacket(t.now(), tooBig(c, v6 ? 1280 : 1000));
        int newMss = c.maxSegmentSize();
        // Less the timestamps option every segment carries.
        assertThat(newMss).isEqualTo((v6 ? 1280 - 60 : 1000 - 40) - 12);

        List<TraceEvent.SegmentEvent> sent = t.segments("client", TraceEvent.Direction.SENT);
        List<TraceEvent.SegmentEvent> resent = sent.subList(sentBefore, sent.size());
        // At once (no time has passed), from SND.UNA on, contiguous, none beyond the new size.
        assertThat(resent).isNotEmpty();
        int seq = before.sndUna();
        for (TraceEvent.SegmentEvent s : resent) {
            assertThat(s.timeNs()).isEqualTo(t.now());
            assertThat(s.header().seq()).isEqualTo(seq);
            assertThat(s.payloadLength()).isPositive().isLessThanOrEqualTo(newMss);
            seq += s.payloadLength();
        }
        // Not congestion: the window keeps its segments, ssthresh stays, no timeout was needed. The
        // resends fill it (in bytes: segments a resent record's rest is cut into are short).
        ConnectionStatus after = c.status();
        assertThat(after.cwnd() / newMss).isEqualTo(cwndSegments);
        int resentBytes = seq - before.sndUna();
        assertThat(resentBytes).isGreaterThanOrEqualTo(Math.min(after.cwnd(), 8 * oldMss))
                .isLessThan(after.cwnd() + newMss);
        assertThat(after.ssthresh()).isEqualTo(before.ssthresh());

        t.runFor(2 * S);
        assertThat(c.status().unacknowledged()).isZero();
        assertThat(c.status().timeouts()).isZero();
        List<TraceEvent.SegmentEvent> all = t.segments("client", TraceEvent.Direction.SENT);
        assertThat(all.subList(sentBefore, all.size())).allMatch(s -> s.payloadLength() <= newMss);
    }
}
