package dev.jtcp.stack;

import dev.jtcp.link.PacketSink;
import dev.jtcp.wire.IpAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A host's interfaces and their addresses, and the questions the receive path asks of them on
 * every packet without allocating: is this address ours (RFC 1122 §3.2.1.3 "for us"), is it the
 * directed broadcast of one of our subnets, may it be a source at all.
 *
 * <p>Not thread-safe: the host's thread.
 */
final class Interfaces {
    private final List<NetInterface> interfaces = new ArrayList<>();
    /** Every interface address, flat, for the per-packet "is it for us" check. */
    private final List<IpAddress> localAddresses = new ArrayList<>();
    private final List<NetInterface> view = Collections.unmodifiableList(interfaces);

    /** Adds an interface; names are unique. */
    NetInterface add(String name, int mtu, PacketSink sink) {
        for (NetInterface i : interfaces) {
            if (i.name().equals(name)) {
                throw new IllegalArgumentException("interface " + name + " exists");
            }
        }
        NetInterface i = new NetInterface(name, mtu).sink(sink);
        interfaces.add(i);
        return i;
    }

    /** The first interface, created (as "if0", MTU 1500, sending nowhere) on first use. */
    NetInterface primary() {
        if (interfaces.isEmpty()) {
            add("if0", 1500, p -> {});
        }
        return interfaces.getFirst();
    }

    /** Gives {@code iface} the address {@code a}; multicast, unspecified and broadcast addresses cannot be one. */
    void addAddress(NetInterface iface, InterfaceAddress a) {
        IpAddress address = a.address();
        if (address.isMulticast() || address.isUnspecified() || address.isLimitedBroadcast()) {
            throw new IllegalArgumentException(address + " cannot be a host address");
        }
        iface.add(a);
        localAddresses.add(address);
    }

    /** The interfaces in the order they were added (a read-only view). */
    List<NetInterface> list() {
        return view;
    }

    /** Every address of every interface, in interface order. */
    List<IpAddress> addresses() {
        List<IpAddress> all = new ArrayList<>();
        for (NetInterface i : interfaces) {
            i.addresses().forEach(a -> all.add(a.address()));
        }
        return all;
    }

    /** Whether the address with halves {@code hi}, {@code lo} is one of ours. */
    boolean isLocal(long hi, long lo) {
        for (int i = 0; i < localAddresses.size(); i++) {
            IpAddress a = localAddresses.get(i);
            if (a.hi() == hi && a.lo() == lo) {
                return true;
            }
        }
        return false;
    }

    boolean isSubnetBroadcast(IpAddress a) {
        return a.isV4() && isSubnetBroadcastV4(a.v4());
    }

    /**
     * MUST-57 neighbourhood: a broadcast, multicast or unspecified source is bogus, and so (RFC
     * 1122 §3.2.1.3, MUST-63) is a directed broadcast of our own subnets.
     */
    boolean isUnusableSource(long hi, long lo) {
        return IpAddress.isUnusableSource(hi, lo)
                || (hi == 0 && (lo >>> 32) == 0xFFFF && isSubnetBroadcastV4((int) lo));
    }

    /** Whether {@code v4} is the directed broadcast address of one of our IPv4 subnets. */
    private boolean isSubnetBroadcastV4(int v4) {
        for (int n = 0; n < interfaces.size(); n++) {
            List<InterfaceAddress> addrs = interfaces.get(n).addressesView();
            for (int i = 0; i < addrs.size(); i++) {
                InterfaceAddress mine = addrs.get(i);
                int len = mine.prefixLength();
                if (mine.address().isV4() && len < 31) {
                    int hostMask = (int) ((1L << (32 - len)) - 1);
                    if ((mine.address().v4() & ~hostMask) == (v4 & ~hostMask) && (v4 & hostMask) == hostMask) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
