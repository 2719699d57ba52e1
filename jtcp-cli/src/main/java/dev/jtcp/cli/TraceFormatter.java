package dev.jtcp.cli;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import java.io.PrintStream;
import java.util.stream.Collectors;

/**
 * {@code --trace}: one line per trace event, as it happens, on standard error (so standard output
 * stays the data). A stop-gap until the shared ladder renderer ({@code dev.jtcp.trace}) replaces it.
 *
 * <pre>
 *     12.345 ms  sent     198.18.0.2:8080 > 198.18.0.1:41234  [S.] seq 123 ack 456 win 65535 len 0 &lt;mss 1460,...&gt;
 *     12.400 ms  state    198.18.0.2:8080 > 198.18.0.1:41234  SYN-RECEIVED -> ESTABLISHED (rcv ACK of SYN)
 * </pre>
 *
 * <p>Thread-safety: called on the event loop thread only.
 */
final class TraceFormatter implements Tracer {
    private final PrintStream out;

    TraceFormatter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onEvent(TraceEvent e) {
        out.println(format(e));
    }

    static String format(TraceEvent e) {
        String t = String.format("%12.3f ms  ", e.timeNs() / 1e6);
        return t + switch (e) {
            case TraceEvent.SegmentEvent s -> String.format("%-8s %s:%d > %s:%d  %s%s%s",
                    s.direction().name().toLowerCase(), s.src(), s.header().srcPort(), s.dst(), s.header().dstPort(),
                    segment(s.header(), s.payloadLength()),
                    s.dropReason() == null ? "" : "  DROPPED: " + s.dropReason().description(),
                    s.note() == null ? "" : "  (" + s.note() + ")");
            case TraceEvent.StateEvent s -> String.format("%-8s %s  %s -> %s (%s)", "state", s.connection(), s.from(),
                    s.to(), s.cause());
            case TraceEvent.TimerEvent s -> String.format("%-8s %s  %s %s", "timer", s.connection(), s.timer(),
                    s.action().name().toLowerCase());
            case TraceEvent.CallEvent s -> String.format("%-8s %s  %s -> %s", "call", s.connection(), s.call(), s.result());
            case TraceEvent.PacketEvent s -> String.format("%-8s %d bytes  %s%s", "packet " + s.direction().name().toLowerCase(),
                    s.length(), s.summary() == null ? "" : s.summary(),
                    s.dropReason() == null ? "" : "  DROPPED: " + s.dropReason().description());
        };
    }

    private static String segment(TcpHeader h, int payloadLength) {
        StringBuilder b = new StringBuilder("[").append(TcpFlags.toString(h.flags())).append("] seq ")
                .append(Integer.toUnsignedString(h.seq()));
        if (TcpFlags.has(h.flags(), TcpFlags.ACK)) {
            b.append(" ack ").append(Integer.toUnsignedString(h.ack()));
        }
        b.append(" win ").append(h.window()).append(" len ").append(payloadLength);
        if (!h.options().isEmpty()) {
            b.append(" <").append(h.options().stream().map(Object::toString).collect(Collectors.joining(","))).append('>');
        }
        return b.toString();
    }
}
