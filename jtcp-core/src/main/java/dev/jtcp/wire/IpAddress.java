package dev.jtcp.wire;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * An IPv4 or IPv6 address as 128 bits. IPv4 addresses are held v4-mapped ({@code ::ffff:a.b.c.d},
 * RFC 4291 §2.5.5.2) so that one representation, two {@code long}s, serves demultiplexing, hashing
 * and pseudo-header sums for both families.
 *
 * <p>Immutable and thread-safe. Parsing accepts address literals only and never consults DNS.
 *
 * @param hi the first 64 bits, network order
 * @param lo the last 64 bits, network order
 */
public record IpAddress(long hi, long lo) implements Comparable<IpAddress> {
    private static final long V4_MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;

    /** 0.0.0.0. */
    public static final IpAddress ANY_V4 = ofV4(0);
    /** ::. */
    public static final IpAddress ANY_V6 = new IpAddress(0, 0);

    /** An IPv4 address from its 32 bits (network order, most significant byte first). */
    public static IpAddress ofV4(int v4) {
        return new IpAddress(0, V4_MAPPED_PREFIX | (v4 & 0xFFFF_FFFFL));
    }

    /** An IPv4 address from its four octets. */
    public static IpAddress ofV4(int a, int b, int c, int d) {
        return ofV4((a & 0xFF) << 24 | (b & 0xFF) << 16 | (c & 0xFF) << 8 | (d & 0xFF));
    }

    /** An IPv6 address from 16 bytes at {@code offset}, or an IPv4 address from 4 bytes. */
    public static IpAddress read(ByteBuffer buf, int offset, boolean v6) {
        return v6 ? new IpAddress(buf.getLong(offset), buf.getLong(offset + 8)) : ofV4(buf.getInt(offset));
    }

    /**
     * Parses an IPv4 or IPv6 literal ({@code 198.18.0.2}, {@code fd00::1}, {@code [fd00::1]}).
     *
     * @throws IllegalArgumentException if the text is not an address literal
     */
    public static IpAddress parse(String text) {
        String t = text.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        try {
            return of(InetAddress.ofLiteral(t));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address: '" + text + "'", e);
        }
    }

    /** The address of a {@link InetAddress}. */
    public static IpAddress of(InetAddress address) {
        byte[] b = address.getAddress();
        ByteBuffer buf = ByteBuffer.wrap(b);
        return read(buf, 0, b.length == 16);
    }

    /** Whether this is an IPv4 (v4-mapped) address. */
    public boolean isV4() {
        return hi == 0 && (lo >>> 32) == 0xFFFF;
    }

    /** The 32 bits of an IPv4 address. */
    public int v4() {
        if (!isV4()) {
            throw new IllegalStateException(this + " is not an IPv4 address");
        }
        return (int) lo;
    }

    /** Writes the address in its family's wire form (4 or 16 bytes) at {@code offset}. */
    public void write(ByteBuffer buf, int offset) {
        if (isV4()) {
            buf.putInt(offset, (int) lo);
        } else {
            buf.putLong(offset, hi);
            buf.putLong(offset + 8, lo);
        }
    }

    /**
     * Whether an address given as its two halves cannot be the source of a unicast packet:
     * unspecified, multicast or the IPv4 limited broadcast. Allocation-free, for the receive path.
     */
    public static boolean isUnusableSource(long hi, long lo) {
        boolean v4 = hi == 0 && (lo >>> 32) == 0xFFFF;
        if (v4) {
            int a = (int) lo;
            return a == 0 || a == -1 || (a >>> 28) == 0xE;
        }
        return (hi == 0 && lo == 0) || (hi >>> 56) == 0xFF;
    }

    /** 0.0.0.0 or ::. */
    public boolean isUnspecified() {
        return isV4() ? (int) lo == 0 : hi == 0 && lo == 0;
    }

    /** 224.0.0.0/4 or ff00::/8. */
    public boolean isMulticast() {
        return isV4() ? ((int) lo >>> 28) == 0xE : (hi >>> 56) == 0xFF;
    }

    /** The limited broadcast address 255.255.255.255 (subnet broadcasts depend on an interface). */
    public boolean isLimitedBroadcast() {
        return isV4() && (int) lo == -1;
    }

    /** 127.0.0.0/8 or ::1. */
    public boolean isLoopback() {
        return isV4() ? ((int) lo >>> 24) == 127 : hi == 0 && lo == 1;
    }

    /** The address as a {@link InetAddress} (no DNS). */
    public InetAddress toInetAddress() {
        byte[] b;
        if (isV4()) {
            b = new byte[4];
            ByteBuffer.wrap(b).putInt((int) lo);
        } else {
            b = new byte[16];
            ByteBuffer.wrap(b).putLong(hi).putLong(lo);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    @Override
    public int compareTo(IpAddress o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    /** Dotted quad for IPv4, RFC 5952 text for IPv6. */
    @Override
    public String toString() {
        if (isV4()) {
            int v = (int) lo;
            return (v >>> 24) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
        }
        InetAddress a = toInetAddress();
        String s = a.getHostAddress();
        return a instanceof Inet6Address ? compressV6(s) : s;
    }

    /** The JDK prints full groups ("fd00:0:0:0:0:0:0:1"); RFC 5952 wants the longest zero run as "::". */
    private static String compressV6(String full) {
        String[] g = full.split(":");
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < g.length; ) {
            if (!g[i].equals("0")) {
                i++;
                continue;
            }
            int j = i;
            while (j < g.length && g[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return head + "::" + tail;
    }
}
