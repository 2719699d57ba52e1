package dev.jtcp.stack;

import static dev.jtcp.testutil.TwoHosts.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.tcp.TcpHandler;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.TwoHosts;
import dev.jtcp.wire.IcmpPacket;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpFlags;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** ICMP errors and port reuse on established connections between two simulated hosts. */
class HostIcmpScenarioTest {
    /** Records soft ICMP errors, and the error a hard one ended the connection with. */
    private static final class Recorder implements TcpHandler {
        TcpError icmp;
        boolean aborts;

        @Override
        public void onSoftError(TcpConnection c, TcpError error) {
            this.icmp = error;
            this.aborts = false;
        }

        @Override
        public void onClosed(TcpConnection c, TcpError error) {
            if (error != null) {
                this.icmp = error;
                this.aborts = true;
            }
        }
    }

    /** An ICMP error from the server's side about the client's next segment of {@code c}. */
    private static ByteBuffer errorAbout(TcpConnection c, int type, int code, int rest) {
        var k = c.key();
        ByteBuffer quoted = RawPackets.tcp(k.localAddress().toString(), k.localPort(), k.remoteAddress().toString(),
                k.remotePort(), c.status().sndUna(), TcpFlags.ACK);
        return RawPackets.icmpError(k.remoteAddress().toString(), k.localAddress().toString(), type, code, rest, quoted,
                k.localAddress().isV4() ? 28 : 48);
    }

    private static TcpConnection established(TwoHosts t, IpAddress server) {
        t.server.listen(t.now(), 80, 16);
        TcpConnection c = t.client.connect(t.now(), server, 80);
        t.runFor(100 * MS);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        return c;
    }

    @Test
    @Requirement({"MUST-54", "MUST-47"})
    void aHardErrorOnAnEstablishedConnectionIsOnlyReported() {
        TwoHosts t = new TwoHosts(1);
        TcpConnection c = established(t, TwoHosts.SERVER);
        Recorder r = new Recorder();
        c.handler(r);
        t.client.onPacket(t.now(), errorAbout(c, IcmpPacket.V4_DEST_UNREACHABLE, IcmpPacket.V4_CODE_PORT_UNREACHABLE, 0));
        assertThat(r.icmp).isEqualTo(TcpError.REFUSED);
        assertThat(r.aborts).isFalse();
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    @Requirement({"SHLD-6", "MUST-54"})
    void fragmentationNeededLowersThePathMtuAndTheSegmentSize() {
        TwoHosts t = new TwoHosts(1);
        TcpConnection c = established(t, TwoHosts.SERVER);
        int before = c.maxSegmentSize();
        t.client.onPacket(t.now(), errorAbout(c, IcmpPacket.V4_DEST_UNREACHABLE,
                IcmpPacket.V4_CODE_FRAGMENTATION_NEEDED, 1000));
        assertThat(t.client.pathMtu(TwoHosts.SERVER)).isEqualTo(1000);
        assertThat(c.maxSegmentSize()).isLessThan(before).isLessThanOrEqualTo(1000 - 40);
        // Data still flows, in the smaller segments.
        c.send(t.now(), ByteBuffer.allocate(10_000));
        t.runFor(500 * MS);
        assertThat(c.status().unacknowledged()).isZero();
        assertThat(t.segments("client", dev.jtcp.event.TraceEvent.Direction.SENT))
                .allMatch(s -> s.payloadLength() <= 1000 - 40);
    }

    @Test
    void packetTooBigBelowTheIpv6MinimumIsRaisedTo1280() {
        TwoHosts t = new TwoHosts(1);
        TcpConnection c = established(t, TwoHosts.SERVER6);
        t.client.onPacket(t.now(), errorAbout(c, IcmpPacket.V6_PACKET_TOO_BIG, 0, 600));
        assertThat(t.client.pathMtu(TwoHosts.SERVER6)).isEqualTo(1280);
        assertThat(c.maxSegmentSize()).isLessThanOrEqualTo(1280 - 60);
    }

    @Test
    void aRestartedServerListensAgainOverTimeWaitButNotWithoutReuse() {
        TwoHosts t = new TwoHosts(1);
        TcpListener l = t.server.listen(t.now(), 80, 16);
        TcpConnection c = t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(100 * MS);
        TcpConnection s = l.accept();
        s.close(t.now());
        t.runFor(100 * MS);
        c.close(t.now());
        t.runFor(100 * MS);
        assertThat(t.server.timeWaitCount()).as("the server closed first").isEqualTo(1);
        t.server.closeListener(t.now(), l);
        assertThatThrownBy(() -> t.server.listen(t.now(), IpAddress.ANY_V4, 80, 16, false))
                .satisfies(e -> assertThat(((TcpException) e).error()).isEqualTo(TcpError.ADDRESS_IN_USE))
                .hasMessageContaining("TIME-WAIT");
        assertThat(t.server.listen(t.now(), 80, 16).state()).isEqualTo(TcpState.LISTEN);
    }
}
