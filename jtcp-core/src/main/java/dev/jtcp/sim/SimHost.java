package dev.jtcp.sim;

import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.SimLink;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.link.sim.SimNode;
import dev.jtcp.link.sim.SimPort;
import dev.jtcp.link.sim.SimRouter;
import dev.jtcp.stack.Host;
import java.nio.ByteBuffer;

/**
 * A computer on a {@link SimNetwork}: a {@link Host} as a node. Packets arriving on its port go to
 * the host, the host's timers become the node's deadline, and the host sends through the port it
 * is plugged into. The host can be replaced, as when a machine crashes and reboots ({@link
 * #reboot}): the new host keeps the port but knows nothing of the old one's connections.
 *
 * <p>Not thread-safe: driven by the simulator's thread.
 */
public final class SimHost implements SimNode {
    private Host host;
    /** The port the host sends through, or null before {@link #plug}. */
    private SimPort port;

    public SimHost(Host host) {
        this.host = host;
    }

    /** The host running now (after a {@link #reboot}, the fresh one). */
    public Host host() {
        return host;
    }

    /** Joins two hosts with a link (impairments per direction) and plugs each host into its end. */
    public static SimLink connect(SimNetwork net, SimHost a, SimHost b, Impairments aToB, Impairments bToA) {
        SimLink link = net.connect(a, b, aToB, bToA);
        a.plug(link.port(a));
        b.plug(link.port(b));
        return link;
    }

    /** Joins a host to a router; the host sends through it, and the router routes its addresses back. */
    public static SimLink connect(SimNetwork net, SimHost h, SimRouter router, Impairments up, Impairments down) {
        SimLink link = net.connect(h, router, up, down);
        h.plug(link.port(h));
        for (var a : h.host.addresses()) {
            router.route(a.toInetAddress(), a.isV4() ? 32 : 128, link.port(router));
        }
        return link;
    }

    /** Attaches the host to this machine's port, one of the node's ends made by {@link SimNetwork#connect}. */
    public void plug(SimPort port) {
        this.port = port;
        host.attach(port);
    }

    /** The old host loses everything (it is cut off and forgotten); {@code fresh} takes its place on the port. */
    public void reboot(Host fresh) {
        host.attach(packet -> {});
        host = fresh;
        fresh.attach(port);
    }

    @Override
    public void onPacket(SimPort from, ByteBuffer packet, long nowNs) {
        host.onPacket(nowNs, packet);
    }

    @Override
    public long nextDeadlineNs() {
        return host.nextDeadlineNs();
    }

    @Override
    public void onTimer(long nowNs) {
        host.onTimer(nowNs);
    }

    @Override
    public String toString() {
        return host.name();
    }
}
