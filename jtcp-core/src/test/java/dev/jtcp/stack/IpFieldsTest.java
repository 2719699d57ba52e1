package dev.jtcp.stack;

import static dev.jtcp.testutil.TwoHosts.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.event.TcpState;
import dev.jtcp.link.sim.SimPort;
import dev.jtcp.link.sim.SimTap;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.TwoHosts;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The IP fields an application controls through TCP (RFC 9293 §3.9.1.1, §3.9.2): the local address
 * of an OPEN, the TTL, and the Diffserv field, checked on the packets that leave the hosts.
 */
class IpFieldsTest {

    /** One transmitted TCP packet: who sent it and the IP fields under test. */
    private record Sent(IpAddress src, IpAddress dst, int ttl, int tos, int payload) {
    }

    /** Records every TCP packet transmitted on the network. */
    private static List<Sent> record(TwoHosts t) {
        List<Sent> sent = new ArrayList<>();
        t.net.addTap(new SimTap() {
            @Override
            public void onTransmit(long nowNs, SimPort from, ByteBuffer packet) {
                IpPacket ip = new IpPacket().wrap(packet, packet.position(), packet.remaining());
                assertThat(ip.check()).isNull();
                TcpPacket tcp = new TcpPacket().wrap(packet, ip.payloadOffset(), ip.payloadLength());
                tcp.check();
                sent.add(new Sent(ip.src(), ip.dst(), ip.ttl(), ip.tos(), tcp.payloadLength()));
            }
        });
        return sent;
    }

    private static List<Sent> from(List<Sent> sent, IpAddress src) {
        return sent.stream().filter(s -> s.src().equals(src)).toList();
    }

    @Test
    @Requirement("MUST-49")
    void theTtlAndHopLimitAreConfigurable() {
        for (IpAddress server : new IpAddress[] {TwoHosts.SERVER, TwoHosts.SERVER6}) {
            TwoHosts t = new TwoHosts(1);
            List<Sent> sent = record(t);
            t.client.ttl(17);
            t.server.listen(t.now(), 80, 4);
            TcpConnection c = t.client.connect(t.now(), server, 80);
            t.runFor(100 * MS);
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);

            assertThat(from(sent, c.key().localAddress())).as("client, %s", server).isNotEmpty()
                    .allSatisfy(s -> assertThat(s.ttl()).isEqualTo(17));
            assertThat(from(sent, server)).as("server keeps the default").isNotEmpty()
                    .allSatisfy(s -> assertThat(s.ttl()).isEqualTo(Host.DEFAULT_TTL));
        }
        TwoHosts t = new TwoHosts(1);
        assertThatThrownBy(() -> t.client.ttl(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.client.ttl(256)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Requirement("MUST-43")
    void anOpenMayNameItsLocalAddress() {
        TwoHosts t = new TwoHosts(1);
        t.client.addAddress("198.18.0.11/24");
        List<Sent> sent = record(t);
        t.server.listen(t.now(), 80, 4);
        IpAddress chosen = IpAddress.parse("198.18.0.11");
        TcpConnection c = t.client.connect(t.now(), chosen, TwoHosts.SERVER, 80, 0);
        t.runFor(100 * MS);

        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(c.key().localAddress()).isEqualTo(chosen);
        assertThat(sent).filteredOn(s -> s.dst().equals(TwoHosts.SERVER)).isNotEmpty()
                .allSatisfy(s -> assertThat(s.src()).isEqualTo(chosen));
        assertThat(t.server.connectionCount()).isEqualTo(1);

        // Without the parameter the host chooses (MUST-44): the interface's first address.
        TcpConnection d = t.client.connect(t.now(), null, TwoHosts.SERVER, 80, 0);
        assertThat(d.key().localAddress()).isEqualTo(TwoHosts.CLIENT);

        // An address the host does not have, or of the other family, is refused.
        for (String bad : new String[] {"198.18.0.99", "fd00::1"}) {
            assertThatThrownBy(() -> t.client.connect(t.now(), IpAddress.parse(bad), TwoHosts.SERVER, 80, 0))
                    .as(bad).isInstanceOf(TcpException.class)
                    .satisfies(e -> assertThat(((TcpException) e).error()).isEqualTo(TcpError.BAD_ADDRESS));
        }
    }

    @Test
    @Requirement({"MUST-48", "SHLD-21", "SHLD-22", "MAY-9"})
    void theDiffservFieldIsPassedToIpUnchangedAndMayChangeMidConnection() {
        for (IpAddress server : new IpAddress[] {TwoHosts.SERVER, TwoHosts.SERVER6}) {
            TwoHosts t = new TwoHosts(1);
            List<Sent> sent = record(t);
            TcpListener l = t.server.listen(t.now(), 80, 4);
            TcpConnection c = t.client.connect(t.now(), server, 80);
            c.tos(0xB8); // DSCP EF (46) with ECN bits 00
            t.runFor(100 * MS);
            TcpConnection s = l.accept();
            assertThat(s).isNotNull();

            c.send(t.now(), ByteBuffer.wrap(new byte[100]));
            t.runFor(100 * MS);
            int before = sent.size();
            c.tos(0x21); // DSCP CS1 (8) with ECN bits 01: the whole octet goes through unchanged
            c.send(t.now(), ByteBuffer.wrap(new byte[100]));
            t.runFor(100 * MS);
            c.close(t.now());
            t.runFor(100 * MS);

            IpAddress client = c.key().localAddress();
            List<Sent> early = from(sent.subList(0, before), client);
            List<Sent> late = from(sent.subList(before, sent.size()), client);
            assertThat(early).as("SYN retransmissions aside, the SYN itself was sent before tos()").isNotEmpty();
            assertThat(early.subList(1, early.size())).isNotEmpty().allSatisfy(p -> assertThat(p.tos()).isEqualTo(0xB8));
            assertThat(early.getFirst().tos()).as("the SYN left before the option was set").isZero();
            assertThat(late).as("data and FIN after the change").hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(p -> assertThat(p.tos()).isEqualTo(0x21));
            assertThat(from(sent, server)).as("the server's own packets are unaffected")
                    .allSatisfy(p -> assertThat(p.tos()).isZero());
            assertThat(s.receivedTos()).as("the server application sees the field received (MAY-9)").isEqualTo(0x21);
            assertThat(c.receivedTos()).isZero();
        }
        TcpConnection c = new TwoHosts(1).client.connect(0, TwoHosts.SERVER, 80);
        assertThatThrownBy(() -> c.tos(256)).isInstanceOf(IllegalArgumentException.class);
    }
}
