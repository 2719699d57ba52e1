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
}
