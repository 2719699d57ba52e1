package dev.jtcp.testutil;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.SimLink;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.sim.SimHost;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.wire.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A client and a server host joined by one simulated link, with every trace event recorded: the
 * usual stage for scenario tests. Addresses: client 198.18.0.1 and fd00::1, server 198.18.0.2 and
 * fd00::2.
 */
public final class TwoHosts {
    public static final IpAddress CLIENT = IpAddress.parse("198.18.0.1");
    public static final IpAddress SERVER = IpAddress.parse("198.18.0.2");
    public static final IpAddress CLIENT6 = IpAddress.parse("fd00::1");
    public static final IpAddress SERVER6 = IpAddress.parse("fd00::2");
    public static final long MS = 1_000_000L;
    public static final long S = 1_000_000_000L;

    public final SimNetwork net;
    public final Host client;
    public final Host server;
    public final SimLink link;
    public final List<TraceEvent> events = new ArrayList<>();

    public TwoHosts(long seed) {
        this(seed, TcpConfig.defaults(), Impairments.builder().delayNs(10 * MS).build());
    }

    public TwoHosts(long seed, TcpConfig config, Impairments impairments) {
        this(seed, config, config, impairments, impairments);
    }

    public TwoHosts(long seed, TcpConfig clientConfig, TcpConfig serverConfig, Impairments toServer,
                    Impairments toClient) {
        net = new SimNetwork(seed);
        SplittableRandom r = new SplittableRandom(seed);
        Tracer tracer = events::add;
        client = new Host("client", clientConfig, r.split()).addAddress("198.18.0.1/24").addAddress("fd00::1/64")
                .tracer(tracer);
        server = new Host("server", serverConfig, r.split()).addAddress("198.18.0.2/24").addAddress("fd00::2/64")
                .tracer(tracer);
        link = SimHost.connect(net, new SimHost(client), new SimHost(server), toServer, toClient);
    }

    /** Gives {@code host}'s connections the ISNs {@code isns}, in order (the last repeats). */
    public static void fixIsns(Host host, int... isns) {
        int[] next = {0};
        host.isnSource((t, a, b, c, d, e, f) -> isns[Math.min(next[0]++, isns.length - 1)]);
    }

    /**
     * The segments sent by both hosts, in order, as {@code "client [S] 100"} or {@code "server [S.]
     * 300 ack 101"} (absolute sequence numbers, ACK shown when set, length when non-zero, and
     * "lost"/notes in parentheses).
     */
    public List<String> wire() {
        List<String> out = new ArrayList<>();
        for (TraceEvent e : events) {
            if (e instanceof TraceEvent.SegmentEvent s && s.direction() == TraceEvent.Direction.SENT) {
                out.add(describe(s));
            }
        }
        return out;
    }

    public static String describe(TraceEvent.SegmentEvent s) {
        StringBuilder sb = new StringBuilder(s.host()).append(" [")
                .append(dev.jtcp.wire.TcpFlags.toString(s.header().flags() & ~dev.jtcp.wire.TcpFlags.PSH))
                .append("] ").append(Integer.toUnsignedString(s.header().seq()));
        if (s.header().has(dev.jtcp.wire.TcpFlags.ACK)) {
            sb.append(" ack ").append(Integer.toUnsignedString(s.header().ack()));
        }
        if (s.payloadLength() > 0) {
            sb.append(" len ").append(s.payloadLength());
        }
        return sb.toString();
    }

    public long now() {
        return net.nowNs();
    }

    public void runFor(long ns) {
        net.runFor(ns);
    }

    /** Segment events of one direction at one host, in order. */
    public List<TraceEvent.SegmentEvent> segments(String host, TraceEvent.Direction direction) {
        List<TraceEvent.SegmentEvent> out = new ArrayList<>();
        for (TraceEvent e : events) {
            if (e instanceof TraceEvent.SegmentEvent s && s.host().equals(host) && s.direction() == direction) {
                out.add(s);
            }
        }
        return out;
    }

    /** State changes at one host, as "FROM->TO" strings. */
    public List<String> transitions(String host) {
        List<String> out = new ArrayList<>();
        for (TraceEvent e : events) {
            if (e instanceof TraceEvent.StateEvent s && s.host().equals(host) && s.connection().remotePort() != 0) {
                out.add(s.from() + "->" + s.to());
            }
        }
        return out;
    }
}
