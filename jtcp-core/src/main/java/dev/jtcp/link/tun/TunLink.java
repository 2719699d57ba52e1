package dev.jtcp.link.tun;

import dev.jtcp.link.Link;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A {@link Link} over a {@link TunDevice}: batched, non-blocking reads and writes through native
 * buffers that are allocated once.
 *
 * <ul>
 *   <li>Receive: rounds of up to {@link #BATCH} {@code read}s into the receive slots until the
 *       device has no more (EAGAIN) or the caller's batch is full; each packet goes to the receiver
 *       as a big-endian {@link ByteBuffer} view of its slot: no copy, no allocation.
 *   <li>Transmit: each packet is copied into the next transmit slot; {@link #flush} (or a full
 *       batch) writes them out, one {@code write} each, as TUN takes exactly one packet per call.
 * </ul>
 *
 * <p>Writes the kernel refuses for lack of room (EAGAIN, ENOBUFS) count as {@link #txDropped}: TCP
 * recovers as from any loss. Other write errors (EIO while the interface is down) are counted and
 * the last one kept in {@link #lastError}; the link keeps going.
 *
 * <p>Thread-safety: one event-loop thread; {@link #close} after the loop stopped.
 */
public final class TunLink implements Link {
    /** Packets per batch in each direction. */
    public static final int BATCH = 32;

    private final TunDevice device;
    private final int mtu;
    private final MemorySegment[] rxSlots = new MemorySegment[BATCH];
    private final ByteBuffer[] rxViews = new ByteBuffer[BATCH];
    private final MemorySegment[] txSlots = new MemorySegment[BATCH];
    private final ByteBuffer[] txViews = new ByteBuffer[BATCH];
    private final int[] txLengths = new int[BATCH];
    private int txCount;
    private long packetsIn;
    private long packetsOut;
    private long bytesIn;
    private long bytesOut;
    private long txDropped;
    private long txErrors;
    private volatile IOException lastError;

    /** A link over {@code device} carrying packets of up to {@code mtu} bytes. */
    public TunLink(TunDevice device, int mtu) {
        this.device = device;
        this.mtu = mtu;
        Arena arena = Arena.ofAuto();
        int slotSize = mtu + 64;
        for (int i = 0; i < BATCH; i++) {
            rxSlots[i] = arena.allocate(slotSize, 64);
            rxViews[i] = rxSlots[i].asByteBuffer();
            txSlots[i] = arena.allocate(slotSize, 64);
            txViews[i] = txSlots[i].asByteBuffer();
        }
    }

    /**
     * Creates TUN interface {@code name} (in namespace {@code netns}, or the current one if null),
     * sets its MTU, gives the kernel's end {@code kernelAddresses}, brings it up, and returns a link
     * over it. The interface disappears when the link is closed or the process exits.
     */
    public static TunLink create(String name, String netns, int mtu, List<String> kernelAddresses) throws IOException {
        TunDevice device = Netns.call(netns, () -> TunDevice.open(name));
        try {
            InterfaceConfig.configure(netns, device.name(), mtu, kernelAddresses);
        } catch (IOException | RuntimeException e) {
            device.close();
            throw e;
        }
        return new TunLink(device, mtu);
    }

    public TunDevice device() {
        return device;
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int readinessFd() {
        return device.fd();
    }

    /**
     * Reads in rounds of up to {@link #BATCH} packets (the receive slots), handing each round to
     * the receiver before the next, until {@code maxPackets} were handed over or the device has no
     * more: a return of {@code maxPackets} tells the loop that more may wait, whatever the slot count.
     */
    @Override
    public int receive(long nowNs, Receiver receiver, int maxPackets) throws IOException {
        int total = 0;
        while (total < maxPackets) {
            int want = Math.min(maxPackets - total, BATCH);
            int n = 0;
            while (n < want) {
                int length = device.read(rxSlots[n]);
                if (length == 0) {
                    break;
                }
                rxViews[n].limit(length).position(0);
                bytesIn += length;
                n++;
            }
            packetsIn += n;
            for (int i = 0; i < n; i++) {
                receiver.onPacket(rxViews[i]);
            }
            total += n;
            if (n < want) {
                break;
            }
        }
        return total;
    }

    @Override
    public void transmit(ByteBuffer packet) {
        int length = packet.remaining();
        if (length > mtu) {
            txDropped++;
            return;
        }
        if (txCount == BATCH) {
            writeQueued();
        }
        txViews[txCount].clear().put(0, packet, packet.position(), length);
        txLengths[txCount++] = length;
    }

    @Override
    public void flush(long nowNs) {
        writeQueued();
    }

    private void writeQueued() {
        for (int i = 0; i < txCount; i++) {
            try {
                if (device.write(txSlots[i], txLengths[i])) {
                    packetsOut++;
                    bytesOut += txLengths[i];
                } else {
                    txDropped++;
                }
            } catch (ErrnoException e) {
                txErrors++;
                lastError = e;
            }
        }
        txCount = 0;
    }

    public long packetsIn() {
        return packetsIn;
    }

    public long packetsOut() {
        return packetsOut;
    }

    public long bytesIn() {
        return bytesIn;
    }

    public long bytesOut() {
        return bytesOut;
    }

    /** Packets the kernel had no room for. */
    public long txDropped() {
        return txDropped;
    }

    /** Writes that failed with an error (see {@link #lastError}). */
    public long txErrors() {
        return txErrors;
    }

    /** The last write error, or null. */
    public IOException lastError() {
        return lastError;
    }

    @Override
    public void close() {
        device.close();
    }

    @Override
    public String toString() {
        return device.toString();
    }
}
