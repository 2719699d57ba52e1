package dev.jtcp.scenario;

import static dev.jtcp.scenario.Stage.LEFT;
import static dev.jtcp.scenario.Stage.PATIENCE_NS;
import static dev.jtcp.scenario.Stage.RIGHT;

import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.trace.Narrator;
import dev.jtcp.wire.TcpFlags;
import java.util.List;

/**
 * Scenarios about opening a connection: the plain three-way handshake (with and without data and
 * a close), both sides opening at once, data on the third segment, a lost SYN, a refused
 * connection.
 *
 * <p>Thread-safe: stateless.
 */
final class OpenScenarios {
    static final int PORT = 80;
    static final String REQUEST = "GET /hello HTTP/1.0\r\n\r\n";
    static final String REPLY = "HTTP/1.0 200 OK\r\n\r\nhello, world\n";

    private OpenScenarios() {}

    static List<Scenario> all() {
        return List.of(
                new ScriptedScenario("basic", "(the default) handshake, a request and a reply, the four-way close",
                        OpenScenarios::basic),
                new ScriptedScenario("handshake", "the three-way handshake: SYN, SYN,ACK, ACK",
                        OpenScenarios::handshake),
                new ScriptedScenario("simultaneous-open", "both ends send a SYN at the same time: four segments,"
                        + " both pass through SYN-RECEIVED", OpenScenarios::simultaneousOpen),
                new ScriptedScenario("data-on-third-ack", "the ACK that completes the handshake already carries"
                        + " the client's request", OpenScenarios::dataOnThirdAck),
                new ScriptedScenario("lost-syn", "the first two SYNs are lost; the client retries after 1 s,"
                        + " then 2 s more (exponential backoff)", OpenScenarios::lostSyn),
                new ScriptedScenario("refused", "nobody listens on the port: the SYN is answered with RST",
                        OpenScenarios::refused));
    }

    static ScenarioRun basic(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        Stage.Pair p = st.open(PORT, 0);
        st.write(p.client(), REQUEST);
        st.read(p.server(), REQUEST.length());
        st.write(p.server(), REPLY);
        st.read(p.client(), REPLY.length());
        st.close(p.client());
        st.awaitEndOfStream(p.server());
        st.close(p.server());
        st.settle(PATIENCE_NS);
        String intro = "A client opens a connection to a server with the three-way handshake, sends a small"
                + " request, gets a small reply, and closes; the server closes too. Each direction is closed by"
                + " its own FIN and ACK, hence four segments to close. The client, which closed first, waits in"
                + " TIME-WAIT for 2MSL (twice the maximum segment lifetime: two minutes here) before the connection"
                + " is gone.";
        return new ScenarioRun("basic", "A whole TCP connection: open, exchange, close",
                List.of(st.part("Handshake, data each way, four-way close", intro, List.of(), new Narrator(),
                        b -> {}, null)));
    }

    static ScenarioRun handshake(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        Stage.Pair p = st.open(PORT, 0);
        st.runFor(st.rtt());
        String intro = "Each side must learn the other's initial sequence number (ISN) and know that its own was"
                + " received. The client's SYN carries its ISN; the server's SYN,ACK acknowledges it and carries"
                + " the server's ISN; the client's ACK acknowledges that. Two messages would leave the server"
                + " unsure that the client is there and agrees (see old-duplicate-syn).";
        return new ScenarioRun("handshake", "The three-way handshake",
                List.of(st.part("Three-way handshake", intro, facts(p.client(), p.server()), new Narrator(),
                        b -> {}, null)));
    }

    static ScenarioRun simultaneousOpen(ScenarioOptions o) {
        Stage st = new Stage(o, "A", "B", Stage.defaults());
        TcpConnection a = st.tune(st.left().connect(st.now(), RIGHT, 7000, 6000));
        TcpConnection b = st.tune(st.right().connect(st.now(), LEFT, 6000, 7000));
        st.runUntil(() -> a.state() == TcpState.ESTABLISHED && b.state() == TcpState.ESTABLISHED, PATIENCE_NS);
        st.runFor(st.rtt());
        String intro = "A and B each actively open a connection to the other, port 6000 to port 7000, at the"
                + " same moment. Their SYNs cross in the network. Each receives a SYN while waiting for a"
                + " SYN,ACK, moves to SYN-RECEIVED and answers with SYN,ACK; each SYN,ACK then completes the other"
                + " side's handshake. One connection results, after four segments instead of three"
                + " (RFC 9293 §3.5, Figure 8).";
        return new ScenarioRun("simultaneous-open", "Simultaneous open",
                List.of(st.part("Simultaneous open", intro, facts(a, b), new Narrator(), l -> {}, null)));
    }

