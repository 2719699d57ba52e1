package dev.jtcp.link.sim;

import dev.jtcp.link.impair.DropCause;
import dev.jtcp.link.impair.Fault;
import java.nio.ByteBuffer;

/**
 * Watches every packet on a {@link SimNetwork}: added with {@link SimNetwork#addTap}, it sees each
 * transmission, each delivery, each drop and each fault, in virtual-time order. Capture writers,
 * ladder-diagram tracers and test logs implement it.
 *
 * <p>The buffers (position to limit) are valid only during the call and must not be modified; a tap
 * may move their position and limit, which are restored afterwards. Taps must not send packets or
 * run the network.
 *
 * <p>Thread-safety: implementations need not be thread-safe; the network calls them from the one
 * thread that runs it.
 */
public interface SimTap {

    /** A node handed {@code packet} to {@code from}. Every later event for it follows this one. */
    default void onTransmit(long nowNs, SimPort from, ByteBuffer packet) {
    }

    /**
     * {@code packet} arrives at {@code to}'s node, called just before {@link SimNode#onPacket}. The
     * bytes are those delivered, which differ from those transmitted if the packet was corrupted.
     */
    default void onDeliver(long nowNs, SimPort to, ByteBuffer packet) {
    }

    /**
     * {@code packet} was discarded. {@code port} is the transmitting port for drops on a link
     * ({@link DropCause#LOSS}, {@link DropCause#QUEUE_FULL}), decided when the packet is
     * transmitted, or the receiving port for drops a node reports with {@link SimPort#reportDrop}
     * (a router's {@link DropCause#NO_ROUTE}).
     */
    default void onDrop(long nowNs, SimPort port, ByteBuffer packet, DropCause cause) {
    }

    /**
     * The link out of {@code from} applied {@code fault} to a copy of a packet just transmitted;
     * {@code packet} holds the bytes that copy will be delivered with. Called right after
     * {@link #onTransmit}, at most once per fault and copy, before the copy's {@link #onDeliver}.
     */
    default void onFault(long nowNs, SimPort from, ByteBuffer packet, Fault fault) {
    }
}
