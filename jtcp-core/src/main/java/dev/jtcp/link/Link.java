package dev.jtcp.link;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A real network attachment that an event loop drives: raw IP packets in and out, in batches,
 * never blocking. The TUN device ({@code dev.jtcp.link.tun.TunLink}) is one; {@link MemoryLink}
 * joins two stacks in one process; {@link ImpairedLink} and {@link CaptureLink} wrap any link.
 *
 * <p>One duty cycle of the loop: {@link #receive} (repeatedly while it returns a full batch), then
 * the host's work, whose packets go through {@link #transmit}, then {@link #flush}. The loop sleeps
 * until {@link #readinessFd()} is readable, {@link #nextDeadlineNs()} passes, or the link calls
 * the wake-up it was given in {@link #onAttach}.
 *
 * <p>Offloads: a link may hand {@link Receiver#onPacket} TCP super-packets larger than the MTU (up
 * to 64 KiB, with complete, verifiable checksums, or through {@link Receiver#onVerifiedTcp} with
 * checksums the device vouches for: a TUN device with {@code IFF_VNET_HDR} does), and
 * every link takes super-packets through {@link #transmitGso}, which a device with segmentation
 * offload cuts and any other link cuts in software ({@link TcpSegmenter}); {@link
 * #offloadsSegmentation} says which. A multi-queue device is several links, one per queue ({@link #newQueue}).
 *
 * <p>Thread-safety: driven by one event-loop thread; {@link #close} after the loop stopped.
 */
public interface Link extends PacketSink, AutoCloseable {
    /** Receives packets; the buffer (position to limit, big-endian) is valid only during the call. */
    @FunctionalInterface
    interface Receiver {
        void onPacket(ByteBuffer packet);

        /**
         * Whether this receiver takes {@link #onVerifiedTcp}: TCP packets whose checksum the device
         * vouches for and that it may therefore leave unsummed. A receiver that says no (the
         * default, and every decorator, which may corrupt or record the bytes) gets only complete,
         * verifiable packets through {@link #onPacket}.
         */
        default boolean takesVerifiedTcp() {
            return false;
        }

        /**
         * A TCP packet whose checksum needs no verification: the device marked it valid or it was
         * made on this machine and never crossed a wire (the kernel's partial checksum, which the
         * checksum field then holds instead of the complete one). Only called when {@link
         * #takesVerifiedTcp} says so.
         */
        default void onVerifiedTcp(ByteBuffer packet) {
            onPacket(packet);
        }
    }

    /** A short name for messages and traces, e.g. the interface name. */
    String name();

    /** The largest IP packet this link carries. */
    int mtu();

    /** A file descriptor that polls readable while packets wait, or -1 for a link that wakes the loop itself. */
    default int readinessFd() {
        return -1;
    }

    /**
     * Called once by the loop before use: {@code wakeup} (safe from any thread) makes the loop run a
     * duty cycle soon; links without a readiness descriptor call it when packets arrive.
     */
    default void onAttach(Runnable wakeup) {
    }

    /**
     * Hands up to {@code maxPackets} waiting packets to {@code receiver}, without blocking.
     *
     * @param nowNs the loop's clock, for links that hold packets back (impairments)
     * @return how many were handed over; 0 if none wait
     */
    int receive(long nowNs, Receiver receiver, int maxPackets) throws IOException;

    /** Queues a copy of the packet (position to limit) for sending; the buffer is not changed. */
    @Override
    void transmit(ByteBuffer packet);

    /** Sends what {@link #transmit} queued, and anything held back whose time has come. */
    void flush(long nowNs) throws IOException;

    /** When the link next needs {@link #receive} or {@link #flush} without any packet arriving, or {@link Long#MAX_VALUE}. */
    default long nextDeadlineNs() {
        return Long.MAX_VALUE;
    }

    /**
     * Another queue of the same device, as a link of its own for another event loop (a multi-queue
     * TUN: {@code TunLink.create(..., multiQueue)}); the device decides which queue each packet
     * arrives on, and a packet may leave through any queue.
     *
     * @throws UnsupportedOperationException for links with one queue (the default)
     * @throws IOException when the device refuses another queue
     */
    default Link newQueue() throws IOException {
        throw new UnsupportedOperationException(name() + " has one queue");
    }

    /** Releases the link; a TUN device disappears. */
    @Override
    void close();
}
