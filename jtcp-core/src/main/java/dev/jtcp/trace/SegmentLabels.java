package dev.jtcp.trace;

import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes ladder labels ({@code SYN,ACK seq=0 ack=1 len=5}) with sequence numbers absolute or, like
 * Wireshark, relative to each direction's initial sequence number.
 *
 * <p>Relative numbering: each direction of each 4-tuple counts from the sequence number of its first
 * SYN (or, when the trace starts mid-stream, its first segment); acknowledgments count from the other
 * direction's base. A SYN far from the current base (more than 2<sup>24</sup> away) starts a new
 * incarnation of the connection, with its own base; a nearby one, such as an old duplicate SYN, is
 * shown relative to the current base and may come out negative.
 *
 * <p>Not thread-safe: it remembers bases as it labels segments in time order.
 */
public final class SegmentLabels {
    private static final int NEW_INCARNATION_DISTANCE = 1 << 24;

    private final boolean relative;
    private final Map<Direction, Integer> bases = new HashMap<>();

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
        Integer base = bases.get(d);
        if (base == null || (h.has(TcpFlags.SYN) && Math.abs((long) (h.seq() - base)) > NEW_INCARNATION_DISTANCE)) {
            bases.put(d, h.seq());
        }
    }

    private String number(Direction d, int value) {
        Integer base = bases.get(d);
        if (!relative || base == null) {
            return SeqNum.toString(value);
        }
        int rel = value - base;
        return Math.abs(rel) < (1 << 30) ? Integer.toString(rel) : SeqNum.toString(rel);
    }
}
