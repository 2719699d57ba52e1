package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.testutil.TwoHosts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveLadderTest {
    @Test
    void drawsOneHostsViewAsItHappens() {
        TwoHosts t = new TwoHosts(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LiveLadder ladder = new LiveLadder(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        t.client.tracer(e -> {
            t.events.add(e);
            ladder.onEvent(e);
        });
        TcpListener l = t.server.listen(0, 80, 8);
        TcpConnection c = t.client.connect(0, TwoHosts.SERVER, 80);
        t.runFor(100 * TwoHosts.MS);
        c.close(t.now());
        t.runFor(100 * TwoHosts.MS);
        l.accept().close(t.now());
        t.runFor(100 * TwoHosts.MS);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.getFirst()).contains("time", "state", "jtcp", "peer");
        assertThat(lines).anyMatch(s -> s.contains("|--- SYN seq=0 <mss 1460") && s.endsWith("198.18.0.2:80"));
        assertThat(lines).anyMatch(s -> s.contains("|<-- SYN,ACK seq=0 ack=1"));
        assertThat(lines).anyMatch(s -> s.contains("ESTABLISHED") && s.contains("SYN-SENT -> ESTABLISHED"));
        assertThat(lines).anyMatch(s -> s.contains("|--- FIN,ACK seq=1 ack=1"));
        assertThat(lines).anyMatch(s -> s.contains("FIN-WAIT-2 -> TIME-WAIT"));
        // Every segment the client sent or received has its row, in event order.
        long segments = t.events.stream().filter(e -> e instanceof TraceEvent.SegmentEvent && e.host().equals("client"))
                .count();
        assertThat(lines.stream().filter(s -> s.contains("|--- ") || s.contains("|<-- ")).count()).isEqualTo(segments);
    }
}
