package dev.jtcp.scenario;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.LinkTracer;
import dev.jtcp.link.sim.SimLink;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.link.sim.SimPort;
import dev.jtcp.link.sim.SimTap;
import dev.jtcp.sim.SimHost;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.trace.LadderBuilder;
import dev.jtcp.trace.Narrator;
import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The set of every scenario: two machines, "left" (198.18.0.1) and "right" (198.18.0.2), joined
 * through a {@link ScriptedPath}, on a simulated network whose clock starts at 0. Everything they
 * do is traced into {@link #events()}, and every packet a machine (or the path, injecting) puts on
 * the wire is captured into {@link #frames()}, as tcpdump on the sender would see it.
 *
 * <p>The round-trip time is split over the two links (a quarter each way each); random loss, if
 * asked for, applies to the left machine's link in both directions.
 *
 * <p>Not thread-safe: a scenario runs on one thread.
 */
final class Stage {
    /**
     * The hosts' settings in every story: jtcp's defaults, with RFC 5681 Reno and without RACK's tail
     * loss probes. The stories are about opening and closing connections; a probe timer firing
     * beside a close (as RFC 8985 lets it, 2 × SRTT after the last segment) would add segments that
     * belong to a different lesson. The loss-recovery machinery has tests and benchmarks of its own.
     */
    static TcpConfig defaults() {
        return TcpConfig.defaults().toBuilder().congestionControl(TcpConfig.CongestionAlgorithm.RENO).rack(false)
                .build();
    }

    /** {@link #defaults()} to start building from. */
    static TcpConfig.Builder builder() {
        return defaults().toBuilder();
    }

    static final IpAddress LEFT = IpAddress.parse("198.18.0.1");
    static final IpAddress RIGHT = IpAddress.parse("198.18.0.2");
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    private final ScenarioOptions options;
    private final SimNetwork net;
    private final SplittableRandom random;
    private final List<TraceEvent> events = new ArrayList<>();
    private final List<Frame> frames = new ArrayList<>();
    private final Tracer tracer = events::add;
    private final SimHost left;
    private final SimHost right;
    private final ScriptedPath path;

    Stage(ScenarioOptions options, String leftName, String rightName, TcpConfig config) {
        this(options, leftName, config, rightName, config);
    }

    Stage(ScenarioOptions options, String leftName, TcpConfig leftConfig, String rightName, TcpConfig rightConfig) {
        this.options = options;
        this.net = new SimNetwork(options.seed());
        this.random = new SplittableRandom(options.seed());
        this.left = new SimHost(newHost(leftName, LEFT, leftConfig));
        this.right = new SimHost(newHost(rightName, RIGHT, rightConfig));
        this.path = new ScriptedPath(tracer, this::capture);
        long quarter = options.rttNs() / 4;
        Impairments lossy = Impairments.builder().delayNs(quarter).lossProbability(options.lossProbability()).build();
        Impairments clean = Impairments.builder().delayNs(quarter).build();
        SimLink l = net.connect(left, path, lossy, lossy);
        SimLink r = net.connect(path, right, clean, clean);
        left.plug(l.port(left));
        right.plug(r.port(right));
        path.plug(l.port(path), LEFT, r.port(path), RIGHT);
        net.addTap(new LinkTracer(tracer));
        net.addTap(new SimTap() {
            @Override
            public void onTransmit(long nowNs, SimPort from, ByteBuffer packet) {
                if (from.node() instanceof SimHost) {
                    capture(packet);
                }
            }
        });
    }

    /** A host with this stage's tracer, MTU and a random stream of its own. */
    Host newHost(String name, IpAddress address, TcpConfig config) {
        Host h = new Host(name, config, random.split()).addAddress(address + "/24").tracer(tracer);
        if (options.mss() > 0) {
            h.mtu(Math.max(576, options.mss() + 40));
        }
        return h;
    }

    /** Applies the chosen MSS to a connection (the MTU alone cannot go below 536 bytes of MSS). */
    TcpConnection tune(TcpConnection c) {
        if (c != null && options.mss() > 0) {
            c.maxSegmentSize(options.mss());
        }
        return c;
    }

    private void capture(ByteBuffer packet) {
        byte[] bytes = new byte[packet.remaining()];
        packet.get(packet.position(), bytes);
        frames.add(new Frame(net.nowNs(), bytes));
    }

    Host left() {
        return left.host();
    }

    Host right() {
        return right.host();
    }

    SimHost leftMachine() {
        return left;
    }

    SimHost rightMachine() {
        return right;
    }

    ScriptedPath path() {
        return path;
    }

    SimNetwork net() {
        return net;
    }

    ScenarioOptions options() {
        return options;
    }

    long now() {
        return net.nowNs();
    }

    long rtt() {
        return options.rttNs();
    }

    /** Runs until {@code done} holds (checked before each event) or {@code forNs} of virtual time pass. */
    boolean runUntil(BooleanSupplier done, long forNs) {
        return net.runWhile(() -> !done.getAsBoolean(), net.nowNs() + forNs);
    }

    void runFor(long ns) {
        net.runFor(ns);
    }

    /** Runs until nothing is left to happen, or {@code forNs} pass. */
    void settle(long forNs) {
        net.runUntilIdle(net.nowNs() + forNs);
    }

    /** How long a script waits for any one step before moving on (it only matters under heavy loss). */
    static final long PATIENCE_NS = 200 * S;

    /** A connection opened by {@link #open}: both ends, and the listener. */
    record Pair(TcpConnection client, TcpConnection server, TcpListener listener) {}

    /**
     * The usual start: the right host listens on {@code port}, the left one connects (from {@code
     * clientPort}, or an ephemeral port if 0), and the script waits until the right one has accepted.
     * {@code server} is null if the handshake never completed.
     */
    Pair open(int port, int clientPort) {
        TcpListener listener = right().listen(now(), port, 16);
        TcpConnection c = tune(left().connect(now(), RIGHT, port, clientPort));
        return new Pair(c, accept(listener), listener);
    }

    /** Waits for a connection to finish its handshake on {@code listener} and accepts it (or null). */
    TcpConnection accept(TcpListener listener) {
        runUntil(() -> listener.acceptQueueLength() > 0, PATIENCE_NS);
        return tune(listener.accept());
    }

    /** Waits until {@code c} reaches {@code state} (or the script's patience runs out). */
    boolean await(TcpConnection c, TcpState state) {
        return c != null && runUntil(() -> c.state() == state, PATIENCE_NS);
    }

    /** The application writes {@code text} (US-ASCII). */
    void write(TcpConnection c, String text) {
        if (c != null && c.state() != TcpState.CLOSED) {
            c.send(now(), ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    /** Waits until {@code bytes} can be read from {@code c} (or its stream ends), then reads them all. */
    String read(TcpConnection c, int bytes) {
        if (c == null) {
            return "";
        }
        runUntil(() -> c.readable() >= bytes || c.isEndOfStream() || c.state() == TcpState.CLOSED, PATIENCE_NS);
        ByteBuffer buf = ByteBuffer.allocate(Math.max(1, c.readable()));
        if (c.state() != TcpState.CLOSED && c.readable() > 0) {
            c.receive(now(), buf);
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
    }

    /**
     * Reads whatever arrives on {@code c} until the peer's FIN (or the connection's end); returns how
     * many bytes were read.
     */
    int awaitEndOfStream(TcpConnection c) {
        if (c == null) {
            return 0;
        }
        int[] read = {0};
        runUntil(() -> {
            if (c.readable() > 0 && c.state() != TcpState.CLOSED) {
                read[0] += c.receive(now(), ByteBuffer.allocate(c.readable()));
            }
            return c.isEndOfStream() || c.state() == TcpState.CLOSED;
        }, PATIENCE_NS);
        return read[0];
    }

    void close(TcpConnection c) {
        if (c != null && c.state() != TcpState.CLOSED) {
            c.close(now());
        }
    }

    /**
     * A part made of every event traced so far, or of what {@code select} picks from them (it may
     * leave events out and add notes), drawn with the columns and aliases {@code layout} declares
     * and explained by {@code narrator}.
     */
    ScenarioRun.Part part(String heading, String intro, List<String> facts, Narrator narrator,
                          Consumer<LadderBuilder> layout, UnaryOperator<List<TraceEvent>> select) {
        List<TraceEvent> shown = select == null ? events : select.apply(List.copyOf(events));
        var explanations = narrator.explain(shown);
        LadderBuilder builder = new LadderBuilder().title(heading).relative(options.relative())
                .explanations(explanations::get);
        layout.accept(builder);
        return new ScenarioRun.Part(heading, intro, events, builder.build(shown), frames, facts, false);
    }

    /** Narration at the current time, about {@code host} (or "network"). */
    void note(String host, String text) {
        events.add(new TraceEvent.NoteEvent(now(), host, text));
    }

    List<TraceEvent> events() {
        return events;
    }

    List<Frame> frames() {
        return frames;
    }
}