    static ScenarioRun dataOnThirdAck(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        TcpListener listener = st.right().listen(st.now(), PORT, 16);
        TcpConnection c = st.tune(st.left().connect(st.now(), RIGHT, PORT));
        st.write(c, REQUEST);
        TcpConnection s = st.accept(listener);
        String got = st.read(s, REQUEST.length());
        st.runFor(st.rtt());
        String intro = "The client's application writes its request right after connect(), before the handshake"
                + " is over. The data waits in the send buffer; once the SYN,ACK arrives the client is"
                + " ESTABLISHED, and the segment that acknowledges the server's SYN carries the request with it."
                + " The first two segments carry no data here: RFC 9293 allows data on a SYN, but the receiver"
                + " may not deliver it before the handshake completes, so stacks normally send none (TCP Fast"
                + " Open, RFC 7413, is the exception).";
        Narrator n = new Narrator().rule(ctx -> {
            var seg = ctx.segment();
            if (seg != null && seg.direction() == dev.jtcp.event.TraceEvent.Direction.SENT
                    && seg.host().equals("client") && seg.payloadLength() > 0 && !seg.header().has(TcpFlags.SYN)
                    && ctx.stateBefore() == TcpState.SYN_SENT) {
                return "The SYN,ACK arrives: the client is ESTABLISHED, and its ACK of the server's SYN, the third"
                        + " segment of the handshake, carries the " + seg.payloadLength() + "-byte request that"
                        + " was waiting.";
            }
            return null;
        });
        List<String> facts = List.of("server read: " + got.strip().replace("\r\n", " "));
        return new ScenarioRun("data-on-third-ack", "Data on the handshake's third segment",
                List.of(st.part("Data on the third segment", intro, facts, n, b -> {}, null)));
    }

    static ScenarioRun lostSyn(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        st.path().drop(2, (ip, tcp) -> ip.src().equals(LEFT) && tcp.flags() == TcpFlags.SYN, "lost in the network");
        Stage.Pair p = st.open(PORT, 0);
        st.runFor(st.rtt());
        String intro = "The network loses the client's first SYN, and then its first retry. The client cannot"
                + " tell a lost SYN from a slow server, so it waits for its retransmission timer: 1 s at first"
                + " (RFC 6298 §2.1), doubled after each expiry (§5.5). The third SYN gets through, three seconds"
                + " after the first.";
        return new ScenarioRun("lost-syn", "Lost SYN: retransmission with backoff",
                List.of(st.part("Lost SYNs", intro, facts(p.client(), p.server()), new Narrator(), b -> {}, null)));
    }

    static ScenarioRun refused(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        TcpConnection c = st.tune(st.left().connect(st.now(), RIGHT, PORT));
        st.runUntil(() -> c.state() == TcpState.CLOSED, PATIENCE_NS);
        st.runFor(st.rtt());
        String intro = "The server has no listener on port " + PORT + ". A segment that belongs to no connection"
                + " is answered with a RST, unless it is a RST itself (RFC 9293 §3.10.7.1). This one carries ACK"
                + " = the SYN's sequence number + 1, so the client can tell it is a reply to its SYN: the"
                + " connection is refused and the client is CLOSED.";
        List<String> facts = List.of("client: " + c.state() + (c.error() == null ? "" : ", error " + c.error()));
        return new ScenarioRun("refused", "Connection refused",
                List.of(st.part("Connection refused", intro, facts, new Narrator(), b -> {}, null)));
    }

    /** The states each side ended in. */
    static List<String> facts(TcpConnection a, TcpConnection b) {
        return List.of(describe(a), describe(b));
    }

    private static String describe(TcpConnection c) {
        if (c == null) {
            return "(no connection)";
        }
        return c.key() + ": " + c.state() + (c.error() == null ? "" : " (" + c.error() + ")");
    }
}
