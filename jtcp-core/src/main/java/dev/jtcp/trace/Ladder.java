package dev.jtcp.trace;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * What a ladder diagram shows, independent of how it is drawn: one column per endpoint, and items
 * in time order (segments as arrows from sender to receiver, state changes, timers, notes). Built
 * by {@link LadderBuilder} from trace events; drawn by {@link TerminalLadder}, {@link SvgLadder} and
 * {@link HtmlLadder}.
 *
 * <p>Each item may carry an explanation: a sentence or two for a reader new to TCP.
 *
 * <p>Immutable.
 *
 * @param title     a heading ("Three-way handshake"), or empty
 * @param columns   the endpoints, left to right
 * @param initial   each column's state before its first state change, or null where unknown
 * @param items     arrows, state changes, timers and notes, ordered by time (stable)
 */
public record Ladder(String title, List<Column> columns, List<TcpState> initial, List<Item> items) {
    public Ladder {
        columns = List.copyOf(columns);
        initial = java.util.Collections.unmodifiableList(new ArrayList<>(initial));
        items = List.copyOf(items);
    }

    /**
     * An endpoint.
     *
     * @param name  the endpoint as the reader knows it ("client")
     * @param label its address ("198.18.0.1:40000")
     */
    public record Column(String name, String label) {}

    /** What became of a segment. */
    public enum Fate {
        /** Reached the receiver, which accepted it. */
        DELIVERED,
        /** Reached the receiver, which discarded it ({@link Arrow#detail()} says why). */
        DROPPED,
        /** Lost in the network: the arrow stops midway. */
        LOST,
        /** Sent, but the trace ends before anything happened to it (or it left the traced network). */
        IN_FLIGHT
    }

    /** The segment's role, for colour. */
    public enum Kind { SYN, SYN_ACK, FIN, RST, DATA, ACK }

    /** Something drawn at a time. */
    public sealed interface Item {
        /** When it happens; for an arrow, when the segment was sent. */
        long timeNs();

        /** A short explanation for the reader, or null. */
        String explanation();
    }

    /**
     * A segment.
     *
     * @param timeNs         when it was sent
     * @param from           the sender's column
     * @param to             the receiver's column
     * @param arriveNs       when it reached the receiver; -1 if it never did
     * @param fate           what became of it
     * @param kind           its role, for colour
     * @param label          flags, seq, ack and length, e.g. {@code SYN,ACK seq=0 ack=1}
     * @param options        the key options, e.g. {@code mss 1460, wscale 7, sackOK, TS}; empty if none
     * @param tag            what the sender said it was ("retransmission", "challenge ACK"), or null
     * @param detail         why it was dropped or lost, or null
     * @param segment        the event it was drawn from (the send, or the arrival if the send was not traced)
     * @param explanation    what the segment does, for a reader new to TCP; or null
     */
    public record Arrow(long timeNs, int from, int to, long arriveNs, Fate fate, Kind kind, String label,
                        String options, String tag, String detail, TraceEvent.SegmentEvent segment,
                        String explanation) implements Item {
        /** Whether the sender marked it as a retransmission. */
        public boolean isRetransmission() {
            return tag != null && tag.contains("retransmi");
        }
    }

    /**
     * A column's connection changed state.
     *
     * @param timeNs      when
     * @param column      whose connection
     * @param from        the state it left
     * @param to          the state it entered
     * @param cause       why, in a few words ("rcv SYN,ACK")
     * @param explanation what the change means, for a reader new to TCP; or null
     */
    public record StateMark(long timeNs, int column, TcpState from, TcpState to, String cause, String explanation)
            implements Item {}

    /**
     * A timer fired, or (for TIME-WAIT) was set.
     *
     * @param timeNs      when
     * @param column      whose timer
     * @param timer       which timer
     * @param action      fired, or set
     * @param armedNs     when it was last set, or -1 if unknown
     * @param deadlineNs  when it fires (for a set timer)
     * @param explanation what the timer is for, for a reader new to TCP; or null
     */
    public record TimerMark(long timeNs, int column, TimerKind timer, TraceEvent.TimerAction action, long armedNs,
                            long deadlineNs, String explanation) implements Item {}

    /**
     * A remark at a time.
     *
     * @param timeNs      when
     * @param column      the endpoint it concerns, or -1 when it concerns no one endpoint
     * @param text        the remark
     * @param explanation more for a reader new to TCP, or null
     */
    public record Note(long timeNs, int column, String text, String explanation) implements Item {}

    /** The state marks of one column, in order. */
    public List<StateMark> states(int column) {
        List<StateMark> out = new ArrayList<>();
        for (Item i : items) {
            if (i instanceof StateMark s && s.column() == column) {
                out.add(s);
            }
        }
        return out;
    }

    /** The arrows, in order of sending. */
    public List<Arrow> arrows() {
        List<Arrow> out = new ArrayList<>();
        for (Item i : items) {
            if (i instanceof Arrow a) {
                out.add(a);
            }
        }
        return out;
    }

    /** Time of the first item, 0 if none: the diagram's origin. */
    public long startNs() {
        return items.isEmpty() ? 0 : items.getFirst().timeNs();
    }
}
