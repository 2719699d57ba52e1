package dev.jtcp.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.TraceEvent.Direction;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.TcpFlags;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each scenario's key segments and state changes, read from its trace (not from its drawing): the
 * story each one claims to tell is the one jtcp actually played.
 */
class ScenariosTest {
    private static final long S = 1_000_000_000L;

    private static ScenarioRun run(String name) {
        return Scenarios.find(name).orElseThrow().run(ScenarioOptions.defaults());
    }

    /** "FROM->TO" for the host's connection states (listeners left out). */
    static List<String> transitions(List<TraceEvent> events, String host) {
        return events.stream().filter(e -> e instanceof TraceEvent.StateEvent s && s.host().equals(host)
                && s.connection().remotePort() != 0).map(e -> {
                    TraceEvent.StateEvent s = (TraceEvent.StateEvent) e;
                    return s.from() + "->" + s.to();
                }).toList();
    }

    static List<TraceEvent.SegmentEvent> segments(List<TraceEvent> events, String host, Direction direction) {
        return events.stream().filter(e -> e instanceof TraceEvent.SegmentEvent s && s.host().equals(host)
                && s.direction() == direction).map(e -> (TraceEvent.SegmentEvent) e).toList();
    }

    static List<String> flags(List<TraceEvent.SegmentEvent> segments) {
        return segments.stream().map(s -> TcpFlags.names(s.header().flags())).toList();
    }

    @Test
    void everyScenarioIsListedOnceWithASummary() {
        assertThat(Scenarios.all()).extracting(Scenario::name).doesNotHaveDuplicates().contains("basic",
                "handshake", "close", "simultaneous-open", "simultaneous-close", "fin-ack-combined", "half-close",
                "lost-final-ack", "old-duplicate-syn", "lost-syn", "refused", "data-on-third-ack", "half-open",
                "syn-flood", "rst-attack", "ecn", "fast-open");
        assertThat(Scenarios.all()).allSatisfy(s -> assertThat(s.summary()).isNotBlank());
        assertThat(Scenarios.standard().name()).isEqualTo("basic");
    }

    @Test
    void fastOpenSavesARoundTripOnTheReturnVisit() {
        ScenarioRun r = run("fast-open");
        assertThat(r.parts()).hasSize(2);
        List<TraceEvent.SegmentEvent> first = segments(r.parts().get(0).events(), "client", Direction.SENT);
        List<TraceEvent.SegmentEvent> second = segments(r.parts().get(1).events(), "client", Direction.SENT);
        assertThat(first.get(0).payloadLength()).as("first visit: a cookie request, no data").isZero();
        assertThat(first.get(0).header().options().toString()).contains("opt-34");
        assertThat(second.get(0).header().has(TcpFlags.SYN)).isTrue();
        assertThat(second.get(0).payloadLength()).as("return visit: the request in the SYN")
                .isEqualTo(OpenScenarios.REQUEST.length());
        assertThat(r.parts().get(0).facts().getFirst()).contains("after 40 ms");
        assertThat(r.parts().get(1).facts().getFirst()).contains("after 20 ms");
        assertThat(r.parts().get(1).facts()).contains("request in the SYN accepted: yes");
    }

