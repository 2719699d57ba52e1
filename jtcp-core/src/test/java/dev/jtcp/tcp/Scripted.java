package dev.jtcp.tcp;

import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.ScriptedPeer;
import dev.jtcp.wire.TcpOption;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Stages for scenario tests against a {@link ScriptedPeer}: connections brought to ESTABLISHED with
 * known sequence numbers and a known round-trip time, and a handler that records what the
 * application was told.
 */
final class Scripted {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;
    /** The host's ISS (give it to the {@link ScriptedPeer} constructor). */
    static final int ISS = 10_000;
    /** The scripted peer's ISS. */
    static final int IRS = 50_000;
    /** The handshake's round-trip time: with no timestamps SRTT 100 ms, RTTVAR 50 ms, so RTO 300 ms. */
    static final long RTT = 100 * MS;
    static final long RTO = 300 * MS;
    /** No timestamps, SACK or window scaling: segments are exactly what the test writes. */
    static final TcpConfig PLAIN = TcpConfig.builder().timestamps(false).sack(false).windowScaling(false)
            .congestionControl(TcpConfig.CongestionAlgorithm.RENO).build();

    private Scripted() {}

    static ScriptedPeer peer() {
        return new ScriptedPeer(PLAIN, ISS);
    }

    static ScriptedPeer peer(TcpConfig config) {
        return new ScriptedPeer(config, ISS);
    }

    /** Passive open on port 80: SYN (MSS 1460) now, SYN,ACK, the ACK {@link #RTT} later; sent segments cleared. */
    static TcpConnection accept(ScriptedPeer p) {
        return accept(p, UnaryOperator.identity(), UnaryOperator.identity());
    }

    /**
     * Passive open with extra options on the peer's SYN and its ACK. When the SYN,ACK carries
     * timestamps, the peer's ACK echoes its TSval.
     */
    static TcpConnection accept(ScriptedPeer p, UnaryOperator<ScriptedPeer.Seg> syn,
                                UnaryOperator<ScriptedPeer.Seg> ack) {
        return accept(p, ISS, syn, ack);
    }

    /** {@link #accept(ScriptedPeer, UnaryOperator, UnaryOperator)} for a host whose ISS is {@code iss}. */
    static TcpConnection accept(ScriptedPeer p, int iss, UnaryOperator<ScriptedPeer.Seg> syn,
                                UnaryOperator<ScriptedPeer.Seg> ack) {
        TcpListener l = p.host.listen(p.now(), ScriptedPeer.LOCAL_PORT, 8);
        p.inject(syn.apply(seg(SYN).seq(IRS).mss(1460)));
        ScriptedPeer.Sent synAck = p.next();
        assertThat(synAck.is(SYN | ACK)).as("SYN,ACK: %s", synAck).isTrue();
        p.advance(RTT);
        ScriptedPeer.Seg a = seg(ACK).seq(IRS + 1).ack(iss + 1);
        TcpOption.Timestamps ts = synAck.h().option(TcpOption.Timestamps.class);
        if (ts != null) {
            a.ts(1000, ts.tsVal());
        }
        p.inject(ack.apply(a));
        TcpConnection c = l.accept();
        assertThat(c).as("accepted connection").isNotNull();
        p.clearSent();
        return c;
    }

    /** Active open from port 80 to the peer: SYN, then the peer's SYN,ACK {@link #RTT} later; sent segments cleared. */
    static TcpConnection connect(ScriptedPeer p, UnaryOperator<ScriptedPeer.Seg> synAck) {
        TcpConnection c = p.host.connect(p.now(), ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, ScriptedPeer.LOCAL_PORT);
        assertThat(p.next().is(SYN)).isTrue();
        p.advance(RTT);
        p.inject(synAck.apply(seg(SYN | ACK).seq(IRS).ack(ISS + 1).mss(1460)));
        p.clearSent();
        return c;
    }

    static ByteBuffer bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return ByteBuffer.wrap(b);
    }

    /** Everything the application can read now. */
    static byte[] readAll(TcpConnection c, long nowNs) {
        ByteBuffer dst = ByteBuffer.allocate(Math.max(c.readable(), 1));
        int n = c.receive(nowNs, dst);
        byte[] out = new byte[Math.max(n, 0)];
        dst.flip().get(out);
        return out;
    }

    /** Segments sent and not yet taken, emptying the queue. */
    static List<ScriptedPeer.Sent> drain(ScriptedPeer p) {
        List<ScriptedPeer.Sent> out = p.pending();
        p.clearSent();
        return out;
    }

    /** A handler recording each notification as "time event", time in ms of the peer's clock. */
    static final class Recorder implements TcpHandler {
        final ScriptedPeer clock;
        final List<String> log = new ArrayList<>();
        TcpError closedWith;
        boolean closed;

        Recorder(ScriptedPeer clock) {
            this.clock = clock;
        }

        private void add(String what) {
            log.add(clock.now() / MS + "ms " + what);
        }

        @Override
        public void onConnected(TcpConnection c) {
            add("connected");
        }

        @Override
        public void onUrgent(TcpConnection c) {
            add("urgent");
        }

        @Override
        public void onRetransmissionTrouble(TcpConnection c, int retransmissions) {
            add("trouble " + retransmissions);
        }

        @Override
        public void onClosed(TcpConnection c, TcpError error) {
            closed = true;
            closedWith = error;
            add("closed " + error);
        }
    }
}
