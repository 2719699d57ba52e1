package dev.jtcp.link.sim;

import java.nio.ByteBuffer;

/**
 * Something attached to a {@link SimNetwork}: a host stack, a router, a scripted peer. The network
 * calls it when a packet arrives and when its timer is due; it sends through the {@link SimPort}s it
 * was given by {@link SimNetwork#connect}, during any callback, scripted action or between runs.
 *
 * <p>Timers are data: after every callback into the node (and after every scripted action) the
 * network reads {@link #nextDeadlineNs()} again and keeps one wake-up for it. {@link #onTimer} is
 * called only when the virtual time has reached the deadline the node reports at that moment, never
 * early. A node whose deadline changes outside its own callbacks, for example because another node
 * called into it, should be passed to {@link SimNetwork#wake}; the run methods also re-read every
 * node's deadline when they start.
 *
 * <p>Thread-safety: implementations need not be thread-safe; the network calls them from the one
 * thread that runs it.
 */
public interface SimNode {

    /**
     * A packet arrived on {@code port}. The buffer (position to limit) is valid only during the call
     * and may be modified; copy what you keep.
     *
     * @param port the node's port the packet arrived on
     * @param packet the packet bytes
     * @param nowNs the current virtual time
     */
    void onPacket(SimPort port, ByteBuffer packet, long nowNs);

    /**
     * The earliest virtual time at which this node wants {@link #onTimer}, or {@code Long.MAX_VALUE}
     * for none. A time already past means "as soon as possible".
     */
    default long nextDeadlineNs() {
        return Long.MAX_VALUE;
    }

    /**
     * The deadline reported by {@link #nextDeadlineNs()} has come. The node must move or clear its
     * deadline, or it is called again at the same virtual time.
     *
     * @param nowNs the current virtual time, at or after the deadline
     */
    default void onTimer(long nowNs) {
    }
}
