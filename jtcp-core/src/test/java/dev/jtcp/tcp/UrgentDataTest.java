package dev.jtcp.tcp;

import static dev.jtcp.tcp.Scripted.IRS;
import static dev.jtcp.tcp.Scripted.ISS;
import static dev.jtcp.testutil.ScriptedPeer.seg;
import static dev.jtcp.wire.TcpFlags.ACK;
import static dev.jtcp.wire.TcpFlags.RST;
import static dev.jtcp.wire.TcpFlags.URG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.Requirement;
import dev.jtcp.testutil.ScriptedPeer;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The urgent mechanism (RFC 9293 §3.8.5 with RFC 6093's reading: the pointer marks the first
 * octet after the urgent data): URG and the pointer on the segments we send, the application told
 * of urgent data as it arrives and able to ask how much is pending, even with a zero window.
 */
class UrgentDataTest {

    private static ScriptedPeer.Seg ack(int ack) {
        return seg(ACK).seq(IRS + 1).ack(ack);
    }

    @Test
    @Requirement({"MUST-30", "MUST-62"})
    void urgentSendSetsUrgAndPointsAtTheFirstNonUrgentOctet() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        c.send(p.now(), Scripted.bytes(10));
        assertThat(p.next().h().has(URG)).isFalse();
        // Held by Nagle behind the first segment, then sent together: 20 normal octets, 5 urgent.
        c.send(p.now(), Scripted.bytes(20));
        c.send(p.now(), Scripted.bytes(5), true);
        p.expectNothingSent();
        p.inject(ack(ISS + 11));
        ScriptedPeer.Sent s = p.next();
        assertThat(s.seq()).isEqualTo(ISS + 11);
        assertThat(s.payload()).hasSize(25);
        assertThat(s.h().has(URG)).isTrue();
        assertThat(s.h().urgentPointer()).as("SEG.SEQ + pointer = the octet after the urgent data").isEqualTo(25);
        p.inject(ack(ISS + 36));
        c.send(p.now(), Scripted.bytes(10));
        assertThat(p.next().h().has(URG)).as("past the urgent data").isFalse();
    }

    @Test
    @Requirement("MUST-31")
    void urgentDataMaySpanManySegments() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        c.noDelay(true);
        c.send(p.now(), Scripted.bytes(4000), true);
        List<ScriptedPeer.Sent> sent = Scripted.drain(p);
        assertThat(sent).hasSize(3).allMatch(s -> s.h().has(URG));
        assertThat(sent).extracting(s -> s.h().urgentPointer()).containsExactly(4000, 4000 - 1460, 4000 - 2920);
    }

    @Test
    @Requirement({"MUST-32", "MUST-33"})
    void tellsTheApplicationOfUrgentDataAndHowMuchIsPending() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        Scripted.Recorder app = new Scripted.Recorder(p);
        c.handler(app);
        assertThat(c.status().urgentPending()).isZero();
        p.inject(seg(ACK | URG).seq(IRS + 1).ack(ISS + 1).urg(4).data(10));
        assertThat(app.log).containsExactly("100ms urgent");
        assertThat(c.status().urgentPending()).isEqualTo(4);
        c.receive(p.now(), ByteBuffer.allocate(2));
        assertThat(c.status().urgentPending()).isEqualTo(2);
        c.receive(p.now(), ByteBuffer.allocate(8));
        assertThat(c.status().urgentPending()).isZero();
        // A later pointer signals again.
        p.inject(seg(ACK | URG).seq(IRS + 11).ack(ISS + 1).urg(3).data(5));
        assertThat(app.log).containsExactly("100ms urgent", "100ms urgent");
        assertThat(c.status().urgentPending()).isEqualTo(3);
    }

    @Test
    @Requirement("MUST-32")
    void aRetransmittedUrgentPointerIntoDataAlreadyReceivedSignalsNothingNew() {
        ScriptedPeer p = Scripted.peer();
        TcpConnection c = Scripted.accept(p);
        Scripted.Recorder app = new Scripted.Recorder(p);
        c.handler(app);
        p.inject(seg(ACK | URG).seq(IRS + 1).ack(ISS + 1).urg(4).data(10));
        assertThat(c.status().urgentPending()).isEqualTo(4);
        // The same segment again with five new octets: RCV.UP = max(RCV.UP, SEG.UP) does not move.
        p.inject(seg(ACK | URG).seq(IRS + 1).ack(ISS + 1).urg(4).data(15));
        assertThat(c.readable()).isEqualTo(15);
        assertThat(c.status().urgentPending()).isEqualTo(4);
        assertThat(app.log).containsExactly("100ms urgent");
    }

    @Test
    @Requirement("MUST-66")
    void processesTheUrgentPointerAndRstWithAZeroWindow() {
        ScriptedPeer p = Scripted.peer(Scripted.PLAIN.toBuilder().receiveBufferBytes(4096).build());
        TcpConnection c = Scripted.accept(p);
        Scripted.Recorder app = new Scripted.Recorder(p);
        c.handler(app);
        p.inject(seg(ACK).seq(IRS + 1).ack(ISS + 1).data(4096));
        ScriptedPeer.Sent full = p.next();
        assertThat(full.window()).isZero();
        p.inject(seg(ACK | URG).seq(IRS + 4097).ack(ISS + 1).urg(1).data(1));
        assertThat(app.log).containsExactly("100ms urgent");
        assertThat(c.status().urgentPending()).isEqualTo(4097);
        assertThat(c.readable()).as("the octet itself has no room").isEqualTo(4096);
        ScriptedPeer.Sent ack = p.next();
        assertThat(ack.ack()).isEqualTo(IRS + 4097);
        assertThat(ack.window()).isZero();
        p.inject(seg(RST).seq(IRS + 4097));
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.RESET);
    }
}
