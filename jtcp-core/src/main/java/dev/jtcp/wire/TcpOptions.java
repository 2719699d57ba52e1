package dev.jtcp.wire;

import java.nio.ByteBuffer;

/**
 * The TCP options jtcp acts on, parsed into fields without allocating: the engine's view of a
 * segment's options, reused from segment to segment.
 *
 * <p>Parsing ({@link #parse}) processes options at any alignment (RFC 9293 MUST-64), skips unknown
 * kinds (MUST-6) and known kinds with an unexpected length, counting both in {@link
 * #ignoredCount()}, and reports an illegal length (0, 1, past the header) as {@link
 * DropReason#TCP_BAD_OPTION_LENGTH} (MUST-7). A window scale above 14 is read as 14 (RFC 7323 §2.3).
 *
 * <p>Writing ({@link #write}) lays options out the way Linux does, which the packetdrill profile
 * expects and every stack accepts: on a SYN {@code mss, sackOK, TS, nop, wscale} (with {@code nop,
 * nop} standing in for a missing sackOK before TS), otherwise {@code nop, nop, TS} then {@code nop,
 * nop, sack ...}. A Fast Open option (RFC 7413 §4.1.1) goes last on a SYN or SYN,ACK, followed by
 * {@code nop, nop} when its length leaves two bytes over, as Linux writes it. The area is padded to a multiple of four with zero (EOL) bytes (MUST-69). MSS is
 * written only on SYN segments (MUST-65).
 *
 * <p>Not thread-safe: a mutable holder owned by one segment.
 */
public final class TcpOptions {
    /** The most SACK blocks that fit beside nothing else (RFC 2018 §3). */
    public static final int MAX_SACK_BLOCKS = 4;
    /** RFC 7323 §2.3: shift counts above 14 are treated as 14. */
    public static final int MAX_WINDOW_SCALE = 14;
    /** RFC 7413 §4.1.1: a cookie is 4 to 16 bytes. */
    public static final int MAX_FAST_OPEN_COOKIE = 16;
    public static final int MIN_FAST_OPEN_COOKIE = 4;

    /** MSS option value, or -1 when absent. */
    public int mss = -1;
    /** Window scale shift (0..14), or -1 when absent. */
    public int windowScale = -1;
    /** SACK-permitted present. */
    public boolean sackPermitted;
    /** Timestamps option present; then {@link #tsVal} and {@link #tsEcr} are valid. */
    public boolean hasTimestamps;
    public int tsVal;
    public int tsEcr;
    /** Number of SACK blocks in {@link #sackEdges} (0..4). */
    public int sackBlocks;
    /** SACK block edges: left, right, left, right... */
    public final int[] sackEdges = new int[2 * MAX_SACK_BLOCKS];
    /**
     * Fast Open option (RFC 7413 §4.1.1): -1 absent, 0 a cookie request (empty option), else the
     * cookie's length (4..16 bytes, even) in {@link #fastOpenCookie}.
     */
    public int fastOpenLength = -1;
    /** The Fast Open option used (or is to use) the experimental form, kind 254 with magic 0xF989. */
    public boolean fastOpenExperimental;
    /** The Fast Open cookie's bytes, the first {@link #fastOpenLength} valid. */
    public final byte[] fastOpenCookie = new byte[MAX_FAST_OPEN_COOKIE];
    private int ignored;

