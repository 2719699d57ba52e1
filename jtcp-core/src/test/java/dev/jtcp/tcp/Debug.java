package dev.jtcp.tcp;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.wire.TcpFlags;

/** One-line renderings of trace events for debugging failing seeds. */
final class Debug {
    private Debug() {}

    static String line(TraceEvent e) {
        String t = String.format("%12.6f %-6s ", e.timeNs() / 1e9, e.host());
        return switch (e) {
            case TraceEvent.SegmentEvent s -> t + s.direction() + " " + s.header().srcPort() + ">" + s.header().dstPort()
                    + " [" + TcpFlags.toString(s.header().flags()) + "] " + Integer.toUnsignedString(s.header().seq())
                    + " ack " + Integer.toUnsignedString(s.header().ack()) + " win " + s.header().window() + " len "
                    + s.payloadLength() + " " + s.header().options() + (s.note() != null ? " (" + s.note() + ")" : "")
                    + (s.dropReason() != null ? " DROP " + s.dropReason() : "");
            case TraceEvent.StateEvent s -> t + s.connection().localPort() + ">" + s.connection().remotePort() + " "
                    + s.from() + " -> " + s.to() + " (" + s.cause() + ")";
            case TraceEvent.TimerEvent s -> t + s.connection().localPort() + " timer " + s.timer() + " " + s.action()
                    + " " + String.format("%.6f", s.deadlineNs() / 1e9);
            case TraceEvent.CallEvent s -> t + s.connection().localPort() + " call " + s.call() + " = " + s.result();
            case TraceEvent.PacketEvent s -> t + "packet " + s.direction() + " " + s.dropReason() + " " + s.summary();
        };
    }
}
