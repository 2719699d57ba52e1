package dev.jtcp.stack;

import dev.jtcp.link.PacketSink;
import dev.jtcp.wire.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One network interface of a {@link Host}: a name, an MTU, its addresses (each also a connected
 * route) and the {@link PacketSink} its packets leave through. Layer 3 only: the links jtcp uses
 * (TUN devices, the simulator) carry IP packets, so there is no ARP or neighbour discovery.
 *
 * <p>Not thread-safe: configured and used on the host's thread.
 */
public final class NetInterface {
    private final String name;
    private int mtu;
    private PacketSink sink = p -> {};
    private final List<InterfaceAddress> addresses = new ArrayList<>();

    NetInterface(String name, int mtu) {
        this.name = Objects.requireNonNull(name);
        mtu(mtu);
    }

    public String name() {
        return name;
    }

    public int mtu() {
        return mtu;
    }

    /** Sets the MTU; at least 576 (RFC 791's datagram every host must accept), and 1280 for IPv6. */
    public NetInterface mtu(int mtu) {
        if (mtu < 576) {
            throw new IllegalArgumentException("MTU must be at least 576, got " + mtu);
        }
        this.mtu = mtu;
        return this;
    }

    public PacketSink sink() {
        return sink;
    }

    NetInterface sink(PacketSink sink) {
        this.sink = Objects.requireNonNull(sink);
        return this;
    }

    public List<InterfaceAddress> addresses() {
        return List.copyOf(addresses);
    }

    /** The addresses themselves, for allocation-free scans on the receive path; do not modify. */
    List<InterfaceAddress> addressesView() {
        return addresses;
    }

    void add(InterfaceAddress a) {
        addresses.add(a);
    }

    /**
     * The address to send from towards {@code remote} through this interface (RFC 1122 §3.3.4.3,
     * the rule RFC 9293 MUST-44 defers to): one whose subnet contains {@code remote}, else the
     * first of its family; null if the interface has none of that family.
     */
    public IpAddress sourceFor(IpAddress remote) {
        IpAddress fallback = null;
        for (InterfaceAddress a : addresses) {
            if (a.address().isV4() != remote.isV4()) {
                continue;
            }
            if (a.contains(remote)) {
                return a.address();
            }
            if (fallback == null) {
                fallback = a.address();
            }
        }
        return fallback;
    }

    @Override
    public String toString() {
        return name + " mtu " + mtu + " " + addresses;
    }
}
