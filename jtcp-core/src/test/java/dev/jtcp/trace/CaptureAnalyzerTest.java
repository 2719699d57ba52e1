package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.pcap.CaptureReader;
import dev.jtcp.pcap.PcapWriter;
import dev.jtcp.scenario.Frame;
import dev.jtcp.scenario.ScenarioOptions;
import dev.jtcp.scenario.ScenarioRun;
import dev.jtcp.scenario.Scenarios;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The analyser on captures jtcp wrote of its own scenarios: it must tell how each connection opened
 * and closed, and infer from the packets alone the very state sequence the engine traced.
 */
class CaptureAnalyzerTest {
    static byte[] pcap(List<Frame> frames) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(out)) {
            for (Frame f : frames) {
                w.write(f.timeNs(), ByteBuffer.wrap(f.bytes()));
            }
        }
        return out.toByteArray();
    }

    static CaptureAnalyzer.Analysis analyze(ScenarioRun.Part part, int collect) throws IOException {
        return CaptureAnalyzer.analyze(CaptureReader.of(pcap(part.frames())), collect, n -> {});
    }

    static ScenarioRun.Part part(String scenario, int index) {
        return Scenarios.find(scenario).orElseThrow().run(ScenarioOptions.defaults()).parts().get(index);
    }

    /** The engine's states for a host, starting with the first "from", without the unobservable end of TIME-WAIT. */
    static List<TcpState> engineStates(List<TraceEvent> events, String host) {
        List<TcpState> out = new ArrayList<>();
        for (TraceEvent e : events) {
            if (e instanceof TraceEvent.StateEvent s && s.host().equals(host) && s.connection().remotePort() != 0) {
                if (out.isEmpty()) {
                    out.add(s.from());
                }
                if (!(s.from() == TcpState.TIME_WAIT && s.to() == TcpState.CLOSED)) {
                    out.add(s.to());
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic", "handshake", "close", "simultaneous-open", "simultaneous-close", "half-close",
            "data-on-third-ack"})
    void infersTheStatesTheEngineWentThrough(String scenario) throws IOException {
        ScenarioRun.Part p = part(scenario, 0);
        ConnectionReport r = analyze(p, CaptureAnalyzer.NONE).connections().getFirst();
        String left = p.ladder().columns().get(0).name();
        String right = p.ladder().columns().get(1).name();
        assertThat(r.statesA()).as(scenario + " " + left).isEqualTo(engineStates(p.events(), left));
        assertThat(r.statesB()).as(scenario + " " + right).isEqualTo(engineStates(p.events(), right));
    }

    @Test
    void basicIsAThreeWayOpenAndAFourWayClose() throws IOException {
        CaptureAnalyzer.Analysis a = analyze(part("basic", 0), CaptureAnalyzer.NONE);
        assertThat(a.connections()).hasSize(1);
        ConnectionReport r = a.connections().getFirst();
        assertThat(r.aName()).isEqualTo("client");
        assertThat(r.opening()).isEqualTo("three-way handshake");
        assertThat(r.closing()).isEqualTo("four-way: client closed first (FIN, ACK, FIN, ACK)");
        assertThat(r.bytesAtoB()).isEqualTo(23);
        assertThat(r.bytesBtoA()).isEqualTo(32);
        assertThat(r.packets()).isEqualTo(11);
        assertThat(r.anomalies()).isEmpty();
        assertThat(a.summary()).startsWith("11 packets, 11 TCP in 1 connection; nothing skipped");
        assertThat(r.format(0)).contains("TIME-WAIT (then CLOSED after 2MSL)");
    }

    @Test
    void tellsHowEachScenarioOpenedAndClosed() throws IOException {
        assertThat(analyze(part("simultaneous-open", 0), CaptureAnalyzer.NONE).connections().getFirst().opening())
                .startsWith("simultaneous open");
        assertThat(analyze(part("simultaneous-close", 0), CaptureAnalyzer.NONE).connections().getFirst().closing())
                .startsWith("simultaneous");
        assertThat(analyze(part("data-on-third-ack", 0), CaptureAnalyzer.NONE).connections().getFirst().opening())
                .isEqualTo("three-way handshake; the third segment carried data");
        ConnectionReport refused = analyze(part("refused", 0), CaptureAnalyzer.NONE).connections().getFirst();
        assertThat(refused.opening()).isEqualTo("refused: server answered the SYN with RST");
        assertThat(refused.closing()).startsWith("never opened");
        assertThat(refused.statesA()).containsExactly(TcpState.CLOSED, TcpState.SYN_SENT, TcpState.CLOSED);
        assertThat(refused.statesB()).containsExactly(TcpState.CLOSED);
        assertThat(analyze(part("half-close", 0), CaptureAnalyzer.NONE).connections().getFirst().closing()).startsWith("four-way");
        assertThat(analyze(part("handshake", 0), CaptureAnalyzer.NONE).connections().getFirst().closing()).startsWith("still open");
    }

    @Test
    void reportsRetransmissionsResetsAndBlindRsts() throws IOException {
        assertThat(analyze(part("lost-syn", 0), CaptureAnalyzer.NONE).connections().getFirst().anomalies())
                .containsEntry("SYN retransmitted by client", 2L);
        assertThat(analyze(part("lost-final-ack", 0), CaptureAnalyzer.NONE).connections().getFirst().anomalies())
                .containsEntry("FIN retransmitted by server", 1L);
        // Captured at the sender, the lost ACK is in the file: the close looks complete, and the RST that
        // answers the repeated FIN shows up as an anomaly.
        ConnectionReport without = analyze(part("lost-final-ack", 1), CaptureAnalyzer.NONE).connections().getFirst();
        assertThat(without.closing()).startsWith("four-way");
        assertThat(without.anomalies()).containsKeys("FIN retransmitted by server", "RST from client");

        List<ConnectionReport> halfOpen = analyze(part("half-open", 0), CaptureAnalyzer.NONE).connections();
        assertThat(halfOpen).hasSize(2);
        assertThat(halfOpen.get(0).closing()).startsWith("reset by client");
        assertThat(halfOpen.get(0).anomalies()).containsKey("SYN from client on an open connection (peer restarted?)");
        assertThat(halfOpen.get(1).opening()).isEqualTo("three-way handshake");

        ConnectionReport attacked = analyze(part("rst-attack", 0), CaptureAnalyzer.NONE).connections().getFirst();
        assertThat(attacked.closing()).startsWith("still open");
        assertThat(attacked.anomalies().get("RST from client matching no sequence number (blind or stale)"))
                .isGreaterThan(16_000L);
    }

    @Test
    void synFloodShowsManyHalfOpenConnections() throws IOException {
        CaptureAnalyzer.Analysis a = analyze(part("syn-flood", 0), CaptureAnalyzer.NONE);
        assertThat(a.connections().size()).isGreaterThan(1000);
        assertThat(a.connections()).filteredOn(r -> r.opening().startsWith("unanswered SYN")).isNotEmpty();
        assertThat(a.connections()).filteredOn(r -> r.opening().startsWith("handshake incomplete")).isNotEmpty();
    }

    @Test
    void collectsOneConnectionsEventsForItsLadder() throws IOException {
        CaptureAnalyzer.Analysis a = analyze(part("basic", 0), 0);
        Ladder ladder = new LadderBuilder().build(a.collected());
        assertThat(ladder.columns()).extracting(Ladder.Column::name).containsExactly("client", "server");
        assertThat(ladder.arrows()).hasSize(11).extracting(Ladder.Arrow::label).startsWith("SYN seq=0",
                "SYN,ACK seq=0 ack=1", "ACK seq=1 ack=1");
        assertThat(ladder.states(0)).extracting(Ladder.StateMark::to).containsExactly(TcpState.SYN_SENT,
                TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2, TcpState.TIME_WAIT);
        assertThat(ladder.initial()).containsExactly(TcpState.CLOSED, TcpState.LISTEN);
    }
}
