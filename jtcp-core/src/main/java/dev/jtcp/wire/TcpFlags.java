package dev.jtcp.wire;

/**
 * The twelve control bits of the TCP header (RFC 9293 §3.1), as an {@code int} bit set: the eight
 * classic flags in the low byte, then AE (RFC 9768, Accurate ECN) and the three reserved bits, which
 * are carried unchanged so that nothing a peer sets is lost.
 *
 * <p>Thread-safe: constants and static methods.
 */
public final class TcpFlags {
    private TcpFlags() {}

    public static final int FIN = 0x001;
    public static final int SYN = 0x002;
    public static final int RST = 0x004;
    public static final int PSH = 0x008;
    public static final int ACK = 0x010;
    public static final int URG = 0x020;
    public static final int ECE = 0x040;
    public static final int CWR = 0x080;
    /** Accurate ECN, formerly the NS bit / a reserved bit. */
    public static final int AE = 0x100;
    /** The three bits still reserved; preserved, never interpreted. */
    public static final int RESERVED = 0xE00;
    /** All twelve bits. */
    public static final int ALL = 0xFFF;

    /** Whether every bit of {@code mask} is set in {@code flags}. */
    public static boolean has(int flags, int mask) {
        return (flags & mask) == mask;
    }

    /**
     * tcpdump's spelling: {@code S} SYN, {@code F} FIN, {@code R} RST, {@code P} PSH, {@code .} ACK,
     * {@code U} URG, {@code E} ECE, {@code W} CWR, {@code e} AE; {@code none} for no flags. SYN+ACK
     * prints as {@code S.}.
     */
    public static String toString(int flags) {
        StringBuilder sb = new StringBuilder(8);
        if ((flags & SYN) != 0) {
            sb.append('S');
        }
        if ((flags & FIN) != 0) {
            sb.append('F');
        }
        if ((flags & RST) != 0) {
            sb.append('R');
        }
        if ((flags & PSH) != 0) {
            sb.append('P');
        }
        if ((flags & URG) != 0) {
            sb.append('U');
        }
        if ((flags & ECE) != 0) {
            sb.append('E');
        }
        if ((flags & CWR) != 0) {
            sb.append('W');
        }
        if ((flags & AE) != 0) {
            sb.append('e');
        }
        if ((flags & ACK) != 0) {
            sb.append('.');
        }
        if ((flags & RESERVED) != 0) {
            sb.append("+r").append(Integer.toHexString((flags & RESERVED) >>> 9));
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    /** Names in RFC order, e.g. {@code SYN,ACK}; used in ladder labels and explanations. */
    public static String names(int flags) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};
        int[] order = {1, 2, 0, 3, 4, 5, 6, 7, 8};
        for (int bit : order) {
            if ((flags & (1 << bit)) != 0) {
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                sb.append(names[bit]);
            }
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }
}
