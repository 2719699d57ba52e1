package dev.jtcp.trace;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.wire.TcpFlags;
import java.io.PrintStream;

/**
 * A ladder drawn as it happens, one row per event, for a host talking to real peers ({@code
 * --trace} on the TUN commands). Only this host's view exists live, so every arrow joins its column
 * ("jtcp") to the peer's: sent segments point right at the moment they leave, received ones point
 * left at the moment they arrive, dropped ones end in an {@code x}. State changes and timer firings
 * are written beside the host's column. Sequence numbers are relative, as in the other ladders.
 *
 * <pre>
 *     0.000 s  SYN-SENT     |--- SYN seq=0 &lt;mss 1460, sackOK, TS, wscale 7&gt; -------&gt;|  198.18.0.1:8080
 *     0.001 s  ESTABLISHED  |&lt;-- SYN,ACK seq=0 ack=1 &lt;mss 1460, sackOK, TS, wscale 7&gt; --|  198.18.0.1:8080
 * </pre>
 *
 * <p>Not thread-safe: called on the host's thread.
 */
public final class LiveLadder implements Tracer {
    private static final int ARROW = 62;

    private final PrintStream out;
    private final SegmentLabels labels;
    private boolean headerDone;

    /** A live ladder on {@code out}; sequence numbers relative to each side's ISN when {@code relative}. */
    public LiveLadder(PrintStream out, boolean relative) {
        this.out = out;
        this.labels = new SegmentLabels(relative);
    }

    @Override
    public void onEvent(TraceEvent e) {
        if (!headerDone) {
            out.printf("%10s  %-12s %-" + (ARROW + 2) + "s  %s%n", "time", "state", "jtcp" + " ".repeat(ARROW - 6) + "peer",
                    "");
            headerDone = true;
        }
        String line = switch (e) {
            case TraceEvent.SegmentEvent s -> segment(s);
            case TraceEvent.StateEvent s -> row(s.timeNs(), s.to().toString(), "|  " + s.from() + " -> " + s.to()
                    + (s.cause() == null ? "" : " (" + s.cause() + ")"), "");
            case TraceEvent.TimerEvent t -> t.action() == TraceEvent.TimerAction.FIRED
                    ? row(t.timeNs(), "", "|  " + t.timer().label() + " timer fired", "") : null;
            case TraceEvent.PacketEvent p -> row(p.timeNs(), "", "|  " + p.direction().name().toLowerCase()
                    + " " + p.summary() + (p.dropReason() == null ? "" : " (" + p.dropReason().description() + ")"), "");
            default -> null;
        };
        if (line != null) {
            out.println(line);
        }
    }

    private String segment(TraceEvent.SegmentEvent s) {
        String label = labels.label(s.src(), s.dst(), s.header(), s.payloadLength());
        String options = s.header().has(TcpFlags.SYN) ? labels.options(s.src(), s.dst(), s.header()) : "";
        String text = label + (options.isEmpty() ? "" : " <" + options + ">")
                + (s.note() == null ? "" : " [" + s.note() + "]")
                + (s.dropReason() == null ? "" : " (" + s.dropReason().description() + ")");
        String arrow = switch (s.direction()) {
            case SENT -> arrow("|--- ", text, "->|");
            case RECEIVED -> arrow("|<-- ", text, "--|");
            case DROPPED -> arrow("|x-- ", text, "--|");
            case LOST -> arrow("|--- ", text, " x |");
        };
        boolean sent = s.direction() == TraceEvent.Direction.SENT;
        String peer = sent ? ConnectionKey.endpoint(s.dst(), s.header().dstPort())
                : ConnectionKey.endpoint(s.src(), s.header().srcPort());
        return row(s.timeNs(), "", arrow, peer);
    }

    private static String arrow(String head, String text, String tail) {
        int room = ARROW - head.length() - tail.length() - 2;
        if (text.length() > room) {
            text = text.substring(0, Math.max(0, room - 1)) + "~";
        }
        return head + text + " " + "-".repeat(Math.max(1, room - text.length() + 1)) + tail;
    }

    private static String row(long timeNs, String state, String body, String peer) {
        return String.format("%10s  %-12s %s  %s", EventText.seconds(timeNs), state, body, peer).stripTrailing();
    }
}