    @Test
    void basicOpensExchangesAndClosesFourWay() {
        List<TraceEvent> ev = run("basic").events();
        assertThat(transitions(ev, "client")).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED",
                "ESTABLISHED->FIN-WAIT-1", "FIN-WAIT-1->FIN-WAIT-2", "FIN-WAIT-2->TIME-WAIT", "TIME-WAIT->CLOSED");
        assertThat(transitions(ev, "server")).containsExactly("LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED",
                "ESTABLISHED->CLOSE-WAIT", "CLOSE-WAIT->LAST-ACK", "LAST-ACK->CLOSED");
        List<TraceEvent.SegmentEvent> client = segments(ev, "client", Direction.SENT);
        // The reply, the first data the client receives, is acknowledged at once (quick-ACK mode).
        assertThat(flags(client)).containsExactly("SYN", "ACK", "PSH,ACK", "ACK", "FIN,ACK", "ACK");
        assertThat(client.get(2).payloadLength()).isEqualTo(OpenScenarios.REQUEST.length());
        List<TraceEvent.SegmentEvent> server = segments(ev, "server", Direction.SENT);
        assertThat(flags(server)).containsExactly("SYN,ACK", "ACK", "PSH,ACK", "ACK", "FIN,ACK");
        assertThat(server.get(2).payloadLength()).isEqualTo(OpenScenarios.REPLY.length());
    }

    @Test
    void handshakeIsSynSynAckAck() {
        List<TraceEvent> ev = run("handshake").events();
        TraceEvent.SegmentEvent syn = segments(ev, "client", Direction.SENT).get(0);
        TraceEvent.SegmentEvent synAck = segments(ev, "server", Direction.SENT).get(0);
        TraceEvent.SegmentEvent ack = segments(ev, "client", Direction.SENT).get(1);
        assertThat(syn.header().flags()).isEqualTo(TcpFlags.SYN);
        assertThat(synAck.header().flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(synAck.header().ack()).isEqualTo(syn.header().seq() + 1);
        assertThat(ack.header().flags()).isEqualTo(TcpFlags.ACK);
        assertThat(ack.header().seq()).isEqualTo(syn.header().seq() + 1);
        assertThat(ack.header().ack()).isEqualTo(synAck.header().seq() + 1);
        assertThat(segments(ev, "client", Direction.SENT)).hasSize(2);
        assertThat(transitions(ev, "server")).containsExactly("LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED");
    }

    @Test
    void simultaneousOpenTakesFourSegmentsThroughSynReceived() {
        List<TraceEvent> ev = run("simultaneous-open").events();
        for (String host : List.of("A", "B")) {
            assertThat(transitions(ev, host)).as(host).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->SYN-RECEIVED",
                    "SYN-RECEIVED->ESTABLISHED");
            assertThat(flags(segments(ev, host, Direction.SENT))).as(host).containsExactly("SYN", "SYN,ACK");
        }
    }

    @Test
    void dataOnThirdAckRidesTheHandshakeAck() {
        List<TraceEvent> ev = run("data-on-third-ack").events();
        List<TraceEvent.SegmentEvent> client = segments(ev, "client", Direction.SENT);
        assertThat(client.get(0).header().flags()).isEqualTo(TcpFlags.SYN);
        assertThat(client.get(1).header().has(TcpFlags.SYN)).isFalse();
        assertThat(client.get(1).header().has(TcpFlags.ACK)).isTrue();
        assertThat(client.get(1).payloadLength()).isEqualTo(OpenScenarios.REQUEST.length());
        assertThat(client.get(1).header().ack()).isEqualTo(segments(ev, "server", Direction.SENT).get(0).header().seq() + 1);
        assertThat(transitions(ev, "server")).containsExactly("LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED");
    }

    @Test
    void lostSynIsRetriedAfterOneThenTwoMoreSeconds() {
        List<TraceEvent> ev = run("lost-syn").events();
        List<TraceEvent.SegmentEvent> syns = segments(ev, "client", Direction.SENT).stream()
                .filter(s -> s.header().flags() == TcpFlags.SYN).toList();
        assertThat(syns).extracting(TraceEvent.SegmentEvent::timeNs).containsExactly(0L, 1 * S, 3 * S);
        assertThat(syns).extracting(TraceEvent.SegmentEvent::note).containsExactly(null, "retransmission",
                "retransmission");
        assertThat(segments(ev, "network", Direction.LOST)).hasSize(2);
        assertThat(transitions(ev, "client")).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED");
    }

    @Test
    void refusedConnectionGetsRstAckOfTheSyn() {
        List<TraceEvent> ev = run("refused").events();
        TraceEvent.SegmentEvent syn = segments(ev, "client", Direction.SENT).getFirst();
        TraceEvent.SegmentEvent rst = segments(ev, "server", Direction.SENT).getFirst();
        assertThat(rst.header().flags()).isEqualTo(TcpFlags.RST | TcpFlags.ACK);
        assertThat(rst.header().seq()).isZero();
        assertThat(rst.header().ack()).isEqualTo(syn.header().seq() + 1);
        assertThat(transitions(ev, "client")).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->CLOSED");
        assertThat(segments(ev, "server", Direction.DROPPED)).extracting(TraceEvent.SegmentEvent::dropReason)
                .containsExactly(DropReason.TCP_NO_CONNECTION);
    }

    @Test
    void closeIsFourWayWithTimeWaitOfTwoMsl() {
        List<TraceEvent> ev = run("close").events();
        assertThat(transitions(ev, "client")).endsWith("ESTABLISHED->FIN-WAIT-1", "FIN-WAIT-1->FIN-WAIT-2",
                "FIN-WAIT-2->TIME-WAIT", "TIME-WAIT->CLOSED");
        assertThat(transitions(ev, "server")).endsWith("ESTABLISHED->CLOSE-WAIT", "CLOSE-WAIT->LAST-ACK",
                "LAST-ACK->CLOSED");
        long timeWait = stateTime(ev, "client", "FIN-WAIT-2->TIME-WAIT");
        long closed = stateTime(ev, "client", "TIME-WAIT->CLOSED");
        assertThat(closed - timeWait).isEqualTo(120 * S);
    }

    @Test
    void simultaneousCloseGoesThroughClosingOnBothSides() {
        List<TraceEvent> ev = run("simultaneous-close").events();
        for (String host : List.of("A", "B")) {
            assertThat(transitions(ev, host)).as(host).endsWith("ESTABLISHED->FIN-WAIT-1", "FIN-WAIT-1->CLOSING",
                    "CLOSING->TIME-WAIT", "TIME-WAIT->CLOSED");
        }
    }

    @Test
    void finAckCombinedTakesFinWait1StraightToTimeWait() {
        List<TraceEvent> ev = run("fin-ack-combined").events();
        assertThat(transitions(ev, "client")).endsWith("ESTABLISHED->FIN-WAIT-1", "FIN-WAIT-1->TIME-WAIT",
                "TIME-WAIT->CLOSED").doesNotContain("FIN-WAIT-1->FIN-WAIT-2");
        TraceEvent.SegmentEvent clientFin = segments(ev, "client", Direction.SENT).stream()
                .filter(s -> s.header().has(TcpFlags.FIN)).findFirst().orElseThrow();
        TraceEvent.SegmentEvent serverFin = segments(ev, "server", Direction.SENT).stream()
                .filter(s -> s.header().has(TcpFlags.FIN)).findFirst().orElseThrow();
        assertThat(serverFin.header().has(TcpFlags.ACK)).isTrue();
        assertThat(serverFin.header().ack()).isEqualTo(clientFin.header().seq() + 1);
        assertThat(transitions(ev, "server")).endsWith("ESTABLISHED->CLOSE-WAIT", "CLOSE-WAIT->LAST-ACK",
                "LAST-ACK->CLOSED");
    }

    @Test
    void halfCloseLetsTheCloseWaitSideKeepSending() {
        List<TraceEvent> ev = run("half-close").events();
        long closeWait = stateTime(ev, "server", "ESTABLISHED->CLOSE-WAIT");
        long lastAck = stateTime(ev, "server", "CLOSE-WAIT->LAST-ACK");
        List<TraceEvent.SegmentEvent> dataInCloseWait = segments(ev, "server", Direction.SENT).stream()
                .filter(s -> s.payloadLength() > 0 && s.timeNs() >= closeWait && s.timeNs() < lastAck).toList();
        assertThat(dataInCloseWait).hasSize(3);
        long finWait2 = stateTime(ev, "client", "FIN-WAIT-1->FIN-WAIT-2");
        assertThat(segments(ev, "client", Direction.RECEIVED).stream()
                .filter(s -> s.payloadLength() > 0 && s.timeNs() >= finWait2)).isNotEmpty();
        assertThat(transitions(ev, "client")).contains("FIN-WAIT-2->TIME-WAIT");
    }

    @Test
    void lostFinalAckIsRepairedByTimeWaitAndNotWithoutIt() {
        ScenarioRun run = run("lost-final-ack");
        List<TraceEvent> with = run.parts().get(0).events();
        assertThat(segments(with, "network", Direction.LOST)).hasSize(1);
        assertThat(segments(with, "server", Direction.SENT)).filteredOn(s -> s.header().has(TcpFlags.FIN))
                .extracting(TraceEvent.SegmentEvent::note).containsExactly(null, "retransmission");
        assertThat(segments(with, "client", Direction.SENT)).extracting(TraceEvent.SegmentEvent::note)
                .contains("re-ACK of retransmitted FIN");
        assertThat(transitions(with, "server")).endsWith("LAST-ACK->CLOSED");
        assertThat(stateCause(with, "server", "LAST-ACK->CLOSED")).isEqualTo("rcv ACK of FIN");

        List<TraceEvent> without = run.parts().get(1).events();
        assertThat(segments(without, "client", Direction.SENT)).filteredOn(s -> s.header().has(TcpFlags.RST))
                .hasSize(1);
        assertThat(stateCause(without, "server", "LAST-ACK->CLOSED")).isEqualTo("rcv RST");
    }

    @Test
    void oldDuplicateSynIsResetAndTheRealOneSucceeds() {
        ScenarioRun run = run("old-duplicate-syn");
        List<TraceEvent> ev = run.parts().get(0).events();
        TraceEvent.SegmentEvent clientSyn = segments(ev, "client", Direction.SENT).getFirst();
        TraceEvent.SegmentEvent oldSyn = segments(ev, "old SYN", Direction.SENT).getFirst();
        assertThat(oldSyn.header().seq()).isNotEqualTo(clientSyn.header().seq());
        List<TraceEvent.SegmentEvent> server = segments(ev, "server", Direction.SENT);
        assertThat(server.get(0).header().ack()).isEqualTo(oldSyn.header().seq() + 1);
        TraceEvent.SegmentEvent rst = segments(ev, "client", Direction.SENT).get(1);
        assertThat(rst.header().flags()).isEqualTo(TcpFlags.RST);
        assertThat(rst.header().seq()).isEqualTo(oldSyn.header().seq() + 1);
        assertThat(transitions(ev, "server")).containsExactly("LISTEN->SYN-RECEIVED", "SYN-RECEIVED->LISTEN",
                "LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED");
        assertThat(server.get(1).header().ack()).isEqualTo(clientSyn.header().seq() + 1);
        assertThat(transitions(ev, "client")).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED");

        ScenarioRun.Part model = run.parts().get(1);
        assertThat(model.hypothetical()).isTrue();
        assertThat(model.frames()).isEmpty();
        assertThat(transitions(model.events(), "server")).containsExactly("LISTEN->ESTABLISHED");
    }

    @Test
    void halfOpenConnectionIsFoundAndResetAfterTheCrash() {
        List<TraceEvent> ev = run("half-open").events();
        assertThat(transitions(ev, "server")).containsExactly("LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED",
                "ESTABLISHED->CLOSED", "LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED");
        assertThat(stateCause(ev, "server", "ESTABLISHED->CLOSED")).isEqualTo("rcv RST");
        List<TraceEvent.SegmentEvent> client = segments(ev, "client", Direction.SENT);
        TraceEvent.SegmentEvent rst = client.stream().filter(s -> s.header().has(TcpFlags.RST)).findFirst()
                .orElseThrow();
        TraceEvent.SegmentEvent serverAck = segments(ev, "server", Direction.SENT).stream()
                .filter(s -> s.timeNs() < rst.timeNs() && s.header().flags() == TcpFlags.ACK).toList().getLast();
        assertThat(rst.header().seq()).isEqualTo(serverAck.header().ack());
        assertThat(transitions(ev, "client")).endsWith("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED");
    }

    @Test
    void synFloodLocksOutTheClientUnlessCookiesLetItIn() {
        ScenarioRun run = run("syn-flood");
        List<TraceEvent> off = run.parts().get(0).events();
        assertThat(transitions(off, "client")).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->CLOSED");
        assertThat(segments(off, "server", Direction.DROPPED)).filteredOn(s -> s.src().equals(Stage.LEFT))
                .isNotEmpty().allMatch(s -> s.dropReason() == DropReason.TCP_LISTEN_OVERFLOW);
        assertThat(run.parts().get(0).facts()).anyMatch(f -> f.startsWith("SYN queue: peak 64 of 64"));

        List<TraceEvent> on = run.parts().get(1).events();
        assertThat(transitions(on, "client")).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED");
        assertThat(segments(on, "server", Direction.SENT)).filteredOn(s -> s.dst().equals(Stage.LEFT))
                .first().extracting(TraceEvent.SegmentEvent::note).isEqualTo("SYN cookie");
        assertThat(run.parts().get(1).facts()).noneMatch(f -> f.equals("SYN cookies sent: 0"));
    }

    @Test
    void rstAttackDrawsOneChallengeAckAndTheConnectionLives() {
        ScenarioRun run = run("rst-attack");
        List<TraceEvent> ev = run.events();
        List<TraceEvent.SegmentEvent> challenged = segments(ev, "server", Direction.DROPPED).stream()
                .filter(s -> s.dropReason() == DropReason.TCP_RST_NOT_ACCEPTED).toList();
        assertThat(challenged).hasSize(1);
        assertThat(segments(ev, "server", Direction.SENT)).filteredOn(s -> s.note() != null
                && s.note().startsWith("challenge ACK")).hasSize(1);
        assertThat(transitions(ev, "server")).containsExactly("LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED");
        assertThat(run.parts().getFirst().facts()).contains("exactly matching, accepted: 0");
    }

    @Test
    void ecnMarkIsEchoedUntilCwrAndNothingIsResent() {
        ScenarioRun run = run("ecn");
        List<TraceEvent> ev = run.events();
        List<TraceEvent.SegmentEvent> client = segments(ev, "client", Direction.SENT);
        List<TraceEvent.SegmentEvent> server = segments(ev, "server", Direction.SENT);
        assertThat(client.getFirst().header().flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR);
        assertThat(server.getFirst().header().flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK | TcpFlags.ECE);
        // ECE on the server's ACKs from the mark until the CWR arrives, then no more.
        List<TraceEvent.SegmentEvent> acks = server.subList(1, server.size());
        int firstEce = indexOf(acks, s -> s.header().has(TcpFlags.ECE));
        // The first data segment is acknowledged at once (quick-ACK mode), before the marked second.
        assertThat(firstEce).isOne();
        assertThat(acks.getFirst().header().has(TcpFlags.ECE)).isFalse();
        acks = acks.subList(firstEce, acks.size());
        List<TraceEvent.SegmentEvent> cwr = client.stream().filter(s -> s.header().has(TcpFlags.CWR)
                && !s.header().has(TcpFlags.SYN)).toList();
        assertThat(cwr).singleElement().satisfies(s -> assertThat(s.payloadLength()).isPositive());
        // The echo lasts until the server has processed the CWR (the ACKs of segments that arrived
        // with it, but before it, still carry ECE): compare positions in the event order.
        int cwrAt = ev.indexOf(segments(ev, "server", Direction.RECEIVED).stream()
                .filter(s -> s.header().has(TcpFlags.CWR) && !s.header().has(TcpFlags.SYN)).findFirst().orElseThrow());
        assertThat(acks).filteredOn(s -> ev.indexOf(s) < cwrAt).isNotEmpty()
                .allSatisfy(s -> assertThat(s.header().has(TcpFlags.ECE)).isTrue());
        assertThat(acks).filteredOn(s -> ev.indexOf(s) > cwrAt).isNotEmpty()
                .allSatisfy(s -> assertThat(s.header().has(TcpFlags.ECE)).isFalse());
        assertThat(client).allSatisfy(s -> assertThat(s.note()).isNull());
        assertThat(run.parts().getFirst().facts()).contains("ECN in use: true",
                "client window reductions for ECE: 1, retransmissions: 0", "server segments received with CE: 1");
    }

    private static int indexOf(List<TraceEvent.SegmentEvent> list, java.util.function.Predicate<TraceEvent.SegmentEvent> p) {
        for (int i = 0; i < list.size(); i++) {
            if (p.test(list.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static long stateTime(List<TraceEvent> events, String host, String transition) {
        return events.stream().filter(e -> e instanceof TraceEvent.StateEvent s && s.host().equals(host)
                && (s.from() + "->" + s.to()).equals(transition)).findFirst().orElseThrow().timeNs();
    }

    private static String stateCause(List<TraceEvent> events, String host, String transition) {
        return events.stream().filter(e -> e instanceof TraceEvent.StateEvent s && s.host().equals(host)
                && (s.from() + "->" + s.to()).equals(transition)).map(e -> ((TraceEvent.StateEvent) e).cause())
                .findFirst().orElseThrow();
    }
}
