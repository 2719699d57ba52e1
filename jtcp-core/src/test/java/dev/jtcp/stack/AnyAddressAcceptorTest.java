package dev.jtcp.stack;

import static dev.jtcp.testutil.TwoHosts.MS;
import static dev.jtcp.testutil.TwoHosts.S;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.testutil.TwoHosts;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The forwarder's hook on the simulator: the server host accepts, refuses or declares unreachable
 * TCP flows to addresses it does not own, at once or after holding the SYN.
 */
class AnyAddressAcceptorTest {
    private static final IpAddress ELSEWHERE = IpAddress.parse("198.19.5.5");
    private static final IpAddress ELSEWHERE6 = IpAddress.parse("fd00:1::5");

    /** Answers every SYN with {@code verdict} (null: hold it) and records what it saw. */
    private static final class Recorder implements AnyAddressAcceptor {
        final Verdict verdict;
        final List<ConnectionKey> syns = new ArrayList<>();
        final List<TcpConnection> accepted = new ArrayList<>();
        final List<ConnectionKey> abandoned = new ArrayList<>();

        Recorder(Verdict verdict) {
            this.verdict = verdict;
        }

        @Override
        public Verdict onSyn(long nowNs, ConnectionKey flow) {
            syns.add(flow);
            return verdict;
        }

        @Override
        public void onAccepted(TcpConnection connection) {
            accepted.add(connection);
        }

        @Override
        public void onAbandoned(ConnectionKey flow) {
            abandoned.add(flow);
        }
    }

