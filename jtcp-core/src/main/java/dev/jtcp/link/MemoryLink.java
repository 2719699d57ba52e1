package dev.jtcp.link;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One end of an in-process cable between two stacks, each run by its own event loop: what one end
 * transmits, the other receives, in order, without loss. For tests and demos of the socket API
 * without a TUN device or root.
 *
 * <p>Packets are copied into heap arrays and handed over through a lock-free queue; after a
 * {@link #flush} the receiving loop is woken if anything was sent.
 *
 * <p>Thread-safety: {@link #transmit} and {@link #flush} on one end's loop thread, {@link #receive}
 * on the other's; the queue between them is concurrent.
 */
public final class MemoryLink implements Link {
    private final String name;
    private final int mtu;
    private final Queue<byte[]> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong oversized = new AtomicLong();
    private MemoryLink peer;
    private volatile Runnable wakeup = () -> {};
    private boolean sentSinceFlush;
    /** Bound on packets waiting in an inbox, like a device queue; beyond it packets are dropped. */
    private final int queueLimit;
    private final AtomicLong queued = new AtomicLong();

    private MemoryLink(String name, int mtu, int queueLimit) {
        this.name = name;
        this.mtu = mtu;
        this.queueLimit = queueLimit;
    }

    /** Two joined ends named {@code a} and {@code b}, carrying packets of up to {@code mtu} bytes. */
    public static MemoryLink[] pair(String a, String b, int mtu) {
        MemoryLink x = new MemoryLink(a, mtu, 16_384);
        MemoryLink y = new MemoryLink(b, mtu, 16_384);
        x.peer = y;
        y.peer = x;
        return new MemoryLink[] {x, y};
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public void onAttach(Runnable wakeup) {
        this.wakeup = wakeup;
    }

    @Override
    public int receive(long nowNs, Receiver receiver, int maxPackets) {
        int n = 0;
        byte[] p;
        while (n < maxPackets && (p = inbox.poll()) != null) {
            queued.decrementAndGet();
            receiver.onPacket(ByteBuffer.wrap(p));
            n++;
        }
        return n;
    }

    @Override
    public void transmit(ByteBuffer packet) {
        if (packet.remaining() > mtu) {
            // A stack that sends more than the MTU has a bug (options not fitted, a wrong MSS): count
            // it apart from congestion, so that a stall it causes has a name.
            oversized.incrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        if (peer.queued.get() >= peer.queueLimit) {
            dropped.incrementAndGet();
            return;
        }
        byte[] copy = new byte[packet.remaining()];
        packet.get(packet.position(), copy);
        peer.queued.incrementAndGet();
        peer.inbox.add(copy);
        sentSinceFlush = true;
    }

    @Override
    public void flush(long nowNs) {
        if (sentSinceFlush) {
            sentSinceFlush = false;
            peer.wakeup.run();
        }
    }

    /** Packets this end could not send (too big, or the peer's queue was full). */
    public long dropped() {
        return dropped.get();
    }

    /** Of {@link #dropped()}, the packets larger than the MTU. */
    public long oversized() {
        return oversized.get();
    }

    @Override
    public void close() {
        inbox.clear();
    }

    @Override
    public String toString() {
        return "memory link " + name;
    }
}
