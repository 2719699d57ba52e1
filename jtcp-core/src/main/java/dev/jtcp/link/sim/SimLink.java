package dev.jtcp.link.sim;

import dev.jtcp.link.impair.FaultInjector;

/**
 * A point-to-point link between two nodes, made by {@link SimNetwork#connect}: port {@link #a()}
 * on the first node, port {@link #b()} on the second. Each direction has its own impairments and
 * its own random stream, derived from the network's seed and this link's {@link #index()}, so
 * links created elsewhere do not change this link's choices.
 *
 * <p>Thread-safety: not thread-safe; driven by the thread that runs the network.
 */
public final class SimLink {

    private final int index;
    private final SimPort a;
    private final SimPort b;

    SimLink(SimNetwork network, int index, SimNetwork.NodeTimer nodeA, SimNetwork.NodeTimer nodeB,
            FaultInjector aToB, FaultInjector bToA) {
        this.index = index;
        this.a = new SimPort(network, this, nodeA, "a", aToB);
        this.b = new SimPort(network, this, nodeB, "b", bToA);
        a.attach(b);
        b.attach(a);
    }

    /** Creation order within the network, from 0. */
    public int index() {
        return index;
    }

    /** The port on the first node; what it transmits goes to {@link #b()}. */
    public SimPort a() {
        return a;
    }

    /** The port on the second node; what it transmits goes to {@link #a()}. */
    public SimPort b() {
        return b;
    }

    /**
     * The port attached to {@code node}.
     *
     * @throws IllegalArgumentException if {@code node} is not on this link
     */
    public SimPort port(SimNode node) {
        if (a.node() == node) {
            return a;
        }
        if (b.node() == node) {
            return b;
        }
        throw new IllegalArgumentException(node + " is not on " + this);
    }

    /** {@code link0}, {@code link1}, ... in creation order. */
    @Override
    public String toString() {
        return "link" + index;
    }
}
