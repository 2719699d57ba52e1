package dev.jtcp.scenario;

import static dev.jtcp.scenario.OpenScenarios.PORT;
import static dev.jtcp.scenario.Stage.LEFT;
import static dev.jtcp.scenario.Stage.MS;
import static dev.jtcp.scenario.Stage.RIGHT;
import static dev.jtcp.scenario.Stage.S;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.TraceEvent.Direction;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.trace.LadderBuilder;
import dev.jtcp.trace.Narrator;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpOption;
import dev.jtcp.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The anomalies of RFC 9293 §3.5.1 and §3.5.2: an old duplicate SYN, which the three-way handshake
 * exists to reject (shown beside what a two-way handshake would have done), and a half-open
 * connection left behind by a crash.
 *
 * <p>Thread-safe: stateless.
 */
final class AnomalyScenarios {
    static final int CLIENT_PORT = 40000;

    private AnomalyScenarios() {}

    static List<Scenario> all() {
        return List.of(
                new ScriptedScenario("old-duplicate-syn", "a stale SYN reaches the server first; the handshake"
                        + " rejects it (and beside it, what a two-way handshake would have done)",
                        AnomalyScenarios::oldDuplicateSyn),
                new ScriptedScenario("half-open", "the client crashes and reconnects from the same port; the"
                        + " server's stale connection is found and reset", AnomalyScenarios::halfOpen));
    }

    static ScenarioRun oldDuplicateSyn(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        st.right().listen(st.now(), PORT, 16);
        st.path().hold(1, (ip, tcp) -> ip.src().equals(LEFT) && tcp.flags() == TcpFlags.SYN, 2 * st.rtt(),
                "held up in the network");
        TcpConnection c = st.tune(st.left().connect(st.now(), RIGHT, PORT, CLIENT_PORT));
        int iss = c.status().iss();
        TcpSegment old = new TcpSegment();
        old.srcPort = CLIENT_PORT;
        old.dstPort = PORT;
        old.seq = iss - 10;
        old.flags = TcpFlags.SYN;
        old.window = 65535;
        old.options.mss = 1460;
        st.path().inject(st.now(), "old SYN", LEFT, RIGHT, old);
        TcpConnection s = st.accept(st.right().listeners().getFirst());
        st.runFor(st.rtt());
        String intro = "The client opens a connection from port " + CLIENT_PORT + ", but its SYN is held up in"
                + " the network. Meanwhile an old duplicate SYN, left over from an earlier attempt on the same"
                + " ports, reaches the server. The server cannot tell it is stale and answers it. The client"
                + " sees a SYN,ACK that acknowledges a sequence number it is not using, knows it is bogus, and"
                + " resets it; the server returns to LISTEN. When the real SYN arrives the handshake goes"
                + " through (RFC 9293 §3.5, Figure 9). The third segment is what gives the client this say.";
        Narrator n = new Narrator().rule(ctx -> {
            if (ctx.segment() != null && ctx.segment().host().equals("old SYN")) {
                return "A SYN from an earlier attempt by the client, on the same ports, that lingered in the"
                        + " network. Its sequence number (shown relative to the client's current ISN) belongs to"
                        + " that old attempt.";
            }
            if (ctx.event() instanceof TraceEvent.StateEvent s2 && s2.to() == TcpState.LISTEN
                    && s2.from() == TcpState.SYN_RECEIVED) {
                return "The RST matches the server's half-made connection exactly, so the server drops it and"
                        + " goes back to LISTEN (RFC 9293 §3.10.7.4): no resources stay tied up.";
            }
            return null;
        });
        ScenarioRun.Part real = st.part("Three-way handshake rejects an old SYN", intro,
                OpenScenarios.facts(c, s), n, b -> b.column("client", null).column("old SYN", null)
                        .column("server", null), null);
        return new ScenarioRun("old-duplicate-syn", "Old duplicate SYN: why the handshake has three steps",
                List.of(real, twoWayModel(o)));
    }

