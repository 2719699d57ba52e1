package dev.jtcp.trace;

import static dev.jtcp.testutil.TwoHosts.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.LinkTracer;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.testutil.TwoHosts;
import org.junit.jupiter.api.Test;

class LadderBuilderTest {
    @Test
    void handshakeBecomesThreeDeliveredArrowsWithRelativeNumbers() {
        TwoHosts t = new TwoHosts(3);
        t.server.listen(t.now(), 80, 4);
        t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(100 * MS);

        Ladder ladder = new LadderBuilder().build(t.events);

        assertThat(ladder.columns()).extracting(Ladder.Column::name).containsExactly("client", "server");
        assertThat(ladder.arrows()).extracting(Ladder.Arrow::label)
                .containsExactly("SYN seq=0", "SYN,ACK seq=0 ack=1", "ACK seq=1 ack=1");
        assertThat(ladder.arrows()).extracting(Ladder.Arrow::fate).containsOnly(Ladder.Fate.DELIVERED);
        assertThat(ladder.arrows()).extracting(Ladder.Arrow::from).containsExactly(0, 1, 0);
        Ladder.Arrow syn = ladder.arrows().getFirst();
        assertThat(syn.arriveNs() - syn.timeNs()).isEqualTo(10 * MS);
        assertThat(syn.options()).contains("mss 1460").contains("sackOK").contains("TS").contains("wscale");
        assertThat(ladder.initial()).containsExactly(TcpState.CLOSED, TcpState.CLOSED);
        assertThat(ladder.states(1)).extracting(Ladder.StateMark::to)
                .containsExactly(TcpState.LISTEN, TcpState.SYN_RECEIVED, TcpState.ESTABLISHED);
    }

    @Test
    void absoluteNumbersOnRequest() {
        TwoHosts t = new TwoHosts(3);
        t.server.listen(t.now(), 80, 4);
        var c = t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(100 * MS);

        Ladder ladder = new LadderBuilder().relative(false).build(t.events);

        assertThat(ladder.arrows().getFirst().label())
                .isEqualTo("SYN seq=" + Integer.toUnsignedString(c.status().iss()));
    }

    @Test
    void lostSegmentsStopMidwayAndRetransmissionsAreTagged() {
        TwoHosts t = new TwoHosts(3, TcpConfig.defaults(), TcpConfig.defaults(),
                Impairments.builder().delayNs(10 * MS).lossProbability(1.0).build(),
                Impairments.builder().delayNs(10 * MS).build());
        t.net.addTap(new LinkTracer(t.events::add));
        t.server.listen(t.now(), 80, 4);
        t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(2_000 * MS);

        Ladder ladder = new LadderBuilder().build(t.events);

        assertThat(ladder.arrows()).extracting(Ladder.Arrow::fate).containsExactly(Ladder.Fate.LOST, Ladder.Fate.LOST);
        assertThat(ladder.arrows()).extracting(Ladder.Arrow::isRetransmission).containsExactly(false, true);
        assertThat(ladder.arrows().getFirst().detail()).isEqualTo("lost on link0");
        String text = TerminalLadder.render(ladder, TerminalLadder.Options.PLAIN);
        assertThat(text).contains("SYN seq=0 [retransmission]").contains("X lost on link0")
                .contains("RTO timer fired after 1 s");
    }
}
