package dev.jtcp.scenario;

import static dev.jtcp.scenario.OpenScenarios.PORT;
import static dev.jtcp.scenario.OpenScenarios.REPLY;
import static dev.jtcp.scenario.OpenScenarios.REQUEST;
import static dev.jtcp.scenario.Stage.LEFT;
import static dev.jtcp.scenario.Stage.MS;
import static dev.jtcp.scenario.Stage.PATIENCE_NS;
import static dev.jtcp.scenario.Stage.RIGHT;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.tcp.FastOpen;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.trace.Narrator;
import dev.jtcp.wire.TcpFlags;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * TCP Fast Open (RFC 7413): a first connection fetches a cookie with an ordinary three-way
 * handshake; the second sends the cookie and its request in the SYN, and the server answers one
 * round trip sooner.
 *
 * <p>Thread-safe: stateless.
 */
final class FastOpenScenarios {
    /** The server's Fast Open key, fixed so both parts (two separate runs) agree on the cookie. */
    private static final String KEY = "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4";

    private FastOpenScenarios() {}

    static List<Scenario> all() {
        return List.of(new ScriptedScenario("fast-open", "TCP Fast Open: a first visit fetches a cookie, the"
                + " return visit sends its request in the SYN (0-RTT)", FastOpenScenarios::fastOpen));
    }

    static ScenarioRun fastOpen(ScenarioOptions o) {
        Visit first = visit(o, null);
        Visit second = visit(o, first.cookie);
        ScenarioRun.Part one = first.stage.part("First visit: three-way handshake, cookie requested",
                "The client has never talked to this server. Its SYN carries an empty Fast Open option: a"
                        + " request for a cookie (RFC 7413 §4.1.1). The server computes one from the client's"
                        + " address and its secret key and returns it in the SYN,ACK; the client caches it."
                        + " The request goes out only after the handshake, on the third segment, so the reply"
                        + " comes two round trips after the client started.",
                first.facts(), narrator(), b -> {}, null);
        ScenarioRun.Part two = second.stage.part("Return visit: the request rides on the SYN",
                "The client connects again with the cached cookie. Its SYN carries the cookie and the"
                        + " request. The cookie proves the client received a SYN,ACK at this address before,"
                        + " so the server accepts the data at once (RFC 7413 §4.2.2): its SYN,ACK acknowledges"
                        + " the request, the application reads it and replies while the handshake is still"
                        + " completing. The reply comes one round trip after the client started: a round"
                        + " trip saved. The data in a SYN may arrive twice (a retransmitted SYN), so Fast"
                        + " Open is for requests that are safe to repeat (RFC 7413 §6.3.1).",
                second.facts(), narrator(), b -> {}, null);
        return new ScenarioRun("fast-open", "TCP Fast Open: data in the SYN", List.of(one, two));
    }

    /** One connection: request, reply; what it took. */
    private record Visit(Stage stage, TcpConnection client, TcpConnection server, long replyAfterNs, byte[] cookie,
                         String serverRead) {
        List<String> facts() {
            return List.of("reply complete at the client after " + replyAfterNs / MS + " ms (round trip "
                            + stage.rtt() / MS + " ms)",
                    "request in the SYN accepted: " + (server != null && server.synDataAccepted() ? "yes" : "no"),
                    "server read: " + serverRead.strip().replace("\r\n", " "));
        }
    }

    private static Visit visit(ScenarioOptions o, byte[] cookie) {
        Stage st = new Stage(o, "client", "server", TcpConfig.defaults());
        st.left().fastOpen().mode(FastOpen.CLIENT);
        st.right().fastOpen().mode(FastOpen.SERVER);
        st.right().fastOpen().key(KEY);
        if (cookie != null) {
            st.left().fastOpen().cacheCookie(RIGHT, cookie);
        }
        TcpListener listener = st.right().listen(st.now(), PORT, 16);
        listener.fastOpen(16);
        long start = st.now();
        ByteBuffer request = ByteBuffer.wrap(REQUEST.getBytes(StandardCharsets.US_ASCII));
        TcpConnection c = st.tune(st.left().connectFastOpen(st.now(), RIGHT, PORT, 0, request));
        if (request.hasRemaining()) {
            c.send(st.now(), request); // no cookie yet: the request waits for the handshake
        }
        st.runUntil(() -> listener.acceptQueueLength() > 0, PATIENCE_NS);
        TcpConnection s = st.tune(listener.accept());
        String got = st.read(s, REQUEST.length());
        st.write(s, REPLY);
        st.read(c, REPLY.length());
        long replyAfter = st.now() - start;
        st.runUntil(() -> c.state() == TcpState.ESTABLISHED && s != null && s.state() == TcpState.ESTABLISHED,
                PATIENCE_NS);
        st.runFor(st.rtt());
        byte[] cached = st.left().fastOpen().cachedCookie(RIGHT);
        return new Visit(st, c, s, replyAfter, cached, got);
    }

    private static Narrator narrator() {
        return new Narrator().rule(ctx -> {
            if (!(ctx.event() instanceof TraceEvent.SegmentEvent seg) || seg.direction() != TraceEvent.Direction.SENT
                    || !seg.header().has(TcpFlags.SYN)) {
                return null;
            }
            String opts = seg.header().options().toString();
            boolean fo = opts.contains("opt-34");
            if (seg.host().equals("client") && fo && seg.payloadLength() > 0) {
                return "SYN with the cached cookie and the " + seg.payloadLength() + "-byte request.";
            }
            if (seg.host().equals("client") && fo) {
                return "SYN with an empty Fast Open option: a cookie request.";
            }
            if (seg.host().equals("server") && fo) {
                return "The SYN,ACK carries a cookie for this client (a MAC of its address under the server's key).";
            }
            if (seg.host().equals("server")) {
                return "The cookie is valid: the SYN,ACK acknowledges the request as well as the SYN.";
            }
            return null;
        });
    }
}
