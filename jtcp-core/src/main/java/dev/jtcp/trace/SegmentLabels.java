package dev.jtcp.trace;

import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes ladder labels ({@code SYN,ACK seq=0 ack=1 len=5}) with sequence numbers absolute or, like
 * Wireshark, relative to each direction's initial sequence number.
 *
 * <p>Relative numbering: each direction of each 4-tuple counts from the sequence number of its first
 * SYN (or, when the trace starts mid-stream, its first segment); acknowledgments count from the other
 * direction's base. A later SYN with a new sequence number starts a new incarnation of the connection,
 * with a base of its own, if it lies far from every base so far (more than 2<sup>24</sup>) or if a
 * RST was seen on the 4-tuple since; any other SYN, such as an old duplicate, is shown relative to
 * an existing base and may come out negative. Each number is shown relative to the base nearest to
 * it, so a segment of the old incarnation still reads naturally after a new one began.
 *
 * <p>Not thread-safe: it remembers bases as it labels segments in time order.
 */
public final class SegmentLabels {
    private static final int NEW_INCARNATION_DISTANCE = 1 << 24;

    private final boolean relative;
    /** Every base a direction has had, oldest first. */
    private final Map<Direction, List<Integer>> bases = new HashMap<>();
    /** Directions whose 4-tuple saw a RST after their latest base. */
    private final Set<Direction> resetSince = new HashSet<>();

    private record Direction(IpAddress src, int srcPort, IpAddress dst, int dstPort) {}

    public SegmentLabels(boolean relative) {
        this.relative = relative;
    }

    /** Flags, seq, ack and length: {@code FIN,ACK seq=6 ack=121}, {@code PSH,ACK seq=1 ack=1 len=18}. */
    public String label(IpAddress src, IpAddress dst, TcpHeader h, int payloadLength) {
        Direction out = new Direction(src, h.srcPort(), dst, h.dstPort());
        Direction back = new Direction(dst, h.dstPort(), src, h.srcPort());
        learn(out, h);
        StringBuilder sb = new StringBuilder(40);
        sb.append(TcpFlags.names(h.flags()));
        sb.append(" seq=").append(number(out, h.seq()));
        if (h.has(TcpFlags.ACK)) {
            sb.append(" ack=").append(number(back, h.ack()));
        }
        if (payloadLength > 0) {
            sb.append(" len=").append(payloadLength);
        }
        if (h.window() == 0 && !h.has(TcpFlags.RST)) {
            sb.append(" win=0");
        }
        return sb.toString();
    }

    /** The options worth a glance: {@code mss 1460, wscale 7, sackOK, TS}, SACK blocks; empty if none. */
    public String options(IpAddress src, IpAddress dst, TcpHeader h) {
        Direction back = new Direction(dst, h.dstPort(), src, h.srcPort());
        StringBuilder sb = new StringBuilder();
        for (TcpOption o : h.options()) {
            String text = switch (o) {
                case TcpOption.Mss m -> "mss " + m.mss();
                case TcpOption.WindowScale w -> "wscale " + w.shift();
                case TcpOption.SackPermitted p -> "sackOK";
                case TcpOption.Timestamps t -> h.has(TcpFlags.SYN) ? "TS" : null;
                case TcpOption.Sack blocks -> sack(back, blocks);
                case TcpOption.Unknown u -> "opt-" + u.kind();
                case TcpOption.Nop n -> null;
                case TcpOption.Eol e -> null;
            };
            if (text != null) {
                sb.append(sb.isEmpty() ? "" : ", ").append(text);
            }
        }
        return sb.toString();
    }

    private String sack(Direction back, TcpOption.Sack s) {
        StringBuilder sb = new StringBuilder("SACK");
        for (int i = 0; i < s.blocks(); i++) {
            sb.append(' ').append(number(back, s.left(i))).append('-').append(number(back, s.right(i)));
        }
        return sb.toString();
    }

    private void learn(Direction d, TcpHeader h) {
        if (h.has(TcpFlags.RST)) {
            resetSince.add(d);
            resetSince.add(new Direction(d.dst(), d.dstPort(), d.src(), d.srcPort()));
        }
        List<Integer> known = bases.get(d);
        if (known == null) {
            bases.put(d, new ArrayList<>(List.of(h.seq())));
            resetSince.remove(d);
            return;
        }
        if (h.has(TcpFlags.SYN) && !known.contains(h.seq())
                && (resetSince.contains(d) || distance(h.seq(), nearest(known, h.seq())) > NEW_INCARNATION_DISTANCE)) {
            known.add(h.seq());
            resetSince.remove(d);
        }
    }

    private String number(Direction d, int value) {
        List<Integer> known = bases.get(d);
        if (!relative || known == null) {
            return SeqNum.toString(value);
        }
        int rel = value - nearest(known, value);
        return Math.abs(rel) < (1 << 30) ? Integer.toString(rel) : SeqNum.toString(rel);
    }

    private static int nearest(List<Integer> known, int value) {
        int best = known.getFirst();
        for (int b : known) {
            if (distance(value, b) < distance(value, best)) {
                best = b;
            }
        }
        return best;
    }

    private static long distance(int a, int b) {
        return Math.abs((long) (a - b));
    }
}
