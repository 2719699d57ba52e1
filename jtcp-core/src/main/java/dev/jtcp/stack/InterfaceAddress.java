package dev.jtcp.stack;

import dev.jtcp.wire.IpAddress;

/**
 * An address of an interface with its prefix length, e.g. 198.18.0.2/24: the host's address and the
 * subnet it makes directly reachable (a connected route).
 *
 * @param address      the host's address on the subnet
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record InterfaceAddress(IpAddress address, int prefixLength) {
    public InterfaceAddress {
        int max = address.isV4() ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length of " + address + " must be 0.." + max);
        }
    }

    /** Parses "198.18.0.2/24" or "fd00::2/64"; without a prefix, the host route (/32, /128). */
    public static InterfaceAddress parse(String cidr) {
        int slash = cidr.indexOf('/');
        IpAddress a = IpAddress.parse(slash < 0 ? cidr : cidr.substring(0, slash));
        int len = slash < 0 ? (a.isV4() ? 32 : 128) : Integer.parseInt(cidr.substring(slash + 1));
        return new InterfaceAddress(a, len);
    }

    /** Whether {@code other} is on this address's subnet (same family, same first prefix bits). */
    public boolean contains(IpAddress other) {
        return other.isV4() == address.isV4() && samePrefix(address, other, prefixLength);
    }

    /** Whether {@code a} is this IPv4 subnet's directed broadcast address (host bits all ones, /30 and wider). */
    public boolean isSubnetBroadcast(IpAddress a) {
        if (!a.isV4() || !address.isV4() || prefixLength >= 31 || !contains(a)) {
            return false;
        }
        int hostMask = (int) ((1L << (32 - prefixLength)) - 1);
        return (a.v4() & hostMask) == hostMask;
    }

    /** Whether {@code a} and {@code b} (same family) agree on their first {@code prefixLength} bits. */
    static boolean samePrefix(IpAddress a, IpAddress b, int prefixLength) {
        int bits = a.isV4() ? 96 + prefixLength : prefixLength;
        if (bits <= 64) {
            long m = bits == 0 ? 0 : -1L << (64 - bits);
            return (a.hi() & m) == (b.hi() & m);
        }
        long m = bits >= 128 ? -1L : -1L << (128 - bits);
        return a.hi() == b.hi() && (a.lo() & m) == (b.lo() & m);
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
