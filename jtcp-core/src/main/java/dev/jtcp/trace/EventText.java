package dev.jtcp.trace;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpOption;

/**
 * The one-line text form of a trace event, in the spirit of tcpdump: time in seconds, the host, what
 * happened, then the details. Segments print as tcpdump prints them ({@code Flags [S.], seq 1, ack
 * 2, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0}), with absolute
 * sequence numbers.
 *
 * <pre>
 *   0.010000 server  rcvd  198.18.0.1:40000 > 198.18.0.2:80: Flags [S], seq 3405691582, win 65535, ...
 *   0.010000 server  state 198.18.0.2:80 > 198.18.0.1:40000 LISTEN -> SYN-RECEIVED (rcv SYN)
 *   1.010000 client  timer 198.18.0.1:40000 > 198.18.0.2:80 RTO fired
 * </pre>
 *
 * <p>Thread-safe: stateless.
 */
public final class EventText {
    private EventText() {}

    /** The event as one line, without a line terminator. */
    public static String format(TraceEvent event) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(seconds(event.timeNs())).append(' ');
        pad(sb, event.host(), 8);
        switch (event) {
            case TraceEvent.SegmentEvent s -> {
                pad(sb, switch (s.direction()) {
                    case SENT -> "sent";
                    case RECEIVED -> "rcvd";
                    case DROPPED -> "drop";
                    case LOST -> "lost";
                }, 6);
                sb.append(ConnectionKey.endpoint(s.src(), s.header().srcPort())).append(" > ")
                        .append(ConnectionKey.endpoint(s.dst(), s.header().dstPort())).append(": ");
                segment(sb, s.header(), s.payloadLength());
                if (s.dropReason() != null) {
                    sb.append(" (").append(s.dropReason().description()).append(')');
                }
                if (s.note() != null) {
                    sb.append(" (").append(s.note()).append(')');
                }
            }
            case TraceEvent.StateEvent s -> {
                pad(sb, "state", 6);
                sb.append(s.connection()).append(' ').append(s.from()).append(" -> ").append(s.to());
                if (s.cause() != null) {
                    sb.append(" (").append(s.cause()).append(')');
                }
            }
            case TraceEvent.TimerEvent t -> {
                pad(sb, "timer", 6);
                sb.append(t.connection()).append(' ').append(t.timer().label()).append(' ')
                        .append(t.action().name().toLowerCase(java.util.Locale.ROOT));
                if (t.action() == TraceEvent.TimerAction.SET) {
                    sb.append(", fires at ").append(seconds(t.deadlineNs()));
                }
            }
            case TraceEvent.CallEvent c -> {
                pad(sb, "call", 6);
                sb.append(c.connection()).append(' ').append(c.call()).append(": ").append(c.result());
            }
            case TraceEvent.PacketEvent p -> {
                pad(sb, "packet", 7);
                sb.append(p.direction().name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(p.length())
                        .append(" bytes");
                if (p.dropReason() != null) {
                    sb.append(": ").append(p.dropReason().description());
                }
                if (p.summary() != null) {
                    sb.append(" (").append(p.summary()).append(')');
                }
            }
            case TraceEvent.NoteEvent n -> {
                pad(sb, "note", 6);
                sb.append(n.text());
            }
        }
        return sb.toString();
    }

    /** tcpdump's description of a TCP header: flags, seq, ack, win, urg, options, length. */
    public static void segment(StringBuilder sb, TcpHeader h, int payloadLength) {
        sb.append("Flags [").append(TcpFlags.toString(h.flags())).append("], seq ").append(SeqNum.toString(h.seq()));
        if (payloadLength > 0) {
            sb.append(':').append(SeqNum.toString(h.seq() + payloadLength));
        }
        if (h.has(TcpFlags.ACK)) {
            sb.append(", ack ").append(SeqNum.toString(h.ack()));
        }
        sb.append(", win ").append(h.window());
        if (h.has(TcpFlags.URG)) {
            sb.append(", urg ").append(h.urgentPointer());
        }
        if (!h.options().isEmpty()) {
            sb.append(", options [");
            boolean first = true;
            for (TcpOption o : h.options()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append(o);
            }
            sb.append(']');
        }
        sb.append(", length ").append(payloadLength);
    }

    /** {@code 12.345678}: seconds with microseconds, as tcpdump prints relative times. */
    public static String seconds(long ns) {
        long us = Math.floorDiv(ns, 1000L);
        String frac = Long.toString(1_000_000L + Math.floorMod(us, 1_000_000L)).substring(1);
        return Math.floorDiv(us, 1_000_000L) + "." + frac;
    }

    private static void pad(StringBuilder sb, String s, int width) {
        sb.append(s);
        for (int i = s.length(); i < width; i++) {
            sb.append(' ');
        }
        if (s.length() >= width) {
            sb.append(' ');
        }
    }
}
