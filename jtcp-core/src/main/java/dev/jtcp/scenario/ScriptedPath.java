package dev.jtcp.scenario;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.Tracer;
import dev.jtcp.link.sim.SimNode;
import dev.jtcp.link.sim.SimPort;
import dev.jtcp.wire.Checksum;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The network between the two machines of a scenario, with a script: it forwards every packet
 * towards the side that owns its destination address, except those the scenario asked it to lose
 * ({@link #drop}), to hold back for a while ({@link #hold}) or to mark Congestion Experienced
 * ({@link #markCe}, as a router with an ECN-marking queue would), and it can put packets of its own on
 * the wire as if someone else sent them ({@link #inject}: an attacker, or an old duplicate that
 * lingered in the network). A packet for an address neither side owns (a spoofed source's SYN,ACK)
 * goes nowhere.
 *
 * <p>Losses it causes are traced as {@link TraceEvent.Direction#LOST} segments, so ladders draw
 * them stopping midway; injected packets are traced as {@link TraceEvent.Direction#SENT} by the name
 * given, and handed to the capture.
 *
 * <p>Not thread-safe: driven by the simulator's thread.
 */
final class ScriptedPath implements SimNode {
    /** Chooses packets by their TCP header (the IP view gives addresses). */
    @FunctionalInterface
    interface Match {
        boolean test(IpPacket ip, TcpPacket tcp);
    }

    /** What a rule does to a matching packet. */
    private enum Action { DROP, HOLD, MARK_CE }

    /** A scripted fate for the next {@code remaining} matching packets. */
    private static final class Rule {
        final Match match;
        final Action action;
        final long holdNs;
        final String why;
        int remaining;

        Rule(Match match, int times, Action action, long holdNs, String why) {
            this.match = match;
            this.remaining = times;
            this.action = action;
            this.holdNs = holdNs;
            this.why = why;
        }
    }

    private final Tracer tracer;
    private final Consumer<ByteBuffer> capture;
    private final Set<IpAddress> leftAddresses = new HashSet<>();
    private final Set<IpAddress> rightAddresses = new HashSet<>();
    private final List<Rule> rules = new ArrayList<>();
    private final IpPacket ip = new IpPacket();
    private final TcpPacket tcp = new TcpPacket();
    private final PacketWriter writer = new PacketWriter();
    private final ByteBuffer injectBuffer = ByteBuffer.allocate(2048);
    private SimPort left;
    private SimPort right;
    private long unroutable;

    ScriptedPath(Tracer tracer, Consumer<ByteBuffer> capture) {
        this.tracer = tracer;
        this.capture = capture;
    }

    void plug(SimPort leftPort, IpAddress leftAddress, SimPort rightPort, IpAddress rightAddress) {
        left = leftPort;
        right = rightPort;
        leftAddresses.add(leftAddress);
        rightAddresses.add(rightAddress);
    }

    /** The next {@code times} packets that match are lost, for the reason given. */
    void drop(int times, Match match, String why) {
        rules.add(new Rule(match, times, Action.DROP, 0, why));
    }

    /** The next {@code times} packets that match are delayed by an extra {@code holdNs}. */
    void hold(int times, Match match, long holdNs, String why) {
        rules.add(new Rule(match, times, Action.HOLD, holdNs, why));
    }

    /**
     * The next {@code times} ECN-capable packets that match get the Congestion Experienced mark
     * (RFC 3168 §5) and go on; the mark is traced as a note saying {@code why}.
     */
    void markCe(int times, Match match, String why) {
        Match ectOnly = (ip, tcp) -> ((ip.tos() & 0b11) == 0b01 || (ip.tos() & 0b11) == 0b10) && match.test(ip, tcp);
        rules.add(new Rule(ectOnly, times, Action.MARK_CE, 0, why));
    }

    /** Packets the path threw away because no side owns their destination. */
    long unroutable() {
        return unroutable;
    }

    /**
     * Writes {@code seg} from {@code src} to {@code dst} and sends it towards {@code dst} now, traced
     * as sent by {@code who}.
     */
    void inject(long nowNs, String who, IpAddress src, IpAddress dst, TcpSegment seg) {
        int n = writer.writeTcp(injectBuffer, 0, src, dst, 64, 0, seg);
        injectBuffer.limit(n).position(0);
        if (tracer.isEnabled()) {
            int ipLength = PacketWriter.ipHeaderLength(src);
            TcpHeader h = TcpHeader.of(new TcpPacket().wrap(injectBuffer, ipLength, n - ipLength));
            tracer.onEvent(new TraceEvent.SegmentEvent(nowNs, who, TraceEvent.Direction.SENT, src, dst, h,
                    seg.payloadLength, null, null));
        }
        capture.accept(injectBuffer);
        injectBuffer.limit(n).position(0);
        SimPort out = rightAddresses.contains(dst) ? right : left;
        out.transmit(injectBuffer);
        injectBuffer.clear();
    }

    @Override
    public void onPacket(SimPort from, ByteBuffer packet, long nowNs) {
        boolean isTcp = ip.wrap(packet, packet.position(), packet.remaining()).check() == null
                && ip.protocol() == IpProtocol.TCP
                && tcp.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength()).check() == null;
        IpAddress dst = isTcp ? ip.dst() : null;
        SimPort out = dst == null ? (from == left ? right : left)
                : rightAddresses.contains(dst) ? right : leftAddresses.contains(dst) ? left : null;
        if (out == null) {
            unroutable++;
            lost(nowNs, "no route to " + dst);
            return;
        }
        if (isTcp) {
            for (Rule r : rules) {
                if (r.remaining > 0 && r.match.test(ip, tcp)) {
                    r.remaining--;
                    switch (r.action) {
                        case DROP -> lost(nowNs, r.why);
                        case HOLD -> {
                            ByteBuffer copy = copy(packet);
                            from.network().schedule(nowNs + r.holdNs, () -> out.transmit(copy));
                        }
                        case MARK_CE -> {
                            ByteBuffer copy = copy(packet);
                            markCe(copy);
                            if (tracer.isEnabled()) {
                                tracer.onEvent(new TraceEvent.NoteEvent(nowNs, "network", r.why));
                            }
                            out.transmit(copy);
                        }
                    }
                    return;
                }
            }
        }
        out.transmit(packet);
    }

    private static ByteBuffer copy(ByteBuffer packet) {
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(0, packet, packet.position(), packet.remaining());
        return copy;
    }

    /** Sets the ECN field of an IPv4 or IPv6 packet to CE, keeping the IPv4 header checksum right. */
    private static void markCe(ByteBuffer p) {
        if ((p.get(0) & 0xF0) == 0x40) {
            p.put(1, (byte) (p.get(1) | 0b11));
            int headerLength = (p.get(0) & 0x0F) * 4;
            p.putShort(10, (short) 0);
            p.putShort(10, (short) Checksum.finish(Checksum.sum(p, 0, headerLength)));
        } else {
            p.put(1, (byte) (p.get(1) | 0x30));
        }
    }

    private void lost(long nowNs, String why) {
        if (tracer.isEnabled()) {
            tracer.onEvent(new TraceEvent.SegmentEvent(nowNs, "network", TraceEvent.Direction.LOST, ip.src(), ip.dst(),
                    TcpHeader.of(tcp), tcp.payloadLength(), null, why));
        }
    }

    @Override
    public String toString() {
        return "network";
    }
}
