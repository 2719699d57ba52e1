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
     * @param timeNs        when, in the emitting host's clock
     * @param host          the emitting host's name
     * @param direction     what happened to the segment
     * @param src           the IP source address
     * @param dst           the IP destination address
     * @param header        the TCP header, options included
     * @param payloadLength TCP payload bytes
     * @param dropReason    why it was dropped, for {@link Direction#DROPPED}; else {@code null}
     * @param note          a short annotation such as "retransmission", "challenge ACK", "SYN cookie"; or {@code null}
     */
    record SegmentEvent(long timeNs, String host, Direction direction, IpAddress src, IpAddress dst, TcpHeader header,
                        int payloadLength, DropReason dropReason, String note) implements TraceEvent {}

    /**
     * A connection changed state.
     *
     * @param timeNs     when, in the emitting host's clock
     * @param host       the emitting host's name
     * @param connection the connection
     * @param from       the state it left
     * @param to         the state it entered
     * @param cause      why, in a few words ("rcv SYN,ACK", "close()", "2MSL timeout")
     */
    record StateEvent(long timeNs, String host, ConnectionKey connection, TcpState from, TcpState to, String cause)
            implements TraceEvent {}

    /** What happened to a timer. */
    enum TimerAction { SET, FIRED, CANCELLED }

    /**
     * A timer was set (with its deadline), fired, or cancelled.
     *
     * @param timeNs     when, in the emitting host's clock
     * @param host       the emitting host's name
     * @param connection the connection the timer belongs to
     * @param timer      which timer
     * @param action     set, fired or cancelled
     * @param deadlineNs when it fires, for {@link TimerAction#SET}
     */
    record TimerEvent(long timeNs, String host, ConnectionKey connection, TimerKind timer, TimerAction action,
                      long deadlineNs) implements TraceEvent {}

    /**
     * The application called the engine and got a result.
     *
     * @param timeNs     when, in the emitting host's clock
     * @param host       the emitting host's name
     * @param connection the connection called
     * @param call       the call ("connect", "send 100", "close")
     * @param result     what the engine answered
     */
    record CallEvent(long timeNs, String host, ConnectionKey connection, String call, String result)
            implements TraceEvent {}

    /**
     * A packet that is not TCP, or could not be parsed, was dropped or answered (ICMP, bad checksum...).
     *
     * @param timeNs     when, in the emitting host's clock
     * @param host       the emitting host's name
     * @param direction  what happened to the packet
     * @param length     the packet's length in bytes
     * @param dropReason why it was dropped, for {@link Direction#DROPPED}; else {@code null}
     * @param summary    what the packet was, in a few words
     */
    record PacketEvent(long timeNs, String host, Direction direction, int length, DropReason dropReason, String summary)
            implements TraceEvent {}

    /**
     * A remark for whoever reads the trace: a scenario's narration ("the client crashes"), or what a
     * simulated link did to a packet it still delivered ("duplicated").
     *
     * @param timeNs when, in the emitting host's clock
     * @param host   who it is about, or "network"
     * @param text   the remark
     */
    record NoteEvent(long timeNs, String host, String text) implements TraceEvent {}
}