    /** Forgets every option. */
    public TcpOptions clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlocks = 0;
        fastOpenLength = -1;
        fastOpenExperimental = false;
        ignored = 0;
        return this;
    }

    /** Copies every field of {@code other}. */
    public TcpOptions copyFrom(TcpOptions other) {
        mss = other.mss;
        windowScale = other.windowScale;
        sackPermitted = other.sackPermitted;
        hasTimestamps = other.hasTimestamps;
        tsVal = other.tsVal;
        tsEcr = other.tsEcr;
        sackBlocks = other.sackBlocks;
        System.arraycopy(other.sackEdges, 0, sackEdges, 0, 2 * sackBlocks);
        fastOpenLength = other.fastOpenLength;
        fastOpenExperimental = other.fastOpenExperimental;
        if (fastOpenLength > 0) {
            System.arraycopy(other.fastOpenCookie, 0, fastOpenCookie, 0, fastOpenLength);
        }
        ignored = other.ignored;
        return this;
    }

    /** Unknown options and known kinds with unexpected lengths that parsing skipped. */
    public int ignoredCount() {
        return ignored;
    }

    public TcpOptions timestamps(int val, int ecr) {
        hasTimestamps = true;
        tsVal = val;
        tsEcr = ecr;
        return this;
    }

    /** Sets a Fast Open option carrying {@code length} bytes of {@code cookie} (0: a cookie request). */
    public TcpOptions fastOpen(byte[] cookie, int length, boolean experimental) {
        fastOpenLength = length;
        fastOpenExperimental = experimental;
        System.arraycopy(cookie, 0, fastOpenCookie, 0, length);
        return this;
    }

    /** Adds a SACK block {@code [left, right)}; ignored beyond {@link #MAX_SACK_BLOCKS}. */
    public TcpOptions addSackBlock(int left, int right) {
        if (sackBlocks < MAX_SACK_BLOCKS) {
            sackEdges[2 * sackBlocks] = left;
            sackEdges[2 * sackBlocks + 1] = right;
            sackBlocks++;
        }
        return this;
    }

    /** Parses the option area {@code [offset, offset + length)}; {@code null} on success. */
    public DropReason parse(ByteBuffer buf, int offset, int length) {
        clear();
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int kind = buf.get(i) & 0xFF;
            if (kind == TcpOption.KIND_EOL) {
                return null;
            }
            if (kind == TcpOption.KIND_NOP) {
                i++;
                continue;
            }
            if (end - i < 2) {
                return DropReason.TCP_BAD_OPTION_LENGTH;
            }
            int len = buf.get(i + 1) & 0xFF;
            if (len < 2 || len > end - i) {
                return DropReason.TCP_BAD_OPTION_LENGTH;
            }
            parseOne(buf, i, kind, len);
            i += len;
        }
        return null;
    }

    private void parseOne(ByteBuffer buf, int at, int kind, int len) {
        switch (kind) {
            case TcpOption.KIND_MSS -> {
                if (len == 4) {
                    mss = buf.getShort(at + 2) & 0xFFFF;
                    return;
                }
            }
            case TcpOption.KIND_WSCALE -> {
                if (len == 3) {
                    windowScale = Math.min(buf.get(at + 2) & 0xFF, MAX_WINDOW_SCALE);
                    return;
                }
            }
            case TcpOption.KIND_SACK_PERMITTED -> {
                if (len == 2) {
                    sackPermitted = true;
                    return;
                }
            }
            case TcpOption.KIND_SACK -> {
                if (len >= 10 && (len - 2) % 8 == 0) {
                    sackBlocks = 0;
                    for (int b = 0; b < (len - 2) / 8; b++) {
                        addSackBlock(buf.getInt(at + 2 + 8 * b), buf.getInt(at + 6 + 8 * b));
                    }
                    return;
                }
            }
            case TcpOption.KIND_TIMESTAMPS -> {
                if (len == 10) {
                    timestamps(buf.getInt(at + 2), buf.getInt(at + 6));
                    return;
                }
            }
            case TcpOption.KIND_FAST_OPEN -> {
                if (parseFastOpen(buf, at + 2, len - 2, false)) {
                    return;
                }
            }
            case TcpOption.KIND_EXPERIMENTAL -> {
                if (len >= 4 && (buf.getShort(at + 2) & 0xFFFF) == TcpOption.FAST_OPEN_MAGIC
                        && parseFastOpen(buf, at + 4, len - 4, true)) {
                    return;
                }
            }
            default -> {
            }
        }
        ignored++;
    }

    /**
     * RFC 7413 §4.1.1: an empty option asks for a cookie; otherwise 4 to 16 bytes. Linux accepts
     * any length in that range; so do we (an odd length is not rejected).
     */
    private boolean parseFastOpen(ByteBuffer buf, int at, int cookieLength, boolean experimental) {
        if (cookieLength != 0 && (cookieLength < MIN_FAST_OPEN_COOKIE || cookieLength > MAX_FAST_OPEN_COOKIE)) {
            return false;
        }
        fastOpenLength = cookieLength;
        fastOpenExperimental = experimental;
        buf.get(at, fastOpenCookie, 0, cookieLength);
        return true;
    }

    private int fastOpenWireLength() {
        if (fastOpenLength < 0) {
            return 0;
        }
        return ((fastOpenExperimental ? 4 : 2) + fastOpenLength + 3) & ~3;
    }

    /**
     * Bytes {@link #write} will produce for a segment with or without SYN (a multiple of 4, at most
     * 40). SACK blocks that do not fit beside the other options are left out.
     */
    public int wireLength(boolean syn) {
        if (syn) {
            int n = mss >= 0 ? 4 : 0;
            if (hasTimestamps) {
                n += 12;
            } else if (sackPermitted) {
                n += 4;
            }
            return n + (windowScale >= 0 ? 4 : 0) + fastOpenWireLength();
        }
        int n = hasTimestamps ? 12 : 0;
        int blocks = sackBlocksThatFit(n);
        return blocks > 0 ? n + 4 + 8 * blocks : n;
    }

    private int sackBlocksThatFit(int used) {
        return Math.min(sackBlocks, (40 - used - 4) / 8);
    }

    /** Writes the options for a segment with or without SYN at {@code at}; returns bytes written. */
    public int write(ByteBuffer buf, int at, boolean syn) {
        int i = at;
        if (syn) {
            if (mss >= 0) {
                buf.put(i, (byte) TcpOption.KIND_MSS).put(i + 1, (byte) 4).putShort(i + 2, (short) mss);
                i += 4;
            }
            if (hasTimestamps) {
                if (sackPermitted) {
                    buf.put(i, (byte) TcpOption.KIND_SACK_PERMITTED).put(i + 1, (byte) 2);
                } else {
                    buf.put(i, (byte) TcpOption.KIND_NOP).put(i + 1, (byte) TcpOption.KIND_NOP);
                }
                i = putTimestamps(buf, i + 2);
            } else if (sackPermitted) {
                buf.put(i, (byte) TcpOption.KIND_NOP).put(i + 1, (byte) TcpOption.KIND_NOP)
                        .put(i + 2, (byte) TcpOption.KIND_SACK_PERMITTED).put(i + 3, (byte) 2);
                i += 4;
            }
            if (windowScale >= 0) {
                buf.put(i, (byte) TcpOption.KIND_NOP).put(i + 1, (byte) TcpOption.KIND_WSCALE)
                        .put(i + 2, (byte) 3).put(i + 3, (byte) windowScale);
                i += 4;
            }
            if (fastOpenLength >= 0) {
                i = putFastOpen(buf, i);
            }
            return i - at;
        }
        if (hasTimestamps) {
            buf.put(i, (byte) TcpOption.KIND_NOP).put(i + 1, (byte) TcpOption.KIND_NOP);
            i = putTimestamps(buf, i + 2);
        }
        int blocks = sackBlocksThatFit(i - at);
        if (blocks > 0) {
            buf.put(i, (byte) TcpOption.KIND_NOP).put(i + 1, (byte) TcpOption.KIND_NOP)
                    .put(i + 2, (byte) TcpOption.KIND_SACK).put(i + 3, (byte) (2 + 8 * blocks));
            i += 4;
            for (int e = 0; e < 2 * blocks; e++) {
                buf.putInt(i, sackEdges[e]);
                i += 4;
            }
        }
        return i - at;
    }

    private int putFastOpen(ByteBuffer buf, int i) {
        int len;
        if (fastOpenExperimental) {
            len = 4 + fastOpenLength;
            buf.put(i, (byte) TcpOption.KIND_EXPERIMENTAL).put(i + 1, (byte) len)
                    .putShort(i + 2, (short) TcpOption.FAST_OPEN_MAGIC);
            buf.put(i + 4, fastOpenCookie, 0, fastOpenLength);
        } else {
            len = 2 + fastOpenLength;
            buf.put(i, (byte) TcpOption.KIND_FAST_OPEN).put(i + 1, (byte) len);
            buf.put(i + 2, fastOpenCookie, 0, fastOpenLength);
        }
        i += len;
        while ((len & 3) != 0) {
            // Linux pads with NOPs when two bytes are over; an odd remainder gets NOPs too.
            buf.put(i++, (byte) TcpOption.KIND_NOP);
            len++;
        }
        return i;
    }

    private int putTimestamps(ByteBuffer buf, int i) {
        buf.put(i, (byte) TcpOption.KIND_TIMESTAMPS).put(i + 1, (byte) 10).putInt(i + 2, tsVal).putInt(i + 6, tsEcr);
        return i + 10;
    }

    /** Options in {@code <...>} form, e.g. {@code mss 1460,sackOK,TS val 1 ecr 0,wscale 7}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (mss >= 0) {
            sb.append("mss ").append(mss).append(',');
        }
        if (sackPermitted) {
            sb.append("sackOK,");
        }
        if (hasTimestamps) {
            sb.append("TS val ").append(Integer.toUnsignedString(tsVal))
                    .append(" ecr ").append(Integer.toUnsignedString(tsEcr)).append(',');
        }
        if (windowScale >= 0) {
            sb.append("wscale ").append(windowScale).append(',');
        }
        if (fastOpenLength >= 0) {
            sb.append(fastOpenExperimental ? "FOEXP" : "FO");
            if (fastOpenLength > 0) {
                sb.append(' ').append(java.util.HexFormat.of().formatHex(fastOpenCookie, 0, fastOpenLength));
            }
            sb.append(',');
        }
        if (sackBlocks > 0) {
            sb.append("sack");
            for (int b = 0; b < sackBlocks; b++) {
                sb.append(' ').append(SeqNum.toString(sackEdges[2 * b])).append(':')
                        .append(SeqNum.toString(sackEdges[2 * b + 1]));
            }
            sb.append(',');
        }
        if (!sb.isEmpty()) {
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }
}
