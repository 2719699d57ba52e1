package dev.jtcp.trace;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpOption;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Trace events as JSON Lines (one JSON object per line), for tools. Every object has {@code t}
 * (nanoseconds), {@code host} and {@code type} ({@code segment}, {@code state}, {@code timer},
 * {@code call}, {@code packet}, {@code note}); sequence numbers are unsigned decimals, flags a list
 * of names, options a list of objects in wire order:
 *
 * <pre>
 * {"t":10000000,"host":"server","type":"segment","dir":"received","src":"198.18.0.1","sport":40000,
 *  "dst":"198.18.0.2","dport":80,"seq":3405691582,"ack":0,"flags":["SYN"],"win":65535,"urg":0,
 *  "options":[{"kind":"mss","mss":1460},{"kind":"sackOK"},{"kind":"ts","val":1,"ecr":0},
 *  {"kind":"nop"},{"kind":"wscale","shift":7}],"len":0}
 * </pre>
 *
 * <p>Thread-safe: stateless.
 */
public final class JsonLines {
    private static final String[] FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};

    private JsonLines() {}

    /** The event as one JSON object, without a line terminator. */
    public static String format(TraceEvent event) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"t\":").append(event.timeNs()).append(",\"host\":");
        string(sb, event.host());
        switch (event) {
            case TraceEvent.SegmentEvent s -> {
                sb.append(",\"type\":\"segment\",\"dir\":\"").append(s.direction().name().toLowerCase(Locale.ROOT))
                        .append('"');
                header(sb, s.src(), s.dst(), s.header());
                sb.append(",\"len\":").append(s.payloadLength());
                if (s.dropReason() != null) {
                    sb.append(",\"drop\":");
                    string(sb, s.dropReason().name());
                }
                if (s.note() != null) {
                    sb.append(",\"note\":");
                    string(sb, s.note());
                }
            }
            case TraceEvent.StateEvent s -> {
                sb.append(",\"type\":\"state\",\"conn\":");
                string(sb, s.connection().toString());
                sb.append(",\"from\":\"").append(s.from()).append("\",\"to\":\"").append(s.to()).append('"');
                if (s.cause() != null) {
                    sb.append(",\"cause\":");
                    string(sb, s.cause());
                }
            }
            case TraceEvent.TimerEvent t -> {
                sb.append(",\"type\":\"timer\",\"conn\":");
                string(sb, t.connection().toString());
                sb.append(",\"timer\":");
                string(sb, t.timer().label());
                sb.append(",\"action\":\"").append(t.action().name().toLowerCase(Locale.ROOT))
                        .append("\",\"deadline\":").append(t.deadlineNs());
            }
            case TraceEvent.CallEvent c -> {
                sb.append(",\"type\":\"call\",\"conn\":");
                string(sb, c.connection().toString());
                sb.append(",\"call\":");
                string(sb, c.call());
                sb.append(",\"result\":");
                string(sb, c.result());
            }
            case TraceEvent.PacketEvent p -> {
                sb.append(",\"type\":\"packet\",\"dir\":\"").append(p.direction().name().toLowerCase(Locale.ROOT))
                        .append("\",\"length\":").append(p.length());
                if (p.dropReason() != null) {
                    sb.append(",\"drop\":");
                    string(sb, p.dropReason().name());
                }
                if (p.summary() != null) {
                    sb.append(",\"summary\":");
                    string(sb, p.summary());
                }
            }
            case TraceEvent.NoteEvent n -> {
                sb.append(",\"type\":\"note\",\"text\":");
                string(sb, n.text());
            }
        }
        return sb.append('}').toString();
    }

    private static void header(StringBuilder sb, IpAddress src, IpAddress dst, TcpHeader h) {
        sb.append(",\"src\":\"").append(src).append("\",\"sport\":").append(h.srcPort())
                .append(",\"dst\":\"").append(dst).append("\",\"dport\":").append(h.dstPort())
                .append(",\"seq\":").append(SeqNum.unsigned(h.seq()))
                .append(",\"ack\":").append(SeqNum.unsigned(h.ack()))
                .append(",\"flags\":[");
        boolean first = true;
        for (int bit = 0; bit < FLAG_NAMES.length; bit++) {
            if ((h.flags() & (1 << bit)) != 0) {
                sb.append(first ? "\"" : ",\"").append(FLAG_NAMES[bit]).append('"');
                first = false;
            }
        }
        if ((h.flags() & TcpFlags.RESERVED) != 0) {
            sb.append(first ? "" : ",").append("\"RSV").append((h.flags() & TcpFlags.RESERVED) >>> 9).append('"');
        }
        sb.append("],\"win\":").append(h.window()).append(",\"urg\":").append(h.urgentPointer()).append(",\"options\":[");
        first = true;
        for (TcpOption o : h.options()) {
            sb.append(first ? "" : ",");
            first = false;
            option(sb, o);
        }
        sb.append(']');
    }

    private static void option(StringBuilder sb, TcpOption o) {
        switch (o) {
            case TcpOption.Eol e -> sb.append("{\"kind\":\"eol\"}");
            case TcpOption.Nop n -> sb.append("{\"kind\":\"nop\"}");
            case TcpOption.Mss m -> sb.append("{\"kind\":\"mss\",\"mss\":").append(m.mss()).append('}');
            case TcpOption.WindowScale w -> sb.append("{\"kind\":\"wscale\",\"shift\":").append(w.shift()).append('}');
            case TcpOption.SackPermitted s -> sb.append("{\"kind\":\"sackOK\"}");
            case TcpOption.Timestamps t -> sb.append("{\"kind\":\"ts\",\"val\":").append(SeqNum.unsigned(t.tsVal()))
                    .append(",\"ecr\":").append(SeqNum.unsigned(t.tsEcr())).append('}');
            case TcpOption.Sack s -> {
                sb.append("{\"kind\":\"sack\",\"blocks\":[");
                for (int i = 0; i < s.blocks(); i++) {
                    sb.append(i == 0 ? "[" : ",[").append(SeqNum.unsigned(s.left(i))).append(',')
                            .append(SeqNum.unsigned(s.right(i))).append(']');
                }
                sb.append("]}");
            }
            case TcpOption.Unknown u -> sb.append("{\"kind\":").append(u.kind()).append(",\"data\":\"")
                    .append(HexFormat.of().formatHex(u.data())).append("\"}");
        }
    }

    /** Appends {@code s} as a JSON string ({@code null} as {@code null}). */
    static void string(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
