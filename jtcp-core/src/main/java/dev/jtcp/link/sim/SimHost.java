package dev.jtcp.link.sim;

import dev.jtcp.link.Impairments;
import dev.jtcp.stack.Host;
import java.nio.ByteBuffer;

/**
 * A {@link Host} placed on a {@link SimNetwork}: packets arriving on its port go to the host, its
 * timers become the node's deadline. The host sends through whichever port it is attached to.
 *
 * <p>Not thread-safe: driven by the simulator's thread.
 */
public final class SimHost implements SimNode {
    private final Host host;

    public SimHost(Host host) {
        this.host = host;
    }

    public Host host() {
        return host;
    }

    /** Joins two hosts with a link (impairments per direction) and attaches each host to its end. */
    public static SimLink connect(SimNetwork net, SimHost a, SimHost b, Impairments aToB, Impairments bToA) {
        SimLink link = net.connect(a, b, aToB, bToA);
        a.host.attach(link.port(a));
        b.host.attach(link.port(b));
        return link;
    }

    /** Joins a host to a router; the host sends through it, and the router routes its addresses back. */
    public static SimLink connect(SimNetwork net, SimHost h, SimRouter router, Impairments up, Impairments down) {
        SimLink link = net.connect(h, router, up, down);
        h.host.attach(link.port(h));
        for (var a : h.host.addresses()) {
            router.route(a.toInetAddress(), a.isV4() ? 32 : 128, link.port(router));
        }
        return link;
    }

    @Override
    public void onPacket(SimPort port, ByteBuffer packet, long nowNs) {
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
