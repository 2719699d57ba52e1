package dev.jtcp.scenario;

import static dev.jtcp.scenario.OpenScenarios.PORT;
import static dev.jtcp.scenario.OpenScenarios.REPLY;
import static dev.jtcp.scenario.OpenScenarios.REQUEST;
import static dev.jtcp.scenario.Stage.LEFT;
import static dev.jtcp.scenario.Stage.PATIENCE_NS;
import static dev.jtcp.scenario.Stage.RIGHT;
import static dev.jtcp.scenario.Stage.S;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.TraceEvent.Direction;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConfig.SynCookieMode;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.trace.Narrator;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpSegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Attacks by someone who can send packets with forged source addresses but cannot see the replies:
 * a SYN flood (with and without SYN cookies, RFC 4987) and blind RST injection (defeated by RFC
 * 5961's challenge ACKs).
 *
 * <p>Thread-safe: stateless.
 */
final class AttackScenarios {
    static final int BACKLOG = 64;
    static final int FLOOD_PER_SECOND = 100;
    static final long FLOOD_NS = 200 * S;
    static final long CLIENT_START_NS = 2 * S;
    /** Spoofed SYNs drawn in full; the rest are summarised. */
    static final int DRAWN_SPOOFS = 3;

    private AttackScenarios() {}

    static List<Scenario> all() {
        return List.of(
                new ScriptedScenario("syn-flood", "spoofed SYNs fill the server's SYN queue: a real client is"
                        + " locked out, then let in by SYN cookies", AttackScenarios::synFlood),
                new ScriptedScenario("rst-attack", "blind RSTs swept across the sequence space: the one inside"
                        + " the window draws a challenge ACK and the connection lives (RFC 5961)",
                        AttackScenarios::rstAttack));
    }

    // ================================================================================================
    // SYN flood
    // ================================================================================================

    static ScenarioRun synFlood(ScenarioOptions o) {
        long bytesPerEntry = SynQueueCost.bytesPerSynReceived();
        ScenarioRun.Part off = floodPart(o, SynCookieMode.OFF, bytesPerEntry);
        ScenarioRun.Part on = floodPart(o, SynCookieMode.ON_OVERFLOW, bytesPerEntry);
        return new ScenarioRun("syn-flood", "SYN flood, without and with SYN cookies", List.of(off, on));
    }

    private static ScenarioRun.Part floodPart(ScenarioOptions o, SynCookieMode mode, long bytesPerEntry) {
        TcpConfig serverConfig = Stage.defaults().toBuilder().synCookies(mode).build();
        Stage st = new Stage(o, "client", Stage.defaults(), "server", serverConfig);
        TcpListener listener = st.right().listen(st.now(), PORT, BACKLOG);
        SplittableRandom random = new SplittableRandom(o.seed() * 31 + 7);
        long total = FLOOD_NS / (S / FLOOD_PER_SECOND);
        int[] sent = {0};
        int[] peakQueue = {0};
        int[] peakConnections = {0};
        TcpConnection[] client = {null};
        st.note("attacker", "starts: " + FLOOD_PER_SECOND + " SYNs a second, each from a made-up address");
        Runnable flood = new Runnable() {
            @Override
            public void run() {
                IpAddress spoofed = IpAddress.ofV4(198, 19, random.nextInt(256), 1 + random.nextInt(254));
                TcpSegment syn = new TcpSegment();
                syn.srcPort = 1024 + random.nextInt(64512);
                syn.dstPort = PORT;
                syn.seq = random.nextInt();
                syn.flags = TcpFlags.SYN;
                syn.window = 64240;
                syn.options.mss = 1460;
                st.path().inject(st.now(), "attacker", spoofed, RIGHT, syn);
                sent[0]++;
                if (sent[0] == DRAWN_SPOOFS) {
                    st.note("attacker", "... and so on: " + (total - DRAWN_SPOOFS) + " more over "
                            + FLOOD_NS / S + " s, not drawn");
                }
                peakQueue[0] = Math.max(peakQueue[0], listener.synQueueLength());
                peakConnections[0] = Math.max(peakConnections[0], st.right().connectionCount());
                if (sent[0] < total) {
                    st.net().schedule(st.now() + S / FLOOD_PER_SECOND, this);
                }
            }
        };
        st.net().schedule(0, flood);
        st.net().schedule(CLIENT_START_NS, () -> client[0] = st.tune(st.left().connect(st.now(), RIGHT, PORT)));
        st.runUntil(() -> client[0] != null, PATIENCE_NS);
        st.runUntil(() -> client[0].state() == TcpState.ESTABLISHED || client[0].state() == TcpState.CLOSED, FLOOD_NS);
        long outcomeNs = st.now() - CLIENT_START_NS;
        TcpConnection accepted = client[0].state() == TcpState.ESTABLISHED ? st.accept(listener) : null;
        st.runFor(st.rtt());
        TcpConnection c = client[0];
        long clientSyns = st.events().stream().filter(e -> e instanceof TraceEvent.SegmentEvent s
                && s.direction() == Direction.SENT && s.host().equals("client") && s.header().flags() == TcpFlags.SYN)
                .count();
        List<String> facts = new ArrayList<>();
        facts.add("spoofed SYNs sent: " + sent[0] + " (" + FLOOD_PER_SECOND + " a second)");
        facts.add("SYN queue: peak " + peakQueue[0] + " of " + BACKLOG + " (the listen backlog)");
        facts.add("SYNs the listener dropped: " + listener.synsDropped());
        facts.add("SYN cookies sent: " + listener.cookiesSent());
        facts.add("SYN,ACKs sent to forged addresses, retransmissions included (not drawn): " + st.path().unroutable());
        facts.add(String.format(Locale.ROOT, "server state for half-open connections: %d connection objects,"
                + " about %.0f KiB (%d bytes each, measured)", peakConnections[0],
                peakConnections[0] * bytesPerEntry / 1024.0, bytesPerEntry));
        facts.add("real client: " + (c.state() == TcpState.ESTABLISHED ? "ESTABLISHED"
                : c.state() + (c.error() == null ? "" : " (" + c.error() + ")")) + " " + durationMs(outcomeNs)
                + " after its first SYN, " + clientSyns + " SYN(s) sent"
                + (accepted != null ? "; the server accepted it" : ""));
        String heading = mode == SynCookieMode.OFF ? "SYN flood, SYN cookies off" : "SYN flood, SYN cookies on";
        String intro = mode == SynCookieMode.OFF
                ? "An attacker sends " + FLOOD_PER_SECOND + " SYNs a second with forged source addresses. For each,"
                        + " the server keeps a connection in SYN-RECEIVED and sends SYN,ACKs to an address that"
                        + " will never answer, retrying for minutes. Its SYN queue is capped at the listen backlog"
                        + " (" + BACKLOG + "), so memory stays bounded, but once the queue is full every new SYN is"
                        + " dropped: the real client's SYNs too, however often it retries."
                : "The same flood against a server with SYN cookies (RFC 4987), used when the SYN queue"
                        + " overflows. The server answers each extra SYN without keeping anything: the ISN of its"
                        + " SYN,ACK is a cookie, a keyed hash of the connection's addresses, ports, a coarse"
                        + " clock and the peer's MSS. Spoofed sources never answer, so they cost nothing more;"
                        + " the real client's ACK returns the cookie + 1, the server checks it and builds the"
                        + " connection from it.";
        Set<IpAddress> drawn = new HashSet<>();
        return st.part(heading, intro, facts, new Narrator(),
                b -> b.column("client", null).column("attacker", "forged sources").column("server", null),
                events -> selectFlood(events, drawn));
    }

    /** The client's story, the listener, the first few spoofed SYNs and what became of them, and the notes. */
    private static List<TraceEvent> selectFlood(List<TraceEvent> events, Set<IpAddress> drawn) {
        List<TraceEvent> out = new ArrayList<>();
        Set<IpAddress> firstReplies = new HashSet<>();
        boolean gaveUp = false;
        for (TraceEvent e : events) {
            boolean keep = switch (e) {
                case TraceEvent.NoteEvent n -> true;
                case TraceEvent.SegmentEvent s -> {
                    if (s.src().equals(LEFT) || s.dst().equals(LEFT)) {
                        yield true;
                    }
                    IpAddress spoofed = s.dst().equals(RIGHT) ? s.src() : s.dst();
                    if (s.host().equals("attacker") && drawn.size() < DRAWN_SPOOFS) {
                        drawn.add(spoofed);
                    }
                    boolean retransmission = s.note() != null && s.note().contains("retransmi")
                            || s.direction() == Direction.LOST && !firstReplies.add(spoofed);
                    yield drawn.contains(spoofed) && !retransmission;
                }
                case TraceEvent.StateEvent s -> s.connection().remotePort() == 0
                        || s.connection().remoteAddress().equals(LEFT) || s.connection().localAddress().equals(LEFT)
                        || drawn.contains(s.connection().remoteAddress());
                case TraceEvent.TimerEvent t -> t.connection().remoteAddress().equals(LEFT)
                        || t.connection().localAddress().equals(LEFT);
                default -> false;
            };
            if (e instanceof TraceEvent.StateEvent s && s.to() == TcpState.CLOSED
                    && drawn.contains(s.connection().remoteAddress())) {
                keep = false;
                if (!gaveUp) {
                    out.add(new TraceEvent.NoteEvent(s.timeNs(), "server", "gives up on the first forged"
                            + " connections, but new forged SYNs take their places at once"));
                    gaveUp = true;
                }
            }
            if (keep) {
                out.add(e);
            }
        }
        return out;
    }

    // ================================================================================================
    // Blind RST injection
    // ================================================================================================

    static ScenarioRun rstAttack(ScenarioOptions o) {
        Stage st = new Stage(o, "client", "server", Stage.defaults());
        Stage.Pair p = st.open(PORT, AnomalyScenarios.CLIENT_PORT);
        st.write(p.client(), REQUEST);
        st.read(p.server(), REQUEST.length());
        st.write(p.server(), REPLY);
        st.read(p.client(), REPLY.length());
        st.runFor(st.rtt());
        TcpConnection s = p.server();
        int window = Math.max(1, s == null ? 65535 : s.status().rcvWnd());
        long guesses = ((1L << 32) + window - 1) / window;
        SplittableRandom random = new SplittableRandom(o.seed() * 17 + 3);
        int start = random.nextInt();
        long intervalNs = 100_000;
        long[] k = {0};
        st.note("attacker", "sends " + guesses + " RSTs, one per " + window + "-byte step of the sequence space");
        Runnable attack = new Runnable() {
            @Override
            public void run() {
                TcpSegment rst = new TcpSegment();
                rst.srcPort = AnomalyScenarios.CLIENT_PORT;
                rst.dstPort = PORT;
                rst.seq = start + (int) (k[0] * window);
                rst.flags = TcpFlags.RST;
                st.path().inject(st.now(), "attacker", LEFT, RIGHT, rst);
                if (++k[0] < guesses) {
                    st.net().schedule(st.now() + intervalNs, this);
                }
            }
        };
        st.net().schedule(st.now(), attack);
        st.runUntil(() -> k[0] >= guesses, PATIENCE_NS);
        st.runFor(st.rtt());
        st.note("client", "after the attack, the client's application writes again");
        st.write(p.client(), "still there?\n");
        String answer = st.read(s, 13);
        st.runFor(st.rtt());

        long outside = 0;
        long challenged = 0;
        long accepted = 0;
        List<TcpHeader> inWindow = new ArrayList<>();
        for (TraceEvent e : st.events()) {
            if (e instanceof TraceEvent.SegmentEvent seg && seg.host().equals("server") && seg.header().has(TcpFlags.RST)
                    && seg.src().equals(LEFT)) {
                if (seg.direction() == Direction.DROPPED && seg.dropReason() == DropReason.TCP_SEQ_NOT_ACCEPTABLE) {
                    outside++;
                } else if (seg.direction() == Direction.DROPPED) {
                    challenged++;
                    inWindow.add(seg.header());
                } else if (seg.direction() == Direction.RECEIVED) {
                    accepted++;
                }
            }
        }
        long firstHit = -1;
        for (TraceEvent e : st.events()) {
            if (e instanceof TraceEvent.SegmentEvent seg && seg.host().equals("attacker")) {
                firstHit++;
                if (inWindow.contains(seg.header())) {
                    break;
                }
            }
        }
        List<String> facts = List.of(
                "forged RSTs sent: " + guesses + " (one every " + intervalNs / 1000 + " us)",
                "outside the server's " + window + "-byte window, dropped without reply: " + outside,
                "inside the window but not exact, answered with a challenge ACK: " + challenged,
                "exactly matching, accepted: " + accepted,
                "connection after the attack: client " + p.client().state() + ", server "
                        + (s == null ? "-" : s.state()) + (answer.isEmpty() ? "" : "; the server read \""
                        + answer.strip() + "\""),
                "before RFC 5961 any RST inside the window reset the connection: guess " + (firstHit + 1)
                        + " of " + guesses + " would have killed it");
        String intro = "An attacker who knows both addresses and ports but cannot see the traffic forges RSTs"
                + " that claim to come from the client, stepping the sequence number by the server's receive"
                + " window so that one guess must land inside it. Under RFC 9293 alone any RST within the"
                + " window would reset the connection. RFC 5961 §3.2 narrows that: only a RST whose sequence"
                + " number is exactly the next one expected is accepted; one elsewhere in the window draws a"
                + " challenge ACK, which goes to the real client, and the real client, having sent no RST, has"
                + " nothing to answer. The connection survives, and the next request goes through.";
        Narrator n = new Narrator().rule(ctx -> {
            TraceEvent.SegmentEvent seg = ctx.segment();
            if (seg != null && seg.host().equals("attacker")) {
                return inWindow.contains(seg.header())
                        ? "This guess falls inside the server's window, but is not the exact next sequence number."
                        : "A forged RST with a blindly chosen sequence number.";
            }
            if (seg != null && seg.direction() == Direction.DROPPED && seg.dropReason() == DropReason.TCP_SEQ_NOT_ACCEPTABLE
                    && seg.header().has(TcpFlags.RST)) {
                return "Outside the receive window: the server discards it without a word (RFC 9293 §3.10.7.4).";
            }
            return null;
        });
        return new ScenarioRun("rst-attack", "Blind RST injection and RFC 5961 challenge ACKs",
                List.of(st.part("Blind RST attack", intro, facts, n,
                        b -> b.column("client", null).column("attacker", "forging the client").column("server", null),
                        events -> selectRsts(events, inWindow, guesses))));
    }

    /** Everything but the forged RSTs, of which only the first two, the in-window ones and the last are kept. */
    private static List<TraceEvent> selectRsts(List<TraceEvent> events, List<TcpHeader> inWindow, long guesses) {
        List<TraceEvent> out = new ArrayList<>();
        Set<TcpHeader> kept = new HashSet<>();
        int seen = 0;
        boolean summarised = false;
        for (TraceEvent e : events) {
            if (e instanceof TraceEvent.SegmentEvent s && s.header().has(TcpFlags.RST) && s.src().equals(LEFT)
                    && s.header().srcPort() == AnomalyScenarios.CLIENT_PORT) {
                if (s.host().equals("attacker")) {
                    seen++;
                    if (seen <= 2 || seen == guesses || inWindow.contains(s.header())) {
                        kept.add(s.header());
                    } else if (!summarised) {
                        out.add(new TraceEvent.NoteEvent(s.timeNs(), "attacker", "... " + (guesses - 3 - inWindow.size())
                                + " more guesses outside the window, not drawn: all dropped without reply"));
                        summarised = true;
                    }
                }
                if (kept.contains(s.header())) {
                    out.add(e);
                }
                continue;
            }
            out.add(e);
        }
        return out;
    }

    private static String durationMs(long ns) {
        return ns < 10 * S ? String.format(Locale.ROOT, "%.1f ms", ns / 1e6)
                : String.format(Locale.ROOT, "%.1f s", ns / 1e9);
    }
}
