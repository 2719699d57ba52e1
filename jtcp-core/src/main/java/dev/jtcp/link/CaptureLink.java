package dev.jtcp.link;

import dev.jtcp.pcap.CaptureWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Wraps a {@link Link} and records every packet in both directions to a capture file, time-stamped
 * with the wall clock, as tcpdump on the interface would see them: inbound as they are read,
 * outbound as jtcp sends them. Put it inside an {@link ImpairedLink} to see the packets the kernel
 * actually exchanged, outside to see what jtcp sent and received.
 *
 * <p>Thread-safety: one event-loop thread. The writer is flushed on {@link #flush} at most every
 * {@link #FLUSH_INTERVAL_NS} and closed with the link.
 */
public final class CaptureLink extends ForwardingLink {
    /** How stale the file may get while packets flow. */
    public static final long FLUSH_INTERVAL_NS = 200_000_000L;

    private final CaptureWriter writer;
    private final long epochOffsetNs;
    private long lastFlushNs;
    private long nowNs;

    /** @param epochOffsetNs added to the loop's clock to get nanoseconds since the Unix epoch */
    public CaptureLink(Link inner, CaptureWriter writer, long epochOffsetNs) {
        super(inner);
        this.writer = writer;
        this.epochOffsetNs = epochOffsetNs;
    }

    /** The offset that turns {@link System#nanoTime()} into Unix-epoch nanoseconds, measured now. */
    public static long nanoTimeToEpochOffset() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
    }

    @Override
    public int receive(long nowNs, Receiver receiver, int maxPackets) throws IOException {
        this.nowNs = nowNs;
        return inner.receive(nowNs, p -> {
            record(p);
            receiver.onPacket(p);
        }, maxPackets);
    }

    @Override
    public void transmit(ByteBuffer packet) {
        record(packet);
        inner.transmit(packet);
    }

    private void record(ByteBuffer packet) {
        try {
            writer.write(nowNs + epochOffsetNs, packet);
        } catch (IOException e) {
            throw new UncheckedIOException("writing capture", e);
        }
    }

    @Override
    public void flush(long nowNs) throws IOException {
        this.nowNs = nowNs;
        inner.flush(nowNs);
        if (nowNs - lastFlushNs >= FLUSH_INTERVAL_NS) {
            lastFlushNs = nowNs;
            writer.flush();
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing capture", e);
        } finally {
            inner.close();
        }
    }
}
