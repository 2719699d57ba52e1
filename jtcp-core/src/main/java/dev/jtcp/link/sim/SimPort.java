package dev.jtcp.link.sim;

import dev.jtcp.link.PacketSink;
import dev.jtcp.link.impair.DropCause;
import dev.jtcp.link.impair.Fault;
import dev.jtcp.link.impair.FaultInjector;
import dev.jtcp.link.impair.Impairments;
import java.nio.ByteBuffer;

/**
 * One end of a {@link SimLink}: a node's attachment to the link, and the {@link PacketSink} the node
 * sends through. Packets transmitted here pass through this direction's {@link FaultInjector} and
 * arrive at the {@link #peer()} port's node.
 *
 * <p>Thread-safety: not thread-safe; driven by the thread that runs the network.
 */
public final class SimPort implements PacketSink {

    private final SimNetwork network;
    private final SimLink link;
    /** The attached node and its wake-up. */
    final SimNetwork.NodeTimer timer;
    /** "a" or "b": which end of the link this is. */
    private final String end;
    /** Applies this direction's impairments to what this port transmits. */
    private final FaultInjector egress;
    /** Receives {@link #egress}'s decisions for the packet being transmitted. */
    private final FaultInjector.Output decisions = new Decisions();
    private SimPort peer;
    private long transmitted;
    private long received;
    private final long[] drops = new long[DropCause.values().length];

    SimPort(SimNetwork network, SimLink link, SimNetwork.NodeTimer timer, String end, FaultInjector egress) {
        this.network = network;
        this.link = link;
        this.timer = timer;
        this.end = end;
        this.egress = egress;
    }

    void attach(SimPort peer) {
        this.peer = peer;
    }

    /**
     * Sends {@code packet} (position to limit) over the link at the current virtual time. Copies
     * what it keeps; leaves the buffer as it was.
     */
    @Override
    public void transmit(ByteBuffer packet) {
        transmitted++;
        network.tapTransmit(this, packet);
        egress.offer(packet, network.nowNs(), decisions);
    }

    /**
     * Notes that this port's node discarded {@code packet}, which arrived here, for {@code cause}:
     * counts it and tells the taps. For nodes that drop, such as {@link SimRouter}.
     */
    public void reportDrop(ByteBuffer packet, DropCause cause) {
        dropped(packet, cause);
    }

    /** The node attached to this port. */
    public SimNode node() {
        return timer.node;
    }

    /** The link this port is an end of. */
    public SimLink link() {
        return link;
    }

    /** The port at the other end of the link. */
    public SimPort peer() {
        return peer;
    }

    /** The network this port belongs to. */
    public SimNetwork network() {
        return network;
    }

    /** What the link does to packets transmitted here. */
    public Impairments impairments() {
        return egress.impairments();
    }

    /** Packets transmitted here so far. */
    public long transmitted() {
        return transmitted;
    }

    /** Packets delivered to this port's node so far, duplicates included. */
    public long received() {
        return received;
    }

    /**
     * Packets dropped for {@code cause} so far that were transmitted here (link drops) or reported
     * here by this port's node ({@link #reportDrop}).
     */
    public long dropped(DropCause cause) {
        return drops[cause.ordinal()];
    }

    /** Times the link applied {@code fault} to packets transmitted here. */
    public long faulted(Fault fault) {
        return egress.faulted(fault);
    }

    void onReceived() {
        received++;
    }

    /** {@code link0.a}: the link and which end. */
    @Override
    public String toString() {
        return link + "." + end;
    }

    private void dropped(ByteBuffer packet, DropCause cause) {
        drops[cause.ordinal()]++;
        network.tapDrop(this, packet, cause);
    }

    /** Turns the fault injector's decisions into scheduled deliveries and tap events. */
    private final class Decisions implements FaultInjector.Output {
        @Override
        public void onDeliver(ByteBuffer packet, long deliverAtNs) {
            network.scheduleDelivery(peer, packet, deliverAtNs);
        }

        @Override
        public void onDrop(ByteBuffer packet, DropCause cause) {
            dropped(packet, cause);
        }

        @Override
        public void onFault(ByteBuffer packet, Fault fault) {
            network.tapFault(SimPort.this, packet, fault);
        }
    }
}
