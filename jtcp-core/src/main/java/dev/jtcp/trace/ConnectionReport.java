package dev.jtcp.trace;

import dev.jtcp.event.TcpState;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the capture analyser concluded about one TCP connection.
 *
 * @param id          numbered from 0 in order of each connection's first packet, a 4-tuple used again
 *                    after its connection ended counting as a new one: Wireshark's {@code tcp.stream}
 * @param a           the endpoint that sent the first SYN (the client), or the first packet's sender
 * @param b           the other endpoint
 * @param aName       "client" when {@code a} opened the connection with a SYN, else "A"
 * @param bName       "server" or "B"
 * @param firstNs     time of the first packet (capture clock)
 * @param lastNs      time of the last packet
 * @param packets     packets of this connection
 * @param bytesAtoB   payload bytes from a to b: the sequence numbers its data covered, each counted once
 *                    however often it was sent (retransmissions and overlaps add nothing), as
 *                    Wireshark's Follow TCP Stream counts them
 * @param bytesBtoA   the same from b to a
 * @param opening     how it opened ("three-way handshake", "simultaneous open", "mid-stream"...)
 * @param closing     how it closed ("four-way", "FIN and ACK combined", "reset by client"...)
 * @param statesA     the states a must have gone through, in order
 * @param statesB     the same for b
 * @param anomalies   what looked wrong or unusual, with counts, in a stable order
 */
public record ConnectionReport(int id, String a, String b, String aName, String bName, long firstNs, long lastNs,
                               long packets, long bytesAtoB, long bytesBtoA, String opening, String closing,
                               List<TcpState> statesA, List<TcpState> statesB, Map<String, Long> anomalies) {
    public ConnectionReport {
        statesA = List.copyOf(statesA);
        statesB = List.copyOf(statesB);
        anomalies = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(anomalies));
    }

    /** The heading of {@link #row}'s columns. */
    public static final String TABLE_HEADING = String.format(Locale.ROOT, "%6s  %12s  %12s  %7s  %11s  %11s  %s",
            "stream", "start (s)", "duration (s)", "packets", "bytes a->b", "bytes b->a", "a <-> b");

    /**
     * One line of a table of connections (see {@link #TABLE_HEADING}), times to the microsecond,
     * {@code start} counted from {@code captureStartNs}.
     */
    public String row(long captureStartNs) {
        return String.format(Locale.ROOT, "%6d  %12.6f  %12.6f  %7d  %11d  %11d  %s %s <-> %s %s", id,
                (firstNs - captureStartNs) / 1e9, (lastNs - firstNs) / 1e9, packets, bytesAtoB, bytesBtoA, aName, a,
                bName, b);
    }

    /** The report as a few indented lines of text; {@code start} is counted from {@code captureStartNs}. */
    public String format(long captureStartNs) {
        StringBuilder sb = new StringBuilder();
        sb.append('#').append(id).append("  ").append(aName).append(' ').append(a).append("  <->  ").append(bName)
                .append(' ').append(b).append('\n');
        sb.append(String.format(Locale.ROOT, "    start %.6f s, duration %.6f s, %d packets, %d bytes %s->%s,"
                + " %d bytes %s->%s%n", (firstNs - captureStartNs) / 1e9, (lastNs - firstNs) / 1e9, packets,
                bytesAtoB, aName, bName, bytesBtoA, bName, aName));
        sb.append("    opened: ").append(opening).append('\n');
        sb.append("    closed: ").append(closing).append('\n');
        sb.append("    ").append(pad(aName)).append(sequence(statesA)).append('\n');
        sb.append("    ").append(pad(bName)).append(sequence(statesB)).append('\n');
        if (anomalies.isEmpty()) {
            sb.append("    anomalies: none\n");
        } else {
            sb.append("    anomalies:");
            boolean first = true;
            for (Map.Entry<String, Long> e : anomalies.entrySet()) {
                sb.append(first ? " " : "; ").append(e.getKey());
                if (e.getValue() > 1) {
                    sb.append(" (x").append(e.getValue()).append(')');
                }
                first = false;
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String pad(String name) {
        return (name + ":" + " ".repeat(8)).substring(0, 8);
    }

    /** {@code CLOSED → SYN-SENT → ESTABLISHED → ... → TIME-WAIT (then CLOSED after 2MSL)}. */
    static String sequence(List<TcpState> states) {
        if (states.isEmpty()) {
            return "(nothing known)";
        }
        StringBuilder sb = new StringBuilder();
        for (TcpState s : states) {
            sb.append(sb.isEmpty() ? "" : " \u2192 ").append(s);
        }
        if (states.getLast() == TcpState.TIME_WAIT) {
            sb.append(" (then CLOSED after 2MSL)");
        }
        return sb.toString();
    }
}
