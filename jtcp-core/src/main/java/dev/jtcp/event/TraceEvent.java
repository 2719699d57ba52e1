package dev.jtcp.event;

import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpHeader;

/**
 * Something observable happened at a host at virtual or real time {@code timeNs}. Events are
 * immutable and built only when a {@link Tracer} listens.
 */
public sealed interface TraceEvent {
    /** When, in the clock of the host that emitted it (virtual nanoseconds in simulation). */
    long timeNs();

    /** The emitting host's name ("client", "server", "jtcp0"). */
    String host();

    /** What happened to a segment. */
    enum Direction {
        /** Handed to the link by this host. */
        SENT,
        /** Accepted from the link by this host and given to the engine. */
        RECEIVED,
        /** Received by this host but discarded (see the drop reason). */
        DROPPED,
        /** Lost by the network between hosts (simulated links only). */
        LOST
    }

    /**
     * A segment sent, received, dropped by a host, or lost on the way.
     *
     * @param payloadLength TCP payload bytes
     * @param dropReason    why it was dropped, for {@link Direction#DROPPED}; else {@code null}
     * @param note          a short annotation such as "retransmission", "challenge ACK", "SYN cookie"; or {@code null}
     */
    record SegmentEvent(long timeNs, String host, Direction direction, IpAddress src, IpAddress dst, TcpHeader header,
                        int payloadLength, DropReason dropReason, String note) implements TraceEvent {}

    /** A connection changed state; {@code cause} says why in a few words ("rcv SYN,ACK", "close()", "2MSL timeout"). */
    record StateEvent(long timeNs, String host, ConnectionKey connection, TcpState from, TcpState to, String cause)
            implements TraceEvent {}

    /** What happened to a timer. */
    enum TimerAction { SET, FIRED, CANCELLED }

    /** A timer was set (with its deadline), fired, or cancelled. */
    record TimerEvent(long timeNs, String host, ConnectionKey connection, TimerKind timer, TimerAction action,
                      long deadlineNs) implements TraceEvent {}

    /** The application called the engine ("connect", "send 100", "close") and got {@code result}. */
    record CallEvent(long timeNs, String host, ConnectionKey connection, String call, String result)
            implements TraceEvent {}

    /** A packet that is not TCP, or could not be parsed, was dropped or answered (ICMP, bad checksum...). */
    record PacketEvent(long timeNs, String host, Direction direction, int length, DropReason dropReason, String summary)
            implements TraceEvent {}

    /**
     * A remark for whoever reads the trace: a scenario's narration ("the client crashes"), or what a
     * simulated link did to a packet it still delivered ("duplicated"). {@code host} names who it is
     * about, or "network".
     */
    record NoteEvent(long timeNs, String host, String text) implements TraceEvent {}
}
