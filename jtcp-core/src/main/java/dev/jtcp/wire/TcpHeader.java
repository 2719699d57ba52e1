package dev.jtcp.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable snapshot of a TCP header with its options in wire order: what traces, ladder
 * diagrams and capture analysis keep of a segment. The data path uses {@link TcpSegment} instead.
 *
 * @param srcPort       the source port, 0 to 65535
 * @param dstPort       the destination port, 0 to 65535
 * @param seq           the sequence number (unsigned 32 bits held in an int)
 * @param ack           the acknowledgment number (unsigned 32 bits held in an int)
 * @param flags         the flag bits ({@link TcpFlags})
 * @param window        the window field as sent, before any scaling
 * @param urgentPointer the urgent pointer field
 * @param options the options in wire order ({@link TcpOption}), NOP/EOL included when parsed from
 *                the wire
 */
public record TcpHeader(int srcPort, int dstPort, int seq, int ack, int flags, int window, int urgentPointer,
                        List<TcpOption> options) {
    public TcpHeader {
        options = List.copyOf(options);
    }

    /** Snapshot of a segment the engine built or parsed; options in the order {@link TcpOptions} writes them. */
    public static TcpHeader of(TcpSegment s) {
        return new TcpHeader(s.srcPort, s.dstPort, s.seq, s.ack, s.flags, s.window, s.urgentPointer,
                optionList(s.options, s.isSyn()));
    }

    /** Snapshot of a validated packet view; a malformed option area yields the options before the fault. */
    public static TcpHeader of(TcpPacket p) {
        return new TcpHeader(p.srcPort(), p.dstPort(), p.seq(), p.ack(), p.flags(), p.window(), p.urgentPointer(),
                p.decodeOptions().options());
    }

    /** The options of a {@link TcpOptions} as records, without NOP/EOL padding. */
    public static List<TcpOption> optionList(TcpOptions o, boolean syn) {
        List<TcpOption> list = new ArrayList<>(5);
        if (syn && o.mss >= 0) {
            list.add(new TcpOption.Mss(o.mss));
        }
        if (syn && o.sackPermitted) {
            list.add(new TcpOption.SackPermitted());
        }
        if (o.hasTimestamps) {
            list.add(new TcpOption.Timestamps(o.tsVal, o.tsEcr));
        }
        if (syn && o.windowScale >= 0) {
            list.add(new TcpOption.WindowScale(o.windowScale));
        }
        if (!syn && o.sackBlocks > 0) {
            int[] edges = new int[2 * o.sackBlocks];
            System.arraycopy(o.sackEdges, 0, edges, 0, edges.length);
            list.add(new TcpOption.Sack(edges));
        }
        return list;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The first option of the given type, or {@code null}. */
    public <T extends TcpOption> T option(Class<T> type) {
        for (TcpOption o : options) {
            if (type.isInstance(o)) {
                return type.cast(o);
            }
        }
        return null;
    }

    /** Sequence space consumed given the payload length: payload plus SYN and FIN (§3.4). */
    public int seqLength(int payloadLength) {
        return payloadLength + (has(TcpFlags.SYN) ? 1 : 0) + (has(TcpFlags.FIN) ? 1 : 0);
    }
}
