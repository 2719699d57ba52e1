package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.tcp.Scripted.S;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.FIN;
import static dev.jtcp.wire.TcpFlags.RST;
import static dev.jtcp.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * ABORT in every state (RFC 9293 §3.10.5): a RST where the peer holds state we have not yet given
 * up, nothing in SYN-SENT and in the states that have already closed our side; and the distinct
 * reports the application receives for refused, reset and timed-out connections (MUST-12).
 */
class AbortTest {

    /** A state, how to reach it, and the RST ABORT must send (SEQ), or null for none. */
    enum Case {
        SYN_SENT(null), SYN_RECEIVED(ISS + 1), ESTABLISHED(ISS + 101), FIN_WAIT_1(ISS + 2), FIN_WAIT_2(ISS + 2),
        CLOSE_WAIT(ISS + 1), CLOSING(null), LAST_ACK(null), TIME_WAIT(null);

        final Integer rstSeq;

        Case(Integer rstSeq) {
            this.rstSeq = rstSeq;
        }
    }

    private static TcpConnection reach(ScriptedPeer p, Case k) {
        switch (k) {
            case SYN_SENT -> {
                TcpConnection c = p.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
                p.clearSent();
                return c;
            }
            case SYN_RECEIVED -> {
                p.host.listen(0, 80, 8);
                p.inject(seg(SYN).seq(IRS).mss(1460));
                p.clearSent();
                return p.host.connections().getFirst();
            }
            default -> {
            }
        }
        TcpConnection c = Scripted.accept(p);
        switch (k) {
            case ESTABLISHED -> c.send(p.now(), Scripted.bytes(100));
            case FIN_WAIT_1 -> c.close(p.now());
            case FIN_WAIT_2 -> {
                c.close(p.now());
                p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 2));
            }
            case CLOSE_WAIT -> p.inject(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 1));
            case CLOSING -> {
                c.close(p.now());
                p.inject(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 1));
            }
            case LAST_ACK -> {
                p.inject(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 1));
                c.close(p.now());
            }
            case TIME_WAIT -> {
                c.close(p.now());
                p.inject(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
            }
            default -> throw new AssertionError(k);
        }
        assertThat(c.state().name()).isEqualTo(k.name());
        p.clearSent();
        return c;
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void abortSendsRstOnlyWhereThePeerStillExpectsUs(Case k) {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = reach(p, k);
        Scripted.Recorder app = new Scripted.Recorder(p);
        c.handler(app);
        c.abort(p.now());
        if (k.rstSeq == null) {
            p.expectNothingSent();
        } else {
            ScriptedPeer.Sent rst = p.next();
            assertThat(rst.is(RST)).as("%s", rst).isTrue();
            assertThat(rst.seq()).isEqualTo(k.rstSeq);
            p.expectNothingSent();
        }
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(p.host.connectionCount()).isZero();
        assertThat(p.host.listeners().stream().mapToInt(TcpListener::synQueueLength).sum()).isZero();
        if (k != Case.TIME_WAIT) {
            // The application learns of every connection's end exactly once.
            assertThat(app.log).containsExactly(p.now() / Scripted.MS + "ms closed ABORTED");
        } else {
            assertThat(app.log).as("TIME-WAIT had already reported the close").isEmpty();
        }
        p.advance(300 * S);
        p.expectNothingSent();
    }

    @Test
    @Requirement("MUST-12")
    void refusedResetAndTimedOutAreReportedDistinctly() {
        ScriptedPeer refusedPeer = Scripted.peer();
        TcpConnection refused = refusedPeer.host.connect(0, ScriptedPeer.REMOTE, ScriptedPeer.REMOTE_PORT, 80);
        Scripted.Recorder r1 = new Scripted.Recorder(refusedPeer);
        refused.handler(r1);
        refusedPeer.inject(seg(RST | ACK).seq(0).ack(ISS + 1));

        ScriptedPeer resetPeer = Scripted.peer();
        TcpConnection reset = Scripted.accept(resetPeer);
        Scripted.Recorder r2 = new Scripted.Recorder(resetPeer);
        reset.handler(r2);
        resetPeer.inject(seg(RST).seq(IRS + 1));

        ScriptedPeer silentPeer = Scripted.peer();
        TcpConnection timedOut = Scripted.accept(silentPeer);
        Scripted.Recorder r3 = new Scripted.Recorder(silentPeer);
        timedOut.handler(r3);
        timedOut.send(silentPeer.now(), Scripted.bytes(10));
        silentPeer.advance(101 * S);

        assertThat(List.of(r1.closedWith, r2.closedWith, r3.closedWith))
                .containsExactly(TcpError.REFUSED, TcpError.RESET, TcpError.TIMED_OUT);
        assertThat(List.of(refused.error(), reset.error(), timedOut.error()))
                .containsExactly(TcpError.REFUSED, TcpError.RESET, TcpError.TIMED_OUT);
        Set<String> errnos = EnumSet.of(TcpError.REFUSED, TcpError.RESET, TcpError.TIMED_OUT).stream()
                .map(TcpError::errno).collect(Collectors.toSet());
        assertThat(errnos).containsExactlyInAnyOrder("ECONNREFUSED", "ECONNRESET", "ETIMEDOUT");
        // A later RECEIVE reports the same error.
        for (TcpConnection c : List.of(refused, reset, timedOut)) {
            try {
                c.receive(0, java.nio.ByteBuffer.allocate(10));
                throw new AssertionError("receive should fail on " + c);
            } catch (TcpException e) {
                assertThat(e.error()).isEqualTo(c.error());
            }
        }
    }
}
