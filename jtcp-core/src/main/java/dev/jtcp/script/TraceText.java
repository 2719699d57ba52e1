package dev.jtcp.script;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpHeader;

/** One line of text per trace event, for the "last few trace events" of a failure message. */
final class TraceText {
    private TraceText() {
    }

    static String of(TraceEvent e) {
        String t = String.format("%.6f", e.timeNs() / 1e9);
        return t + " " + switch (e) {
            case TraceEvent.SegmentEvent s -> segment(s);
            case TraceEvent.StateEvent s -> "state " + s.from() + " -> " + s.to() + " (" + s.cause() + ")";
            case TraceEvent.TimerEvent s -> "timer " + s.timer() + " " + s.action()
                    + (s.action() == TraceEvent.TimerAction.SET ? String.format(" for %.6f", s.deadlineNs() / 1e9) : "");
            case TraceEvent.CallEvent s -> "call " + s.call() + " -> " + s.result();
            case TraceEvent.PacketEvent s -> s.direction().toString().toLowerCase(java.util.Locale.ROOT) + " packet "
                    + s.length() + " bytes" + (s.dropReason() != null ? " (" + s.dropReason() + ")" : "")
                    + (s.summary() != null ? " " + s.summary() : "");
        };
    }

    private static String segment(TraceEvent.SegmentEvent s) {
        TcpHeader h = s.header();
        StringBuilder sb = new StringBuilder(s.direction().toString().toLowerCase(java.util.Locale.ROOT));
        sb.append(' ').append(PacketMatcher.flagText(h.flags())).append(" seq ").append(SeqNum.toString(h.seq()));
        if (h.ack() != 0) {
            sb.append(" ack ").append(SeqNum.toString(h.ack()));
        }
        sb.append(" win ").append(h.window()).append(" len ").append(s.payloadLength());
        if (!h.options().isEmpty()) {
            sb.append(' ').append(h.options());
        }
        if (s.dropReason() != null) {
            sb.append(" dropped: ").append(s.dropReason());
        }
        if (s.note() != null) {
            sb.append(" (").append(s.note()).append(')');
        }
        return sb.toString();
    }
}
