package dev.jtcp.script;

import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Compares what an outbound ({@code >}) line expects with what the stack sent, field by field, and
 * renders both in the script's notation for failure messages.
 *
 * <p>Checked: IP version, addresses and ports; TOS/ECN and TTL only if the line gives them; every
 * TCP flag including reserved bits; seq (except on SYN lines, which teach the local ISN); ack and
 * urgent pointer always (0 when omitted); the window if given; payload length (payload bytes are
 * zeros in scripts); options as {@link OptionsOrder} says. TS val is checked only with a tick
 * ({@code --tcp_ts_tick_usecs}), TS ecr never (packetdrill's rules).
 */
final class PacketMatcher {
    private final SequenceMap seqs;
    private final Endpoints ends;
    private final OptionsOrder order;
    private final long tsTickUs;

    PacketMatcher(SequenceMap seqs, Endpoints ends, OptionsOrder order, long tsTickUs) {
        this.seqs = seqs;
        this.ends = ends;
        this.order = order;
        this.tsTickUs = tsTickUs;
    }

    /**
     * The differences between {@code want} and {@code got}, empty if they match. On a match of a SYN
     * line the local ISN is learned, and matched TS values are remembered.
     *
     * @param toleranceUs bounds the TS val drift when a tick is set
     */
    List<String> compare(Script.Packet want, LivePacket got, long toleranceUs) {
        List<String> diffs = new ArrayList<>();
        boolean syn = (want.flags() & TcpFlags.SYN) != 0;
        int wantVersion = ends.isV4() ? 4 : 6;
        if (got.ipVersion() != wantVersion) {
            diffs.add("IP version: expected " + wantVersion + ", got " + got.ipVersion());
        }
        if (!got.src().equals(ends.local) || !got.dst().equals(ends.remote)) {
            diffs.add("addresses: expected " + ends.local + " > " + ends.remote + ", got " + got.src() + " > " + got.dst());
        }
        int wantSport = want.srcPort() >= 0 ? want.srcPort() : ends.localPort;
        int wantDport = want.dstPort() >= 0 ? want.dstPort() : ends.remotePort;
        boolean learnPort = wantSport < 0;
        if ((!learnPort && got.srcPort() != wantSport) || got.dstPort() != wantDport) {
            diffs.add("ports: expected " + (learnPort ? "*" : wantSport) + ">" + wantDport + ", got " + got.srcPort() + ">"
                    + got.dstPort());
        }
        Script.IpInfo ip = want.ip();
        if (ip.tos() >= 0 && got.tos() != ip.tos()) {
            diffs.add(String.format("tos: expected 0x%02x, got 0x%02x", ip.tos(), got.tos()));
        }
        if (ip.ecn() >= 0 && (got.tos() & 3) != ip.ecn()) {
            diffs.add("ECN codepoint: expected " + ecnName(ip.ecn()) + ", got " + ecnName(got.tos() & 3));
        }
        if (ip.ttl() >= 0 && got.ttl() != ip.ttl()) {
            diffs.add("ttl: expected " + ip.ttl() + ", got " + got.ttl());
        }
        if ((got.flags() & TcpFlags.ALL) != want.flags()) {
            diffs.add("flags: expected " + flagText(want.flags()) + ", got " + flagText(got.flags()));
        }
        if (!syn) {
            int seq = seqs.local(want.start(), false);
            if (got.seq() != seq) {
                diffs.add("seq: expected " + want.start() + ", got " + seqs.localToScript(got.seq(), false));
            }
        }
        int ack = (want.flags() & TcpFlags.ACK) != 0 ? seqs.remote(want.ack(), syn) : (int) want.ack();
        if (got.ack() != ack) {
            diffs.add("ack: expected " + want.ack() + ", got " + seqs.remoteToScript(got.ack(), syn));
        }
        if (want.window() >= 0 && got.window() != want.window()) {
            diffs.add("win: expected " + want.window() + ", got " + got.window());
        }
        if (got.urgent() != want.urgent()) {
            diffs.add("urg: expected " + want.urgent() + ", got " + got.urgent());
        }
        if (got.payloadLength() != want.length()) {
            diffs.add("payload length: expected " + want.length() + ", got " + got.payloadLength());
        } else {
            for (byte b : got.payload()) {
                if (b != 0) {
                    diffs.add("payload bytes: expected zeros (what the script's writes send)");
                    break;
                }
            }
        }
        compareOptions(want, got, toleranceUs, diffs);
        if (diffs.isEmpty() && syn) {
            seqs.localSyn(want.start(), got.seq(), (want.flags() & TcpFlags.ACK) != 0);
        }
        if (diffs.isEmpty() && learnPort) {
            ends.localPort = got.srcPort();
        }
        return diffs;
    }

    private void compareOptions(Script.Packet want, LivePacket got, long toleranceUs, List<String> diffs) {
        if (want.anyOptions()) {
            return;
        }
        List<TcpOption> wanted = want.options() == null ? List.of() : want.options();
        List<TcpOption> actual = got.options();
        if (want.options() == null && got.optionBytes() == 0) {
            return;
        }
        boolean same;
        if (order == OptionsOrder.EXACT) {
            int wantBytes = 0;
            for (TcpOption o : wanted) {
                wantBytes += o.wireLength();
            }
            same = wantBytes == got.optionBytes() && wanted.size() == actual.size();
            for (int k = 0; same && k < wanted.size(); k++) {
                same = optionMatches(wanted.get(k), actual.get(k));
            }
        } else {
            List<TcpOption> w = withoutPadding(wanted);
            List<TcpOption> a = new ArrayList<>(withoutPadding(actual));
            same = w.size() == a.size();
            for (TcpOption o : w) {
                if (!same) {
                    break;
                }
                int match = -1;
                for (int k = 0; k < a.size() && match < 0; k++) {
                    if (optionMatches(o, a.get(k))) {
                        match = k;
                    }
                }
                same = match >= 0;
                if (same) {
                    a.remove(match);
                }
            }
        }
        if (!same) {
            diffs.add("options: expected " + optionsText(wanted, want.options() == null)
                    + ", got " + liveOptionsText(got) + (order == OptionsOrder.EXACT ? " (compared in order)" : ""));
            return;
        }
        TcpOption.Timestamps wts = find(wanted);
        TcpOption.Timestamps gts = find(actual);
        if (wts != null && gts != null) {
            long drift = seqs.timestamp(Integer.toUnsignedLong(wts.tsVal()), gts.tsVal());
            if (tsTickUs > 0 && Math.abs(drift) * tsTickUs > toleranceUs) {
                diffs.add("TS val: expected " + Integer.toUnsignedString(wts.tsVal()) + ", got a value "
                        + drift + " ticks away from it (tick " + tsTickUs + " us)");
            }
        }
    }

    private boolean optionMatches(TcpOption want, TcpOption got) {
        if (want.kind() != got.kind() || want.wireLength() != got.wireLength()) {
            return false;
        }
        if (want instanceof TcpOption.Timestamps) {
            return got instanceof TcpOption.Timestamps;
        }
        if (want instanceof TcpOption.Sack ws && got instanceof TcpOption.Sack gs) {
            for (int b = 0; b < ws.blocks(); b++) {
                if (seqs.remote(Integer.toUnsignedLong(ws.left(b)), false) != gs.left(b)
                        || seqs.remote(Integer.toUnsignedLong(ws.right(b)), false) != gs.right(b)) {
                    return false;
                }
            }
            return true;
        }
        return want.equals(got);
    }

    private static List<TcpOption> withoutPadding(List<TcpOption> options) {
        return options.stream().filter(o -> o.kind() != TcpOption.KIND_NOP && o.kind() != TcpOption.KIND_EOL).toList();
    }

    private static TcpOption.Timestamps find(List<TcpOption> options) {
        for (TcpOption o : options) {
            if (o instanceof TcpOption.Timestamps ts) {
                return ts;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // Rendering in script notation
    // ---------------------------------------------------------------------------------------------

    /** A script line as the runner understood it: {@code > S. 0:0(0) ack 1 <mss 1460,...>}. */
    static String lineText(Script.Packet p) {
        StringBuilder sb = new StringBuilder(p.inbound() ? "< " : "> ");
        if (p.srcPort() >= 0) {
            sb.append(p.srcPort()).append('>').append(p.dstPort()).append(' ');
        }
        sb.append(p.flagText()).append(' ').append(p.start()).append(':')
                .append((p.start() + p.length()) & 0xFFFF_FFFFL).append('(').append(p.length()).append(')');
        if (p.ack() != 0 || (p.flags() & TcpFlags.ACK) != 0) {
            sb.append(" ack ").append(p.ack());
        }
        if (p.window() >= 0) {
            sb.append(" win ").append(p.window());
        }
        if (p.urgent() != 0) {
            sb.append(" urg ").append(p.urgent());
        }
        if (p.anyOptions()) {
            sb.append(" <...>");
        } else if (p.options() != null) {
            sb.append(' ').append(optionsText(p.options(), false));
        }
        return sb.toString();
    }

    /** What the stack sent, in script space: {@code > R. 1:1(0) ack 1 win 0}. */
    String liveText(LivePacket p) {
        return liveText(p, null);
    }

    /**
     * What the stack sent, in script space; a SYN compared with a SYN line shows that line's ISN
     * (its live ISN is what the line would have taught).
     */
    String liveText(LivePacket p, Script.Packet against) {
        boolean syn = p.has(TcpFlags.SYN);
        StringBuilder sb = new StringBuilder("> ");
        if (p.srcPort() != ends.localPort || p.dstPort() != ends.remotePort) {
            sb.append(p.srcPort()).append('>').append(p.dstPort()).append(' ');
        }
        long start = syn && against != null && (against.flags() & TcpFlags.SYN) != 0 ? against.start()
                : seqs.localToScript(p.seq(), syn);
        sb.append(flagText(p.flags())).append(' ').append(start).append(':')
                .append((start + p.payloadLength()) & 0xFFFF_FFFFL).append('(').append(p.payloadLength()).append(')');
        if (p.ack() != 0 || p.has(TcpFlags.ACK)) {
            sb.append(" ack ").append(seqs.remoteToScript(p.ack(), syn));
        }
        sb.append(" win ").append(p.window());
        if (p.urgent() != 0) {
            sb.append(" urg ").append(p.urgent());
        }
        if (p.optionBytes() > 0) {
            sb.append(' ').append(liveOptionsText(p));
        }
        if (p.segments() > 1) {
            sb.append(" (").append(p.segments()).append(" segments)");
        }
        return sb.toString();
    }

    private String liveOptionsText(LivePacket p) {
        if (p.optionBytes() == 0) {
            return "no options";
        }
        return optionsText(p.options(), e -> String.valueOf(seqs.remoteToScript(e, false)));
    }

    static String optionsText(List<TcpOption> options, boolean none) {
        return none ? "no options" : optionsText(options, Integer::toUnsignedString);
    }

    /** {@code <mss 1460,sackOK,sack 1:2>}, SACK edges written by {@code edge}. */
    private static String optionsText(List<TcpOption> options, IntFunction<String> edge) {
        List<String> parts = new ArrayList<>();
        for (TcpOption o : options) {
            if (o instanceof TcpOption.Sack s) {
                StringBuilder sb = new StringBuilder("sack");
                for (int b = 0; b < s.blocks(); b++) {
                    sb.append(' ').append(edge.apply(s.left(b))).append(':').append(edge.apply(s.right(b)));
                }
                parts.add(sb.toString());
            } else {
                parts.add(o.toString());
            }
        }
        return "<" + String.join(",", parts) + ">";
    }

    /** Flags in script notation: {@code S.}, {@code P.}, {@code F.}, {@code R}, {@code -} (tcpdump's, AE as A). */
    static String flagText(int flags) {
        String s = TcpFlags.toString(flags);
        return s.equals("none") ? "-" : s.replace('e', 'A');
    }

    private static String ecnName(int ecn) {
        return switch (ecn) {
            case 0 -> "noecn";
            case 1 -> "ect1";
            case 2 -> "ect0";
            default -> "ce";
        };
    }
}
