package dev.jtcp.cli;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.link.Impairments;
import dev.jtcp.link.sim.SimHost;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpFlags;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jtcp demo}: a client and a server on the simulated network, handshake, a little data each
 * way, and the four-way close, printed event by event.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a TCP connection on the simulated network and show every segment and state change.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--seed", description = "Random seed (default ${DEFAULT-VALUE}).", defaultValue = "1")
    long seed;

    @Option(names = "--rtt", description = "Round-trip time in milliseconds (default ${DEFAULT-VALUE}).",
            defaultValue = "20")
    long rttMs;

    @Override
    public Integer call() {
        long ms = 1_000_000L;
        SimNetwork net = new SimNetwork(seed);
        SplittableRandom r = new SplittableRandom(seed);
        Host client = new Host("client", TcpConfig.defaults(), r.split()).addAddress("198.18.0.1/24");
        Host server = new Host("server", TcpConfig.defaults(), r.split()).addAddress("198.18.0.2/24");
        client.tracer(this::print);
        server.tracer(this::print);
        Impairments oneWay = Impairments.builder().delayNs(rttMs * ms / 2).build();
        SimHost.connect(net, new SimHost(client), new SimHost(server), oneWay, oneWay);
        TcpListener listener = server.listen(0, 80, 16);
        TcpConnection c = client.connect(0, IpAddress.parse("198.18.0.2"), 80);
        net.runFor(10 * rttMs * ms);
        TcpConnection s = listener.accept();
        c.send(net.nowNs(), ByteBuffer.wrap("GET /".getBytes(StandardCharsets.US_ASCII)));
        net.runFor(10 * rttMs * ms);
        s.receive(net.nowNs(), ByteBuffer.allocate(100));
        s.send(net.nowNs(), ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
        net.runFor(10 * rttMs * ms);
        c.receive(net.nowNs(), ByteBuffer.allocate(100));
        c.close(net.nowNs());
        net.runFor(10 * rttMs * ms);
        s.close(net.nowNs());
        net.runFor(300_000 * ms);
        return 0;
    }

    private void print(TraceEvent e) {
        String t = String.format("%10.3f ms  %-6s ", e.timeNs() / 1e6, e.host());
        switch (e) {
            case TraceEvent.SegmentEvent s -> System.out.println(t + s.direction().name().toLowerCase() + " "
                    + TcpFlags.toString(s.header().flags()) + " seq " + Integer.toUnsignedString(s.header().seq())
                    + (s.header().has(TcpFlags.ACK) ? " ack " + Integer.toUnsignedString(s.header().ack()) : "")
                    + " len " + s.payloadLength());
            case TraceEvent.StateEvent s -> System.out.println(t + s.from() + " -> " + s.to() + "  (" + s.cause() + ")");
            default -> {
            }
        }
    }
}
