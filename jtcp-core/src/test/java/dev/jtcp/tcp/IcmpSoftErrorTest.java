package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.IcmpPacket;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.PacketWriter;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * ICMP messages about a connection (RFC 9293 §3.9.2.2): Source Quench is discarded silently and
 * soft errors never abort the connection. (The host does not yet pass ICMP errors to connections
 * at all: MUST-54, SHLD-25 and SHLD-26 are not implemented.)
 */
class IcmpSoftErrorTest {
    private static final IpAddress ROUTER = IpAddress.parse("198.18.0.254");

    @Test
    @Requirement({"MUST-55", "MUST-56"})
    void neitherSourceQuenchNorSoftErrorsAbortTheConnection() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        // The quoted packet: the IP header and first 8 octets of a segment this connection sent.
        byte[] ours = p.packet(seg(ACK).seq(ISS + 1).ack(IRS + 1).ports(80, ScriptedPeer.REMOTE_PORT).data(100),
                ScriptedPeer.LOCAL, ScriptedPeer.REMOTE);
        ByteBuffer quoted = ByteBuffer.wrap(ours, 0, 28);
        int[][] messages = {
            {4, 0}, // Source Quench
            {IcmpPacket.V4_DEST_UNREACHABLE, IcmpPacket.V4_CODE_NET_UNREACHABLE},
            {IcmpPacket.V4_DEST_UNREACHABLE, IcmpPacket.V4_CODE_HOST_UNREACHABLE},
            {IcmpPacket.V4_DEST_UNREACHABLE, 5}, // source route failed
            {IcmpPacket.V4_TIME_EXCEEDED, 0},
            {IcmpPacket.V4_TIME_EXCEEDED, 1},
            {IcmpPacket.V4_PARAMETER_PROBLEM, 0},
        };
        PacketWriter w = new PacketWriter();
        ByteBuffer buf = ByteBuffer.allocate(200);
        for (int[] m : messages) {
            int n = w.writeIcmp(buf, 0, ROUTER, ScriptedPeer.LOCAL, 64, m[0], m[1], 0, quoted, 0, 28);
            byte[] pkt = new byte[n];
            buf.get(0, pkt);
            p.injectRaw(pkt);
        }
        p.expectNothingSent();
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(c.error()).isNull();
        c.send(p.now(), Scripted.bytes(10));
        assertThat(p.next().payload()).hasSize(10);
    }
}
