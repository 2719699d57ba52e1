package dev.jtcp.link.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.TraceEvent.Direction;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.sim.SimHost;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinkTracerTest {
    private final List<TraceEvent> events = new ArrayList<>();

    private SimNetwork network(Impairments toServer) {
        SimNetwork net = new SimNetwork(7);
        SplittableRandom r = new SplittableRandom(7);
        Host client = new Host("client", TcpConfig.defaults(), r.split()).addAddress("198.18.0.1/24")
                .tracer(events::add);
        Host server = new Host("server", TcpConfig.defaults(), r.split()).addAddress("198.18.0.2/24")
                .tracer(events::add);
        SimHost.connect(net, new SimHost(client), new SimHost(server), toServer, Impairments.NONE);
        net.addTap(new LinkTracer(events::add));
        server.listen(0, 80, 4);
        client.connect(0, IpAddress.parse("198.18.0.2"), 80);
        return net;
    }

    @Test
    void aSegmentLostOnTheLinkIsTracedAsLostWithItsHeader() {
        SimNetwork net = network(Impairments.builder().lossProbability(1.0).build());
        net.runFor(100_000_000L);

        List<TraceEvent.SegmentEvent> segments = events.stream()
                .filter(e -> e instanceof TraceEvent.SegmentEvent).map(e -> (TraceEvent.SegmentEvent) e).toList();
        assertThat(segments).extracting(TraceEvent.SegmentEvent::direction).containsExactly(Direction.SENT,
                Direction.LOST);
        TraceEvent.SegmentEvent sent = segments.get(0);
        TraceEvent.SegmentEvent lost = segments.get(1);
        assertThat(lost.header()).isEqualTo(sent.header());
        assertThat(lost.header().flags()).isEqualTo(TcpFlags.SYN);
        assertThat(lost.src()).isEqualTo(sent.src());
        assertThat(lost.host()).isEqualTo("client");
        assertThat(lost.note()).isEqualTo("lost on link0");
    }

    @Test
    void aDuplicatedSegmentIsNoted() {
        SimNetwork net = network(Impairments.builder().duplicateProbability(1.0).build());
        net.runFor(100_000_000L);

        assertThat(events).filteredOn(e -> e instanceof TraceEvent.NoteEvent).isNotEmpty()
                .allMatch(e -> ((TraceEvent.NoteEvent) e).text().startsWith("link0 duplicated"));
    }
}
