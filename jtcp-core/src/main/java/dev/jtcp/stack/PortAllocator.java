package dev.jtcp.stack;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.SipHash;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.tcp.TimeWaitEntry;
import dev.jtcp.wire.IpAddress;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Local ports: ephemeral ones for active OPENs (RFC 6056), and the rules that decide whether a
 * port is free to connect from or listen on, which follow Linux's bind(2):
 *
 * <ul>
 *   <li>a listener on the port whose address overlaps (equal, or either a dual-stack wildcard)
 *       always makes the port "in use";
 *   <li>other connections on the port, TIME-WAIT included, make it "in use" for a listener only
 *       without {@code reuseAddress} (SO_REUSEADDR), so a restarted server can listen again while
 *       its old connections wait out TIME-WAIT;
 *   <li>a connection needs its whole 4-tuple free, TIME-WAIT included.
 * </ul>
 *
 * <p>Not thread-safe: the host's thread.
 */
final class PortAllocator {
    /** RFC 6056 §3.2 / Linux's default range for ephemeral ports. */
    static final int EPHEMERAL_LOW = 32768;
    static final int EPHEMERAL_HIGH = 60999;
    private static final int RANGE = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;

    /** Who holds which 4-tuples and ports. */
    private final TcpDemux demux;
    /** The keyed hash of RFC 6056's Algorithm 3 (F(local, remote, secret)). */
    private final SipHash hash;
    /** The algorithm's counter "next_ephemeral", advanced past each port handed out. */
    private int nextEphemeral;
    /** The stack's shards (one per event loop); this host takes ephemeral ports from its slice only. */
    private FlowShards shards = FlowShards.ONE;
    /** This host's shard, {@code 0 <= shard < shards.count()}. */
    private int shard;

    /** {@code start} is the counter's initial value, random in 0..{@link #RANGE}-1. */
    PortAllocator(TcpDemux demux, SipHash hash, int start) {
        this.demux = Objects.requireNonNull(demux);
        this.hash = Objects.requireNonNull(hash);
        this.nextEphemeral = start;
    }

    /**
     * Makes this allocator shard {@code shard} of {@code shards}: it hands out only the ephemeral
     * ports of its slice, so the hosts of one stack never pick the same port (the slices are the
     * shared allocator: disjoint by construction, no lock), and every flow it opens is its own
     * ({@link FlowShards#ownerOf}).
     */
    void shard(FlowShards shards, int shard) {
        if (shard < 0 || shard >= shards.count()) {
            throw new IllegalArgumentException("shard " + shard + " of " + shards);
        }
        this.shards = shards;
        this.shard = shard;
    }

    /** A random start for the counter, drawn from {@code random}. */
    static int randomStart(RandomGenerator random) {
        return random.nextInt(RANGE);
    }

    /**
     * The local port for an active OPEN from {@code local} to {@code remote}:{@code remotePort}:
     * {@code localPort} if it is free, or an ephemeral one if {@code localPort} is 0; returns the
     * 4-tuple.
     *
     * @throws TcpException ADDRESS_IN_USE if a listener holds {@code localPort} or the 4-tuple is
     *     taken (TIME-WAIT included), INSUFFICIENT_RESOURCES if no ephemeral port is free
     */
    ConnectionKey bindForConnect(IpAddress local, IpAddress remote, int remotePort, int localPort) {
        int lport = localPort;
        if (lport == 0) {
            lport = allocate(local, remote, remotePort);
        } else {
            TcpListener l = listenerOn(local, lport);
            if (l != null) {
                throw new TcpException(TcpError.ADDRESS_IN_USE, "port " + lport + " is in use by " + l);
            }
        }
        if (shards.ownerOf(remote, remotePort, lport) != shard) {
            throw new IllegalArgumentException("the flow from port " + lport + " to " + remote + ":" + remotePort
                    + " belongs to shard " + shards.ownerOf(remote, remotePort, lport) + ", not " + shard);
        }
        ConnectionKey key = new ConnectionKey(local, lport, remote, remotePort);
        boolean inTimeWait = demux.timeWait(key) != null;
        if (demux.hasConnection(key) || inTimeWait) {
            throw new TcpException(TcpError.ADDRESS_IN_USE, "connection " + key + " already exists"
                    + (inTimeWait ? " (in TIME-WAIT)" : ""));
        }
        return key;
    }

    /**
     * Checks that a listener may take {@code local}:{@code port} under the rules above.
     *
     * @throws TcpException ADDRESS_IN_USE if it may not
     */
    void checkListen(IpAddress local, int port, boolean reuseAddress) {
        TcpListener clash = listenerOn(local, port);
        if (clash != null) {
            throw new TcpException(TcpError.ADDRESS_IN_USE, "port " + port + " is in use by " + clash);
        }
        if (reuseAddress) {
            return;
        }
        for (TcpConnection c : demux.connections()) {
            ConnectionKey k = c.key();
            if (k.localPort() == port && overlaps(k.localAddress(), local)) {
                throw new TcpException(TcpError.ADDRESS_IN_USE, "port " + port + " is in use by " + k);
            }
        }
        for (TimeWaitEntry tw : demux.timeWaitEntries()) {
            ConnectionKey k = tw.key();
            if (k.localPort() == port && overlaps(k.localAddress(), local)) {
                throw new TcpException(TcpError.ADDRESS_IN_USE, "port " + port + " is in use by " + k
                        + " in TIME-WAIT (reuse the address to listen anyway)");
            }
        }
    }

    /**
     * RFC 6056 §3.3.3 (Algorithm 3, "simple hash-based"): start at an offset keyed on the 4-tuple's
     * fixed parts and take the first free port, so ports are hard to guess but spread per peer.
     */
    private int allocate(IpAddress local, IpAddress remote, int remotePort) {
        int offset = (int) (hash.hash(local.hi(), local.lo(), remote.hi(), remote.lo(), remotePort, 0) >>> 33);
        int range = shards.ephemeralPorts(shard);
        for (int i = 0; i < range; i++) {
            int port = shards.ephemeralPort(shard, Math.floorMod(offset + nextEphemeral + i, range));
            ConnectionKey k = new ConnectionKey(local, port, remote, remotePort);
            if (!demux.hasConnection(k) && demux.timeWait(k) == null && listenerOn(local, port) == null) {
                nextEphemeral += i + 1;
                return port;
            }
        }
        throw new TcpException(TcpError.INSUFFICIENT_RESOURCES, "no ephemeral port free towards " + remote);
    }

    /** A listener on {@code port} whose address overlaps {@code local}, or null. */
    private TcpListener listenerOn(IpAddress local, int port) {
        for (TcpListener l : demux.listeners()) {
            if (l.port() == port && l.state() == TcpState.LISTEN && overlaps(l.localAddress(), local)) {
                return l;
            }
        }
        return null;
    }

    /** Two local addresses clash on a port if they are equal or either is a (dual-stack) wildcard. */
    private static boolean overlaps(IpAddress a, IpAddress b) {
        return a.equals(b) || a.isUnspecified() || b.isUnspecified();
    }
}
