package dev.jtcp.trace;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.TraceEvent.Direction;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Explains a trace to someone learning TCP: reads the events in order, keeping track of each host's
 * state, and attaches a sentence or two to the events that move the story on (a SYN, the ACK that
 * completes a handshake, a FIN, entering TIME-WAIT, a retransmission, a challenge ACK...). Routine
 * events (every further data segment, every ACK) are left alone; a topic is explained once per
 * host.
 *
 * <p>Callers may add their own rules ahead of the built-in ones with {@link #rule}: the first rule
 * that returns text for an event wins.
 *
 * <p>Not thread-safe; one narrator per trace.
 */
public final class Narrator {
    /**
     * What a rule sees.
     *
     * @param event           the event to narrate
     * @param stateBefore     the host's connection state just before this moment, or null
     * @param stateNow        its state after the event, or null
     * @param delayedAckFired whether the host's delayed-ACK timer fired at this moment (the ACK it sends was delayed)
     */
    public record Context(TraceEvent event, TcpState stateBefore, TcpState stateNow, boolean delayedAckFired) {
        /** The event as a segment, or null. */
        public TraceEvent.SegmentEvent segment() {
            return event instanceof TraceEvent.SegmentEvent s ? s : null;
        }
    }

    private final List<Function<Context, String>> rules = new ArrayList<>();
    private final Set<String> told = new HashSet<>();
    /** Per direction ("src:port>dst:port"): the window scale offered on its SYN (-1 none), the one in use, the last window. */
    private final Map<String, Integer> offeredShift = new HashMap<>();
    private final Map<String, Integer> shifts = new HashMap<>();
    private final Map<String, Long> lastWindow = new HashMap<>();
    /** Per direction: the ack number of its sender's previous segment that had ACK set. */
    private final Map<String, Integer> lastAck = new HashMap<>();
    /** Per direction: the sequence number just after its FIN (the ack that acknowledges the FIN). */
    private final Map<String, Integer> finEnd = new HashMap<>();

    /** Adds a rule consulted before the built-in ones; it returns null to pass. */
    public Narrator rule(Function<Context, String> rule) {
        rules.add(rule);
        return this;
    }

    /** Explanations for the events of {@code trace}, by identity. */
    public Map<TraceEvent, String> explain(List<? extends TraceEvent> trace) {
        Map<TraceEvent, String> out = new IdentityHashMap<>();
        Map<String, TcpState> state = new HashMap<>();
        Map<String, TcpState> before = new HashMap<>();
        Map<String, Long> momentOf = new HashMap<>();
        Map<String, Long> delayedAckAt = new HashMap<>();
        for (TraceEvent e : trace) {
            String host = e.host();
            if (!Long.valueOf(e.timeNs()).equals(momentOf.get(host))) {
                momentOf.put(host, e.timeNs());
                before.put(host, state.get(host));
            }
            if (e instanceof TraceEvent.StateEvent s && s.connection().remotePort() != 0) {
                state.put(host, s.to());
            } else if (e instanceof TraceEvent.StateEvent s && !state.containsKey(host)) {
                state.put(host, s.to());
            }
            if (e instanceof TraceEvent.TimerEvent t && t.timer() == TimerKind.DELAYED_ACK
                    && t.action() == TraceEvent.TimerAction.FIRED) {
                delayedAckAt.put(host, t.timeNs());
            }
            Context c = new Context(e, before.get(host), state.get(host),
                    Long.valueOf(e.timeNs()).equals(delayedAckAt.get(host)));
            String text = null;
            for (Function<Context, String> rule : rules) {
                text = rule.apply(c);
                if (text != null) {
                    break;
                }
            }
            if (text == null) {
                text = builtIn(c);
            }
            if (text != null && !text.isEmpty()) {
                out.put(e, Character.toUpperCase(text.charAt(0)) + text.substring(1));
            }
            learnWindow(e);
        }
        return out;
    }

    /** Explanation of {@code topic} for {@code host}, the first time only. */
    private String once(String host, String topic, String text) {
        return told.add(host + '|' + topic) ? text : null;
    }

    private String builtIn(Context c) {
        return switch (c.event()) {
            case TraceEvent.SegmentEvent s when s.direction() == Direction.SENT -> sent(c, s);
            case TraceEvent.SegmentEvent s when s.direction() == Direction.LOST -> "The network loses this segment.";
            case TraceEvent.SegmentEvent s when s.direction() == Direction.DROPPED -> once(s.host(),
                    "drop " + s.dropReason(), s.host() + " discards it: " + (s.dropReason() == null ? "not acceptable"
                            : s.dropReason().description()) + ".");
            case TraceEvent.StateEvent s -> state(s);
            default -> null;
        };
    }

    private String sent(Context c, TraceEvent.SegmentEvent s) {
        TcpHeader h = s.header();
        String host = s.host();
        String note = s.note() == null ? "" : s.note();
        boolean retransmission = note.contains("retransmi");
        if (note.startsWith("challenge ACK")) {
            return once(host, "challenge", host + " does not act on that segment. It answers with a challenge ACK"
                    + " carrying its real numbers: the true peer, if it sent it, can prove so with a RST that matches"
                    + " exactly; a blind attacker never sees this ACK (RFC 5961).");
        }
        if (note.equals("SYN cookie")) {
            return once(host, "cookie", host + "'s SYN queue is full, so it answers statelessly with a SYN cookie:"
                    + " the ISN of this SYN,ACK encodes the connection's details under a secret, and nothing is kept"
                    + " until an ACK returns the cookie (RFC 4987).");
        }
        if (note.startsWith("re-ACK")) {
            return host + " is still in TIME-WAIT, so it can acknowledge the repeated FIN again; the 2MSL wait starts"
                    + " over.";
        }
        if (h.has(TcpFlags.RST)) {
            if (c.stateNow() == TcpState.SYN_SENT || note.contains("unacceptable ACK")) {
                return host + " receives an acknowledgment that does not fit its own SYN, so it answers with a"
                        + " RST whose sequence number is that acknowledgment: whatever the peer thinks it is"
                        + " acknowledging, " + host + " knows nothing of it (RFC 9293 §3.10.7.3).";
            }
            if (note.equals("no such connection")) {
                return host + " has no connection and no listener for this port pair, so it answers with a RST"
                        + " (RFC 9293 §3.10.7.1).";
            }
            return once(host, "rst", host + " resets the connection.");
        }
        if (retransmission && h.has(TcpFlags.SYN)) {
            return host + " got no answer before its retransmission timer expired, so it sends the "
                    + TcpFlags.names(h.flags()) + " again; each new try waits twice as long as the one before"
                    + " (RFC 6298 §5.5).";
        }
        if (retransmission) {
            return host + " got no acknowledgment before its retransmission timer expired, so it sends the segment"
                    + " again.";
        }
        if (h.has(TcpFlags.SYN) && !h.has(TcpFlags.ACK)) {
            return once(host, "syn", host + " opens the connection: it picks an initial sequence number (ISN, shown"
                    + " as 0 when numbers are relative) and sends a SYN, which takes up one sequence number. Its"
                    + " options offer a segment size, window scaling, SACK and timestamps. " + host
                    + " is now SYN-SENT (RFC 9293 §3.5).");
        }
        if (h.has(TcpFlags.SYN)) {
            if (c.stateBefore() == TcpState.SYN_SENT) {
                return once(host, "synack", host + " was waiting for a SYN,ACK but got a bare SYN: both sides"
                        + " opened at once. It enters SYN-RECEIVED and answers with SYN,ACK, acknowledging the"
                        + " peer's SYN and repeating its own (RFC 9293 §3.5, simultaneous open).");
            }
            return once(host, "synack", host + " answers the SYN with one segment that does two jobs: ACK"
                    + " acknowledges the peer's ISN + 1, and SYN carries " + host + "'s own ISN. " + host
                    + " is now SYN-RECEIVED.");
        }
        if (h.has(TcpFlags.FIN)) {
            if (c.stateNow() == TcpState.LAST_ACK) {
                return once(host, "fin", host + "'s application closes too: it sends its own FIN and waits in"
                        + " LAST-ACK for the acknowledgment.");
            }
            if (c.stateNow() == TcpState.FIN_WAIT_1) {
                return once(host, "fin", host + "'s application calls close(): it has nothing more to send. "
                        + host + " sends a FIN, which takes up one sequence number, and waits in FIN-WAIT-1 for it"
                        + " to be acknowledged; it can still receive.");
            }
            return null;
        }
        if (c.stateBefore() == TcpState.SYN_SENT && c.stateNow() == TcpState.ESTABLISHED) {
            return host + "'s SYN is acknowledged and it knows the peer's ISN, so it is ESTABLISHED. This segment"
                    + " acknowledges the peer's SYN: the third and last step of the handshake"
                    + (s.payloadLength() > 0 ? ", already carrying data." : ".");
        }
        if (s.payloadLength() > 0) {
            return once(host, "data", host + " sends " + s.payloadLength() + " bytes. seq is the number of their"
                    + " first byte; ack is the next byte " + host + " expects from its peer.");
        }
        return pureAck(c, s);
    }

    /**
     * A segment with no data, SYN, FIN or RST: says what it acknowledges (a FIN, or data), and calls it
     * a window update only when the acknowledgment number is the one its sender last sent and only the
     * window changed.
     */
    private String pureAck(Context c, TraceEvent.SegmentEvent s) {
        TcpHeader h = s.header();
        String host = s.host();
        if (!h.has(TcpFlags.ACK)) {
            return null;
        }
        String direction = direction(s);
        Integer previous = lastAck.get(direction);
        Integer fin = finEnd.get(reverse(s));
        if (previous == null) {
            return null;
        }
        int newly = h.ack() - previous;
        if (newly > 0 && fin != null && h.ack() == fin) {
            String data = newly > 1 ? "the last " + (newly - 1) + " bytes of data and " : "";
            return once(host, "ackfin", host + " acknowledges " + data + "the FIN: ack is the FIN's sequence number"
                    + " + 1, because a FIN takes up one sequence number, as a SYN does.");
        }
        if (newly > 0) {
            if (c.delayedAckFired()) {
                return once(host, "delack", host + " acknowledges " + bytes(newly) + " of data. It waited a little"
                        + " first, in case it had something to send the ACK along with (delayed ACK, RFC 9293"
                        + " §3.8.6.3).");
            }
            return once(host, "ackdata", host + " acknowledges " + bytes(newly) + " of data: ack is the next byte it"
                    + " expects, so everything before it has arrived.");
        }
        if (newly == 0 && windowGrew(s)) {
            return once(host, "wupdate", host + "'s application has read what arrived, so its receive buffer has"
                    + " more room than it last advertised; this ACK acknowledges nothing new and only says so (a"
                    + " window update, RFC 9293 §3.8.6.2.2).");
        }
        return null;
    }

    private static String bytes(int n) {
        return n == 1 ? "1 byte" : n + " bytes";
    }

    private static String direction(TraceEvent.SegmentEvent s) {
        return s.src() + ":" + s.header().srcPort() + ">" + s.dst() + ":" + s.header().dstPort();
    }

    private static String reverse(TraceEvent.SegmentEvent s) {
        return s.dst() + ":" + s.header().dstPort() + ">" + s.src() + ":" + s.header().srcPort();
    }

    /** Whether this pure ACK advertises at least twice the window of its sender's previous segment. */
    private boolean windowGrew(TraceEvent.SegmentEvent s) {
        TcpHeader h = s.header();
        String direction = direction(s);
        Long before = lastWindow.get(direction);
        return before != null && h.flags() == TcpFlags.ACK && s.payloadLength() == 0
                && scaledWindow(s, direction) >= 2 * before;
    }

    private long scaledWindow(TraceEvent.SegmentEvent s, String direction) {
        TcpHeader h = s.header();
        Integer shift = shifts.get(direction);
        return h.has(TcpFlags.SYN) || shift == null ? h.window() : (long) h.window() << shift;
    }

    /**
     * Tracks window scaling (from the SYNs of both directions), each direction's last window and ack,
     * and where its FIN ends.
     */
    private void learnWindow(TraceEvent e) {
        if (!(e instanceof TraceEvent.SegmentEvent s) || s.direction() != Direction.SENT) {
            return;
        }
        TcpHeader h = s.header();
        String direction = direction(s);
        String reverse = reverse(s);
        if (h.has(TcpFlags.ACK)) {
            lastAck.put(direction, h.ack());
        }
        if (h.has(TcpFlags.FIN)) {
            finEnd.put(direction, h.seq() + s.payloadLength() + (h.has(TcpFlags.SYN) ? 1 : 0) + 1);
        }
        if (h.has(TcpFlags.SYN)) {
            var ws = h.option(TcpOption.WindowScale.class);
            offeredShift.put(direction, ws == null ? -1 : ws.shift());
            Integer theirs = offeredShift.get(reverse);
            if (theirs != null && theirs >= 0 && ws != null) {
                shifts.put(direction, ws.shift());
                shifts.put(reverse, theirs);
            }
        }
        lastWindow.put(direction, scaledWindow(s, direction));
    }

    private String state(TraceEvent.StateEvent s) {
        String host = s.host();
        ConnectionKey k = s.connection();
        return switch (s.to()) {
            case LISTEN -> once(host, "listen", host + " listens on port " + k.localPort() + " (a passive open): it"
                    + " waits in LISTEN for a SYN.");
            case ESTABLISHED -> s.from() == TcpState.SYN_RECEIVED
                    ? once(host, "established", host + " receives the ACK of its SYN. Both ISNs are acknowledged:"
                            + " " + host + " is ESTABLISHED too, and data can flow both ways.")
                    : null;
            case CLOSE_WAIT -> once(host, "closewait", host + " receives a FIN: its peer will send no more. " + host
                    + " acknowledges it and stays in CLOSE-WAIT until its own application closes; it may still"
                    + " send data until then.");
            case FIN_WAIT_2 -> once(host, "fw2", host + "'s FIN is acknowledged. In FIN-WAIT-2 it waits for the"
                    + " peer's FIN.");
            case CLOSING -> host + " receives the peer's FIN before its own FIN was acknowledged: both sides closed"
                    + " at the same time. It acknowledges, and waits in CLOSING for the ACK of its own FIN.";
            case TIME_WAIT -> switch (s.from()) {
                case FIN_WAIT_1 -> host + " receives a FIN that also acknowledges its own FIN, so it skips"
                        + " FIN-WAIT-2 and goes straight to TIME-WAIT (RFC 9293 §3.10.7.4, the FIN check).";
                case CLOSING -> host + "'s FIN is acknowledged at last: TIME-WAIT.";
                default -> host + " receives the peer's FIN and acknowledges it. It enters TIME-WAIT and stays for"
                        + " 2MSL: if this last ACK is lost, the peer's repeated FIN still finds someone to"
                        + " acknowledge it, and stray segments of this connection die out before the port pair is"
                        + " used again (RFC 9293 §3.6.1).";
            };
            case CLOSED -> closed(s);
            default -> null;
        };
    }

    private String closed(TraceEvent.StateEvent s) {
        String host = s.host();
        String cause = s.cause() == null ? "" : s.cause();
        if (s.from() == TcpState.TIME_WAIT) {
            return host + "'s 2MSL wait is over: it forgets the connection, and the port pair may be used again.";
        }
        if (s.from() == TcpState.LAST_ACK && cause.contains("ACK")) {
            return host + "'s FIN is acknowledged: the connection is CLOSED on " + host + " and its state is"
                    + " freed.";
        }
        if (s.from() == TcpState.SYN_SENT && cause.contains("RST")) {
            return host + " receives a RST that acknowledges its SYN: the connection is refused.";
        }
        if (cause.contains("RST")) {
            return host + " accepts the RST: the connection is gone, and its application is told it was reset.";
        }
        if (cause.contains("R2") || cause.contains("timeout")) {
            return host + " gives up: " + cause + ".";
        }
        return null;
    }
}
