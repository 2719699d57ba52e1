package dev.jtcp.link;

import dev.jtcp.link.impair.DropCause;
import dev.jtcp.link.impair.FaultInjector;
import dev.jtcp.link.impair.Impairments;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.PriorityQueue;

/**
 * Wraps a real {@link Link} in two seeded {@link FaultInjector}s, one per direction, so that real
 * peers (the Linux kernel) meet loss, delay, jitter, reordering and duplication on the way to and
 * from jtcp, on real time. This is {@code --impair} of the command line: the kernel on this
 * machine has no netem, so the faults are applied here, at the edge of jtcp's stack.
 *
 * <p>Each packet, in either direction, is offered (a TCP super-packet the kernel handed a device with
 * offloads first cut to the MTU, as the wire would carry it) to its direction's injector at the loop's time;
 * the copies it delivers wait in a time-ordered queue until their time, then go on: outbound to
 * the inner link (on {@link #flush}), inbound to the receiver (on {@link #receive}). {@link
 * #nextDeadlineNs()} tells the loop when the next one is due.
 *
 * <p>Thread-safety: one event-loop thread, like the link it wraps.
 */
public final class ImpairedLink extends ForwardingLink {
    private final FaultInjector outbound;
    private final FaultInjector inbound;
    private final PriorityQueue<Held> toInner = new PriorityQueue<>();
    private final PriorityQueue<Held> toHost = new PriorityQueue<>();
    private long nowNs;
    private long order;

    /** A copy of a packet and when it may go on. */
    private record Held(long dueNs, long order, byte[] bytes) implements Comparable<Held> {
        @Override
        public int compareTo(Held o) {
            int c = Long.compare(dueNs, o.dueNs);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /**
     * @param impairments applied in each direction independently
     * @param seed        seeds both injectors (outbound with {@code seed}, inbound with {@code seed + 1})
     */
    public ImpairedLink(Link inner, Impairments impairments, long seed) {
        super(inner);
        this.outbound = new FaultInjector(impairments, seed);
        this.inbound = new FaultInjector(impairments, seed + 1);
    }

    /** Decisions for packets leaving jtcp. */
    public FaultInjector outbound() {
        return outbound;
    }

    /** Decisions for packets arriving at jtcp. */
    public FaultInjector inbound() {
        return inbound;
    }

    private final FaultInjector.Output holdForHost = new FaultInjector.Output() {
        @Override
        public void onDeliver(ByteBuffer packet, long deliverAtNs) {
            toHost.add(new Held(deliverAtNs, order++, copy(packet)));
        }

        @Override
        public void onDrop(ByteBuffer packet, DropCause cause) {
        }
    };

    private final FaultInjector.Output holdForInner = new FaultInjector.Output() {
        @Override
        public void onDeliver(ByteBuffer packet, long deliverAtNs) {
            toInner.add(new Held(deliverAtNs, order++, copy(packet)));
        }

        @Override
        public void onDrop(ByteBuffer packet, DropCause cause) {
        }
    };

    @Override
    public int receive(long nowNs, Receiver receiver, int maxPackets) throws IOException {
        this.nowNs = nowNs;
        int n = inner.receive(nowNs, this::arrived, maxPackets);
        int delivered = 0;
        while (delivered < maxPackets && !toHost.isEmpty() && toHost.peek().dueNs() - nowNs <= 0) {
            receiver.onPacket(ByteBuffer.wrap(toHost.poll().bytes()));
            delivered++;
        }
        // Report a full batch if either side had one, so the loop comes back at once.
        return Math.max(n, delivered);
    }

    @Override
    public void transmit(ByteBuffer packet) {
        outbound.offer(packet, nowNs, holdForInner);
    }

    @Override
    public void flush(long nowNs) throws IOException {
        this.nowNs = nowNs;
        while (!toInner.isEmpty() && toInner.peek().dueNs() - nowNs <= 0) {
            inner.transmit(ByteBuffer.wrap(toInner.poll().bytes()));
        }
        inner.flush(nowNs);
    }

    /**
     * A packet from the inner link: a TCP super-packet (the kernel's GSO through a device with
     * offloads, longer than the MTU) is first cut as the wire would carry it, so each piece meets
     * the impairments on its own; anything else is offered as it is.
     */
    private void arrived(ByteBuffer p) {
        int at = p.position();
        int length = p.remaining();
        int version = length > 0 ? (p.get(at) & 0xF0) >>> 4 : 0;
        int ipLength = version == 4 ? (p.get(at) & 0x0F) * 4 : 40;
        boolean tcp = version == 4 && length >= 20 ? p.get(at + 9) == 6 : version == 6 && length >= 40 && p.get(at + 6) == 6;
        if (length <= mtu() || !tcp || length < ipLength + 20) {
            inbound.offer(p, nowNs, holdForHost);
            return;
        }
        int headers = ipLength + ((p.get(at + ipLength + 12) & 0xFF) >>> 4) * 4;
        // The link completed the checksum; the segmenter takes the partial one and completes each piece.
        TcpSegmenter.setPartialChecksum(p);
        TcpSegmenter.forThisThread().segment(p, mtu() - headers, cutPieces);
    }

    /** Where {@link #arrived} puts the pieces of a super-packet: into the inbound injector. */
    private final PacketSink cutPieces = piece -> inbound().offer(piece, nowNs, holdForHost);

    @Override
    public long nextDeadlineNs() {
        long d = inner.nextDeadlineNs();
        if (!toInner.isEmpty()) {
            d = Math.min(d, toInner.peek().dueNs());
        }
        if (!toHost.isEmpty()) {
            d = Math.min(d, toHost.peek().dueNs());
        }
        return d;
    }

    private static byte[] copy(ByteBuffer packet) {
        byte[] b = new byte[packet.remaining()];
        packet.get(packet.position(), b);
        return b;
    }

    @Override
    public String toString() {
        return inner + " impaired by " + outbound.impairments();
    }
}
