package dev.jtcp.link.sim;

import dev.jtcp.pcap.CaptureWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Writes every packet a simulated network carries to a capture file, time-stamped with virtual
 * time: as it leaves its sender (like tcpdump on the sending host), so packets the network then
 * loses appear too.
 *
 * <p>Not thread-safe: called on the simulator's thread.
 */
public final class CaptureTap implements SimTap {
    private final CaptureWriter writer;

    public CaptureTap(CaptureWriter writer) {
        this.writer = writer;
    }

    @Override
    public void onTransmit(long nowNs, SimPort from, ByteBuffer packet) {
        try {
            writer.write(nowNs, packet);
        } catch (IOException e) {
            throw new UncheckedIOException("writing capture", e);
        }
    }
}