    /**
     * What a two-way handshake (SYN, then SYN,ACK, and the connection is open) would do with the same
     * old SYN. jtcp does not implement this; the events are written by hand, and say so.
     */
    private static ScenarioRun.Part twoWayModel(ScenarioOptions o) {
        long oneWay = o.rttNs() / 2;
        List<TraceEvent> ev = new ArrayList<>();
        ConnectionKey server = new ConnectionKey(RIGHT, PORT, LEFT, CLIENT_PORT);
        ConnectionKey listener = new ConnectionKey(RIGHT, PORT, IpAddress.ANY_V4, 0);
        int oldIsn = 1_000_000;
        int serverIsn = 7_000_000;
        TcpHeader syn = new TcpHeader(CLIENT_PORT, PORT, oldIsn, 0, TcpFlags.SYN, 65535, 0,
                List.of(new TcpOption.Mss(1460)));
        TcpHeader synAck = new TcpHeader(PORT, CLIENT_PORT, serverIsn, oldIsn + 1, TcpFlags.SYN | TcpFlags.ACK, 65535,
                0, List.of(new TcpOption.Mss(1460)));
        ev.add(new TraceEvent.NoteEvent(0, "network", "HYPOTHETICAL: a two-way handshake, not TCP"));
        ev.add(new TraceEvent.StateEvent(0, "server", listener, TcpState.CLOSED, TcpState.LISTEN, "listen()"));
        ev.add(new TraceEvent.NoteEvent(0, "client", "no connection: its old attempt ended long ago"));
        ev.add(new TraceEvent.SegmentEvent(0, "old SYN", Direction.SENT, LEFT, RIGHT, syn, 0, null, null));
        ev.add(new TraceEvent.SegmentEvent(oneWay, "server", Direction.RECEIVED, LEFT, RIGHT, syn, 0, null, null));
        ev.add(new TraceEvent.StateEvent(oneWay, "server", server, TcpState.LISTEN, TcpState.ESTABLISHED,
                "rcv SYN (two-way rule)"));
        ev.add(new TraceEvent.SegmentEvent(oneWay, "server", Direction.SENT, RIGHT, LEFT, synAck, 0, null, null));
        ev.add(new TraceEvent.SegmentEvent(2 * oneWay, "client", Direction.DROPPED, RIGHT, LEFT, synAck, 0,
                DropReason.TCP_NO_CONNECTION, null));
        ev.add(new TraceEvent.NoteEvent(60 * S, "server", "still ESTABLISHED, waiting for data that never comes"));
        String intro = "HYPOTHETICAL, not TCP: suppose a connection were open as soon as the server answered a"
                + " SYN. The same old SYN arrives; the server allocates a connection, answers, and considers"
                + " it ESTABLISHED. The client has no such connection and ignores the answer, but under a"
                + " two-way rule it has no message with which to say \"that was not me\". The server keeps a"
                + " connection nobody uses, with its buffers, until some timeout, if it has one. Every stale or"
                + " forged SYN would do the same.";
        Narrator n = new Narrator().rule(ctx -> switch (ctx.event()) {
            case TraceEvent.StateEvent s when s.to() == TcpState.ESTABLISHED ->
                    "Under the two-way rule the server is ESTABLISHED at once: it sets aside buffers and state"
                            + " for a client that never asked.";
            case TraceEvent.SegmentEvent s when s.direction() == Direction.DROPPED ->
                    "The client has no connection on these ports, so it ignores the SYN,ACK. In real TCP it"
                            + " would answer with a RST; the two-way handshake has no such step.";
            case TraceEvent.SegmentEvent s when s.host().equals("old SYN") ->
                    "The same old duplicate SYN as before.";
            default -> null;
        });
        var explanations = n.explain(ev);
        var ladder = new LadderBuilder().title("HYPOTHETICAL two-way handshake (not TCP)")
                .relative(o.relative()).explanations(explanations::get).column("client", LEFT + ":" + CLIENT_PORT)
                .column("old SYN", LEFT + ":" + CLIENT_PORT).column("server", RIGHT + ":" + PORT).build(ev);
        return new ScenarioRun.Part("HYPOTHETICAL: what a two-way handshake would do", intro, ev, ladder, List.of(),
                List.of("server: ESTABLISHED with a connection the client never wanted (model, not jtcp)"), true);
    }

    static ScenarioRun halfOpen(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        Stage.Pair p = st.open(PORT, CLIENT_PORT);
        st.write(p.client(), "hello\n");
        st.read(p.server(), 6);
        st.runFor(100 * MS);
        st.note("client", "CRASH: the client restarts, and all its TCP state is lost");
        st.leftMachine().reboot(st.newHost("client", LEFT, Stage.defaults()));
        long rebootNs = st.now();
        st.runFor(100 * MS);
        TcpConnection c = st.tune(st.left().connect(st.now(), RIGHT, PORT, CLIENT_PORT));
        TcpConnection s = st.accept(p.listener());
        st.runFor(st.rtt());
        String intro = "Client and server have a connection on ports " + CLIENT_PORT + " and " + PORT + ". The"
                + " client machine crashes and restarts, knowing nothing of it, while the server still holds it"
                + " (half-open). The client connects again from the same port. Its SYN does not fit the"
                + " server's old connection, so the server answers with an ACK showing where that connection"
                + " stands. For the client, in SYN-SENT, that ACK acknowledges nothing it sent, so it answers"
                + " with a RST carrying the acknowledged number; that RST matches the server's connection"
                + " exactly and resets it. The client's next SYN then opens a new connection (RFC 9293 §3.5.2,"
                + " Figure 11).";
        Narrator n = new Narrator().rule(ctx -> {
            TraceEvent.SegmentEvent seg = ctx.segment();
            if (seg != null && seg.direction() == Direction.SENT && seg.host().equals("server")
                    && seg.timeNs() > rebootNs && seg.header().flags() == TcpFlags.ACK
                    && ctx.stateNow() == TcpState.ESTABLISHED && seg.payloadLength() == 0) {
                return "The server still believes in the old connection. The SYN does not belong to it, so the"
                        + " server does not act on it, but answers with an ACK carrying the old connection's"
                        + " numbers (RFC 9293 §3.10.7.4; RFC 5961 §4).";
            }
            return null;
        });
        TcpConnection old = p.server();
        List<String> facts = List.of("old server connection: " + (old == null ? "never opened"
                        : old.state() + (old.error() == null ? "" : " (" + old.error() + ")")),
                "new connection: client " + (c == null ? "-" : c.state()) + ", server "
                        + (s == null ? "-" : s.state()));
        return new ScenarioRun("half-open", "Half-open connection after a crash",
                List.of(st.part("Half-open connection", intro, facts, n, b -> {}, null)));
    }
}
