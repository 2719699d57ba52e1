package dev.jtcp.stack;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpContext;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.TcpSegment;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * TCP flows to addresses the host does not own, for an {@link AnyAddressAcceptor}: the table of
 * flows (held, accepted, established) by 4-tuple, bounded by {@code maxFlows}; past it new SYNs are
 * refused with a RST. A flow leaves the table when its connection closes or enters TIME-WAIT, and a
 * held SYN left without a verdict for {@link #HOLD_TIMEOUT_NS} gives way when room is needed.
 *
 * <p>An accepted flow gets a listener of its own (backlog 1) on the original destination, which
 * answers the SYN exactly as a listener on a local address would (options, SYN cookies); the
 * listener is never in the demux's list, so a wildcard listener of the host never sees forwarded
 * SYNs. The child connection enters the connection table as any other, and every later segment
 * finds it there.
 *
 * <p>Not thread-safe: the host's thread.
 */
final class AnyAddressFlows {
    /** How long a held SYN waits for a verdict before its place may be taken. */
    static final long HOLD_TIMEOUT_NS = 30_000_000_000L;

    /** Sends ICMP destination unreachable about a packet, from its destination. */
    interface Unreachable {
        void send(long nowNs, IpPacket about);
    }

    private final AnyAddressAcceptor acceptor;
    private final int maxFlows;
    private final TcpContext context;
    private final Unreachable unreachable;
    /** Every flow the acceptor has seen and not yet seen end, by 4-tuple (local = original destination). */
    private final Map<ConnectionKey, Flow> flows = new HashMap<>();

    /** One flow: pending (verdict null, SYN held), or decided. */
    private static final class Flow {
        final long sinceNs;
        AnyAddressAcceptor.Verdict verdict;
        /** The held SYN's IP packet while the verdict is pending; then null. */
        byte[] held;
        /** The flow's listener once accepted, until its connection is handed over. */
        TcpListener listener;

        Flow(long sinceNs) {
            this.sinceNs = sinceNs;
        }
    }

    AnyAddressFlows(AnyAddressAcceptor acceptor, int maxFlows, TcpContext context, Unreachable unreachable) {
        if (maxFlows < 1) {
            throw new IllegalArgumentException("maxFlows must be at least 1, got " + maxFlows);
        }
        this.acceptor = Objects.requireNonNull(acceptor);
        this.maxFlows = maxFlows;
        this.context = Objects.requireNonNull(context);
        this.unreachable = Objects.requireNonNull(unreachable);
    }

    int flowCount() {
        return flows.size();
    }

    int maxFlows() {
        return maxFlows;
    }

    /** Whether a drop reason from {@link #onSegment} is answered with a RST (by the demux). */
    static boolean answersWithReset(DropReason r) {
        return r == DropReason.FORWARD_REFUSED || r == DropReason.FORWARD_LIMIT || r == DropReason.TCP_NO_CONNECTION;
    }

    /**
     * A segment {@code in} (arrived in {@code ip}) for an address not ours that matched no
     * connection or TIME-WAIT record.
     *
     * @return null when taken, else why dropped; {@link #answersWithReset} says whether a RST is due
     */
    DropReason onSegment(long nowNs, IpPacket ip, TcpSegment in, boolean reopen, int isnFloor) {
        IpAddress local = ip.dst();
        IpAddress remote = ip.src();
        ConnectionKey key = new ConnectionKey(local, in.dstPort, remote, in.srcPort);
        Flow f = flows.get(key);
        if (f == null) {
            if (!in.isSyn() || in.isAck() || in.isRst()) {
                return in.isRst() ? DropReason.TCP_DISCARDED : DropReason.TCP_NO_CONNECTION;
            }
            if (flows.size() >= maxFlows && !evictAbandoned(nowNs)) {
                return DropReason.FORWARD_LIMIT;
            }
            f = new Flow(nowNs);
            f.verdict = acceptor.onSyn(nowNs, key);
            flows.put(key, f);
            if (f.verdict == null) {
                f.held = new byte[ip.packetLength()];
                ip.buffer().get(ip.offset(), f.held);
                return DropReason.FORWARD_HELD;
            }
        }
        if (f.verdict == null) {
            return DropReason.FORWARD_HELD;
        }
        switch (f.verdict) {
            case REFUSE -> {
                flows.remove(key);
                return in.isSyn() ? DropReason.FORWARD_REFUSED : DropReason.TCP_NO_CONNECTION;
            }
            case UNREACHABLE -> {
                flows.remove(key);
                unreachable.send(nowNs, ip);
                return DropReason.FORWARD_UNREACHABLE;
            }
            default -> {
                return accept(nowNs, key, f, ip, in, reopen, isnFloor);
            }
        }
    }

    private DropReason accept(long nowNs, ConnectionKey key, Flow f, IpPacket ip, TcpSegment in, boolean reopen,
                              int isnFloor) {
        if (f.listener == null) {
            if (!in.isSyn()) {
                flows.remove(key);
                return DropReason.TCP_NO_CONNECTION;
            }
            TcpListener l = new TcpListener(context, nowNs, key.localAddress(), key.localPort(), 1);
            l.handler(listener -> {
                TcpConnection c = listener.accept();
                if (c != null) {
                    f.listener = null;
                    acceptor.onAccepted(c);
                }
            });
            f.listener = l;
        }
        DropReason r = f.listener.onSegment(nowNs, ip.dst(), ip.src(), in, reopen, isnFloor);
        // The listener sent its own RST for a bad ACK; the demux must not send another.
        return r == DropReason.TCP_NO_CONNECTION ? DropReason.TCP_DISCARDED : r;
    }

    /**
     * The verdict for a held flow; returns the held SYN to feed through the host again (which then
     * meets the verdict), or null if {@code key} is no held flow.
     */
    byte[] decide(ConnectionKey key, AnyAddressAcceptor.Verdict verdict) {
        Objects.requireNonNull(verdict);
        Flow f = flows.get(key);
        if (f == null || f.verdict != null) {
            return null;
        }
        f.verdict = verdict;
        byte[] held = f.held;
        f.held = null;
        return held;
    }

    /** The flow's connection closed or entered TIME-WAIT. */
    void onGone(ConnectionKey key) {
        Flow f = flows.get(key);
        if (f != null && f.verdict == AnyAddressAcceptor.Verdict.ACCEPT) {
            flows.remove(key);
            if (f.listener != null) {
                // The handshake never completed: the acceptor still waits for this flow.
                acceptor.onAbandoned(key);
            }
        }
    }

    /** Drops the oldest held flow past {@link #HOLD_TIMEOUT_NS}; whether one went. */
    private boolean evictAbandoned(long nowNs) {
        Iterator<Map.Entry<ConnectionKey, Flow>> it = flows.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ConnectionKey, Flow> e = it.next();
            Flow f = e.getValue();
            if (f.verdict == null && nowNs - f.sinceNs >= HOLD_TIMEOUT_NS) {
                it.remove();
                acceptor.onAbandoned(e.getKey());
                return true;
            }
        }
        return false;
    }
}
