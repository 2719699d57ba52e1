package dev.jtcp.link;

import java.nio.ByteBuffer;

/**
 * Where a host stack sends raw IP packets (IPv4 or IPv6 bytes, no link-layer header): one end of a
 * link, simulated ({@code dev.jtcp.link.sim.SimPort}) or real (a TUN device).
 *
 * <p>Thread-safety: stated by each implementation; the simulator's ports are not thread-safe and are
 * driven by the simulation's one thread.
 */
@FunctionalInterface
public interface PacketSink {

    /**
     * Sends the bytes between {@code packet}'s position and limit as one packet. The implementation
     * copies what it keeps before returning and does not change the buffer's position or limit, so
     * the caller may reuse the buffer at once. Read-only buffers are accepted.
     *
     * @param packet the packet, from position to limit
     */
    void transmit(ByteBuffer packet);

    /**
     * Sends one TCP segment of up to 64 KiB (a super-packet) as packets of at most {@code gsoSize}
     * payload bytes each: a device with segmentation offload cuts it (a TUN device with the
     * virtio-net header, see {@link #offloadsSegmentation}); any other sink cuts it in software
     * ({@link TcpSegmenter}, the default), so callers need not care which.
     *
     * <p>The packet (position to limit; not changed; copied as needed before returning) is IPv4 or
     * IPv6 without extension headers, carrying TCP, with IP length fields for the whole of it. Its
     * TCP checksum field holds the partial checksum ({@link TcpSegmenter#setPartialChecksum}: the
     * pseudo-header sum only, as Linux's {@code CHECKSUM_PARTIAL}), so the sender never sums the
     * payload; the device, the kernel or the software segmenter completes it per piece. Each piece
     * gets its own lengths, IPv4 identification, sequence number and checksums; FIN and PSH stay on
     * the last piece only, CWR on the first.
     *
     * @param gsoSize payload bytes per packet (the MSS); a segment no longer than that leaves as one
     *     packet (with its checksum completed)
     * @throws IllegalArgumentException if the packet is not such a TCP segment
     */
    default void transmitGso(ByteBuffer packet, int gsoSize) {
        TcpSegmenter.forThisThread().segment(packet, gsoSize, this);
    }

    /**
     * Whether {@link #transmitGso} hands super-packets to a device that cuts them (so producing them
     * saves per-packet work all the way down), rather than cutting them in software here.
     */
    default boolean offloadsSegmentation() {
        return false;
    }
}