    private static String read(TwoHosts t, TcpConnection c) {
        ByteBuffer b = ByteBuffer.allocate(1000);
        c.receive(t.now(), b);
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    @Test
    void anAcceptedFlowCompletesWithTheOriginalDestinationAsLocalAddress() {
        for (IpAddress dst : List.of(ELSEWHERE, ELSEWHERE6)) {
            TwoHosts t = new TwoHosts(1);
            Recorder r = new Recorder(AnyAddressAcceptor.Verdict.ACCEPT);
            t.server.acceptAnyAddress(r, 16);
            TcpConnection c = t.client.connect(t.now(), dst, 443);
            t.runFor(100 * MS);
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(r.syns).hasSize(1);
            assertThat(r.syns.getFirst().localAddress()).isEqualTo(dst);
            assertThat(r.syns.getFirst().localPort()).isEqualTo(443);
            assertThat(r.accepted).hasSize(1);
            TcpConnection s = r.accepted.getFirst();
            assertThat(s.key()).isEqualTo(new ConnectionKey(dst, 443, c.key().localAddress(), c.key().localPort()));
            c.send(t.now(), ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
            s.send(t.now(), ByteBuffer.wrap("world".getBytes(StandardCharsets.US_ASCII)));
            t.runFor(100 * MS);
            assertThat(read(t, s)).isEqualTo("hello");
            assertThat(read(t, c)).isEqualTo("world");
            assertThat(t.server.forwardedFlowCount()).isEqualTo(1);
            c.abort(t.now());
            t.runFor(100 * MS);
            assertThat(s.state()).isEqualTo(TcpState.CLOSED);
            assertThat(t.server.forwardedFlowCount()).isZero();
        }
    }

    @Test
    void aHeldSynWaitsForTheVerdictAndThenCompletesWithoutRetransmission() {
        TwoHosts t = new TwoHosts(1);
        Recorder r = new Recorder(null);
        t.server.acceptAnyAddress(r, 16);
        TcpConnection c = t.client.connect(t.now(), ELSEWHERE, 80);
        t.runFor(100 * MS);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        assertThat(t.server.drops().get(DropReason.FORWARD_HELD)).isEqualTo(1);
        assertThat(t.server.decideFlow(t.now(), r.syns.getFirst(), AnyAddressAcceptor.Verdict.ACCEPT)).isTrue();
        assertThat(t.server.decideFlow(t.now(), r.syns.getFirst(), AnyAddressAcceptor.Verdict.ACCEPT)).isFalse();
        t.runFor(100 * MS);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(r.accepted).hasSize(1);
        assertThat(r.syns).hasSize(1);
        assertThat(t.segments("client", dev.jtcp.event.TraceEvent.Direction.SENT).stream()
                .filter(s -> s.header().flags() == dev.jtcp.wire.TcpFlags.SYN)).hasSize(1);
    }

    @Test
    void aHeldSynRetransmittedIsAskedAboutOnce() {
        TwoHosts t = new TwoHosts(1);
        Recorder r = new Recorder(null);
        t.server.acceptAnyAddress(r, 16);
        TcpConnection c = t.client.connect(t.now(), ELSEWHERE, 80);
        t.runFor(3500 * MS);
        assertThat(r.syns).hasSize(1);
        assertThat(t.server.drops().get(DropReason.FORWARD_HELD)).isGreaterThanOrEqualTo(2);
        t.server.decideFlow(t.now(), r.syns.getFirst(), AnyAddressAcceptor.Verdict.ACCEPT);
        t.runFor(100 * MS);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void aRefusedFlowIsReset() {
        TwoHosts t = new TwoHosts(1);
        Recorder r = new Recorder(null);
        t.server.acceptAnyAddress(r, 16);
        TcpConnection c = t.client.connect(t.now(), ELSEWHERE6, 80);
        t.runFor(100 * MS);
        t.server.decideFlow(t.now(), r.syns.getFirst(), AnyAddressAcceptor.Verdict.REFUSE);
        t.runFor(100 * MS);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.REFUSED);
        assertThat(t.server.forwardedFlowCount()).isZero();
    }

    @Test
    void anUnreachableFlowGetsIcmpHostUnreachable() {
        for (IpAddress dst : List.of(ELSEWHERE, ELSEWHERE6)) {
            TwoHosts t = new TwoHosts(1);
            t.server.acceptAnyAddress(new Recorder(AnyAddressAcceptor.Verdict.UNREACHABLE), 16);
            TcpConnection c = t.client.connect(t.now(), dst, 80);
            TcpError[] soft = {null};
            c.handler(new dev.jtcp.tcp.TcpHandler() {
                @Override
                public void onSoftError(TcpConnection conn, TcpError error) {
                    soft[0] = error;
                }
            });
            t.runFor(100 * MS);
            // Host unreachable is a soft error to an RFC 1122 stack (jtcp; Linux aborts the connect).
            assertThat(soft[0]).isEqualTo(TcpError.UNREACHABLE);
            assertThat(t.server.drops().get(DropReason.FORWARD_UNREACHABLE)).isEqualTo(1);
        }
    }

    @Test
    void pastTheFlowLimitNewFlowsAreResetAndAnAbandonedHoldMakesRoom() {
        TwoHosts t = new TwoHosts(1);
        Recorder r = new Recorder(null);
        t.server.acceptAnyAddress(r, 2);
        t.client.connect(t.now(), ELSEWHERE, 80);
        t.client.connect(t.now(), ELSEWHERE, 81);
        TcpConnection third = t.client.connect(t.now(), ELSEWHERE, 82);
        t.runFor(100 * MS);
        assertThat(third.state()).isEqualTo(TcpState.CLOSED);
        assertThat(third.error()).isEqualTo(TcpError.REFUSED);
        assertThat(t.server.drops().get(DropReason.FORWARD_LIMIT)).isEqualTo(1);
        assertThat(t.server.forwardedFlowCount()).isEqualTo(2);
        t.runFor(AnyAddressFlows.HOLD_TIMEOUT_NS);
        TcpConnection fourth = t.client.connect(t.now(), ELSEWHERE, 83);
        t.runFor(100 * MS);
        assertThat(r.syns).hasSize(3);
        assertThat(r.abandoned).hasSize(1);
        assertThat(fourth.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void anAcceptedFlowWhoseClientGivesUpIsAbandonedAndLeavesTheTable() {
        TwoHosts t = new TwoHosts(1, dev.jtcp.tcp.TcpConfig.defaults(), dev.jtcp.tcp.TcpConfig.defaults(),
                dev.jtcp.link.impair.Impairments.builder().delayNs(10 * MS).build(),
                dev.jtcp.link.impair.Impairments.builder().delayNs(10 * MS).lossProbability(1.0).build());
        Recorder r = new Recorder(AnyAddressAcceptor.Verdict.ACCEPT);
        t.server.acceptAnyAddress(r, 16);
        TcpConnection c = t.client.connect(t.now(), ELSEWHERE, 80);
        t.runFor(100 * MS);
        assertThat(t.server.forwardedFlowCount()).isEqualTo(1);
        c.abort(t.now());
        t.runFor(200 * S);
        assertThat(r.accepted).isEmpty();
        assertThat(r.abandoned).containsExactly(r.syns.getFirst());
        assertThat(t.server.forwardedFlowCount()).isZero();
    }

    @Test
    void withoutTheHookPacketsForOtherAddressesAreDroppedAsBefore() {
        TwoHosts t = new TwoHosts(1);
        t.server.listen(t.now(), 80, 16);
        TcpConnection c = t.client.connect(t.now(), ELSEWHERE, 80);
        t.runFor(100 * MS);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        assertThat(t.server.drops().get(DropReason.IP_NOT_FOR_US)).isEqualTo(1);
    }

    @Test
    void aWildcardListenerNeverSeesForwardedSynsAndLocalFlowsSkipTheHook() {
        TwoHosts t = new TwoHosts(1);
        Recorder r = new Recorder(AnyAddressAcceptor.Verdict.ACCEPT);
        t.server.acceptAnyAddress(r, 16);
        var listener = t.server.listen(t.now(), 80, 16);
        TcpConnection forwarded = t.client.connect(t.now(), ELSEWHERE, 80);
        TcpConnection local = t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(100 * MS);
        assertThat(forwarded.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(local.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(r.accepted).hasSize(1);
        assertThat(r.syns).extracting(ConnectionKey::localAddress).containsExactly(ELSEWHERE);
        assertThat(listener.accept().key().localAddress()).isEqualTo(TwoHosts.SERVER);
        assertThat(listener.accept()).isNull();
    }

    @Test
    void broadcastAndMulticastAreNeverForwarded() {
        TwoHosts t = new TwoHosts(1);
        Recorder r = new Recorder(AnyAddressAcceptor.Verdict.ACCEPT);
        t.server.acceptAnyAddress(r, 16);
        t.server.onPacket(t.now(), RawPackets.syn("198.18.0.1", 1000, "198.18.0.255", 80));
        t.server.onPacket(t.now(), RawPackets.syn("198.18.0.1", 1000, "224.0.0.1", 80));
        t.server.onPacket(t.now(), RawPackets.syn("198.18.0.1", 1000, "127.0.0.1", 80));
        assertThat(r.syns).isEmpty();
        assertThat(t.server.drops().get(DropReason.IP_BROADCAST_OR_MULTICAST)).isEqualTo(2);
        t.runFor(S);
    }
}
