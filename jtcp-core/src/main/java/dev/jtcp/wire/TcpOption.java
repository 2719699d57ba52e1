package dev.jtcp.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One TCP option exactly as it appears on the wire, in order, including NOP and EOL padding and
 * options jtcp does not understand. This is the representation for tools that must see the layout
 * (the ladder diagram, the capture analyser, the packetdrill runner); the engine's fast path uses
 * {@link TcpOptions} instead.
 *
 * <p>Kinds (IANA TCP parameters): 0 EOL, 1 NOP, 2 MSS (RFC 9293 §3.2), 3 window scale and 8
 * timestamps (RFC 7323), 4 SACK-permitted and 5 SACK (RFC 2018), 34 Fast Open cookie (RFC 7413
 * §4.1.1) and its pre-assignment form, experimental kind 254 with magic 0xF989 (RFC 6994). Fast
 * Open options stay {@link Unknown}s here (kind 34 with the cookie as data; kind 254 with the magic
 * and the cookie): the layout tools show and compare them byte for byte.
 */
public sealed interface TcpOption {
    int KIND_EOL = 0;
    int KIND_NOP = 1;
    int KIND_MSS = 2;
    int KIND_WSCALE = 3;
    int KIND_SACK_PERMITTED = 4;
    int KIND_SACK = 5;
    int KIND_TIMESTAMPS = 8;
    int KIND_FAST_OPEN = 34;
    int KIND_EXPERIMENTAL = 254;
    /** RFC 7413 §4.1.1 before kind 34 was assigned: kind 254 with this 16-bit ExID (RFC 6994). */
    int FAST_OPEN_MAGIC = 0xF989;

    /** The option kind byte. */
    int kind();

    /** Bytes this option occupies on the wire. */
    int wireLength();

    /** Writes the option at {@code at}; returns the offset after it. */
    int write(ByteBuffer buf, int at);

    /** End of option list. */
    record Eol() implements TcpOption {
        public int kind() { return KIND_EOL; }
        public int wireLength() { return 1; }
        public int write(ByteBuffer buf, int at) { buf.put(at, (byte) KIND_EOL); return at + 1; }
        @Override public String toString() { return "eol"; }
    }

    /** No-operation, used for alignment. */
    record Nop() implements TcpOption {
        public int kind() { return KIND_NOP; }
        public int wireLength() { return 1; }
        public int write(ByteBuffer buf, int at) { buf.put(at, (byte) KIND_NOP); return at + 1; }
        @Override public String toString() { return "nop"; }
    }

    /**
     * Maximum segment size (RFC 9293 §3.7.1).
     *
     * @param mss the largest segment payload the sender can receive, in bytes
     */
    record Mss(int mss) implements TcpOption {
        public int kind() { return KIND_MSS; }
        public int wireLength() { return 4; }
        public int write(ByteBuffer buf, int at) {
            buf.put(at, (byte) KIND_MSS).put(at + 1, (byte) 4).putShort(at + 2, (short) mss);
            return at + 4;
        }
        @Override public String toString() { return "mss " + mss; }
    }

    /**
     * Window scale (RFC 7323 §2).
     *
     * @param shift the shift count the sender applies to its own windows
     */
    record WindowScale(int shift) implements TcpOption {
        public int kind() { return KIND_WSCALE; }
        public int wireLength() { return 3; }
        public int write(ByteBuffer buf, int at) {
            buf.put(at, (byte) KIND_WSCALE).put(at + 1, (byte) 3).put(at + 2, (byte) shift);
            return at + 3;
        }
        @Override public String toString() { return "wscale " + shift; }
    }

    /** SACK permitted (RFC 2018 §2). */
    record SackPermitted() implements TcpOption {
        public int kind() { return KIND_SACK_PERMITTED; }
        public int wireLength() { return 2; }
        public int write(ByteBuffer buf, int at) {
            buf.put(at, (byte) KIND_SACK_PERMITTED).put(at + 1, (byte) 2);
            return at + 2;
        }
        @Override public String toString() { return "sackOK"; }
    }

    /**
     * SACK blocks (RFC 2018 §3).
     *
     * @param edges pairs of left edge, right edge (exclusive): one to four blocks
     */
    record Sack(int[] edges) implements TcpOption {
        public Sack {
            if (edges.length % 2 != 0 || edges.length == 0 || edges.length > 8) {
                throw new IllegalArgumentException("SACK needs 1 to 4 blocks, got " + edges.length + " edges");
            }
            edges = edges.clone();
        }
        public int kind() { return KIND_SACK; }
        public int wireLength() { return 2 + 4 * edges.length; }
        public int blocks() { return edges.length / 2; }
        public int left(int block) { return edges[2 * block]; }
        public int right(int block) { return edges[2 * block + 1]; }
        public int write(ByteBuffer buf, int at) {
            buf.put(at, (byte) KIND_SACK).put(at + 1, (byte) wireLength());
            for (int i = 0; i < edges.length; i++) {
                buf.putInt(at + 2 + 4 * i, edges[i]);
            }
            return at + wireLength();
        }
        @Override public boolean equals(Object o) { return o instanceof Sack s && Arrays.equals(edges, s.edges); }
        @Override public int hashCode() { return Arrays.hashCode(edges); }
        @Override public String toString() {
            StringBuilder sb = new StringBuilder("sack");
            for (int i = 0; i < blocks(); i++) {
                sb.append(' ').append(SeqNum.toString(left(i))).append(':').append(SeqNum.toString(right(i)));
            }
            return sb.toString();
        }
    }

    /**
     * Timestamps (RFC 7323 §3).
     *
     * @param tsVal TSval, the sender's timestamp clock (unsigned 32 bits)
     * @param tsEcr TSecr, the TSval echoed back (unsigned 32 bits)
     */
    record Timestamps(int tsVal, int tsEcr) implements TcpOption {
        public int kind() { return KIND_TIMESTAMPS; }
        public int wireLength() { return 10; }
        public int write(ByteBuffer buf, int at) {
            buf.put(at, (byte) KIND_TIMESTAMPS).put(at + 1, (byte) 10).putInt(at + 2, tsVal).putInt(at + 6, tsEcr);
            return at + 10;
        }
        @Override public String toString() {
            return "TS val " + Integer.toUnsignedString(tsVal) + " ecr " + Integer.toUnsignedString(tsEcr);
        }
    }

    /**
     * An option jtcp does not interpret, or a known kind with a length it does not expect; its
     * bytes after kind and length are kept so it can be shown and re-emitted (RFC 9293 MUST-6).
     *
     * @param kind the option kind
     * @param data the bytes after kind and length
     */
    record Unknown(int kind, byte[] data) implements TcpOption {
        public Unknown {
            data = data.clone();
        }
        public int wireLength() { return 2 + data.length; }
        public int write(ByteBuffer buf, int at) {
            buf.put(at, (byte) kind).put(at + 1, (byte) wireLength()).put(at + 2, data);
            return at + wireLength();
        }
        @Override public boolean equals(Object o) { return o instanceof Unknown u && kind == u.kind && Arrays.equals(data, u.data); }
        @Override public int hashCode() { return 31 * kind + Arrays.hashCode(data); }
        @Override public String toString() { return "opt-" + kind + (data.length == 0 ? "" : " " + HexFormat.of().formatHex(data)); }
    }

    /**
     * The result of decoding an option area.
     *
     * @param options the options in wire order; when the area was malformed, those decoded before the fault
     * @param error   why the area was malformed, or null
     */
    record Decoded(List<TcpOption> options, DropReason error) {}

    /**
     * Writes options in the given order, then zero bytes up to a multiple of four (RFC 9293 MUST-69).
     * Used to inject exact layouts (scripts, tests); the engine writes through {@link TcpOptions}.
     *
     * @return bytes written including padding
     * @throws IllegalArgumentException if the options exceed the 40 bytes a header can hold
     */
    public static int writeAll(List<TcpOption> options, ByteBuffer buf, int at) {
        int length = 0;
        for (TcpOption o : options) {
            length += o.wireLength();
        }
        int padded = (length + 3) & ~3;
        if (padded > 40) {
            throw new IllegalArgumentException("options need " + padded + " bytes; a TCP header holds at most 40");
        }
        int i = at;
        for (TcpOption o : options) {
            i = o.write(buf, i);
        }
        while (i < at + padded) {
            buf.put(i++, (byte) 0);
        }
        return padded;
    }

    /**
     * Decodes the option area {@code [offset, offset + length)} without throwing (RFC 9293 MUST-7:
     * an option length of 0 or 1, or one running past the area, is an error). Decoding stops at EOL;
     * the EOL is included, and any bytes after it are padding (MUST-69).
     */
    public static Decoded decode(ByteBuffer buf, int offset, int length) {
        List<TcpOption> out = new ArrayList<>();
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int kind = buf.get(i) & 0xFF;
            if (kind == KIND_EOL) {
                out.add(new Eol());
                break;
            }
            if (kind == KIND_NOP) {
                out.add(new Nop());
                i++;
                continue;
            }
            if (end - i < 2) {
                return new Decoded(out, DropReason.TCP_BAD_OPTION_LENGTH);
            }
            int len = buf.get(i + 1) & 0xFF;
            if (len < 2 || len > end - i) {
                return new Decoded(out, DropReason.TCP_BAD_OPTION_LENGTH);
            }
            out.add(decodeOne(buf, i, kind, len));
            i += len;
        }
        return new Decoded(out, null);
    }

    private static TcpOption decodeOne(ByteBuffer buf, int at, int kind, int len) {
        switch (kind) {
            case KIND_MSS -> {
                if (len == 4) {
                    return new Mss(buf.getShort(at + 2) & 0xFFFF);
                }
            }
            case KIND_WSCALE -> {
                if (len == 3) {
                    return new WindowScale(buf.get(at + 2) & 0xFF);
                }
            }
            case KIND_SACK_PERMITTED -> {
                if (len == 2) {
                    return new SackPermitted();
                }
            }
            case KIND_SACK -> {
                if (len >= 10 && (len - 2) % 8 == 0 && len <= 34) {
                    int[] edges = new int[(len - 2) / 4];
                    for (int e = 0; e < edges.length; e++) {
                        edges[e] = buf.getInt(at + 2 + 4 * e);
                    }
                    return new Sack(edges);
                }
            }
            case KIND_TIMESTAMPS -> {
                if (len == 10) {
                    return new Timestamps(buf.getInt(at + 2), buf.getInt(at + 6));
                }
            }
            default -> {
            }
        }
        byte[] data = new byte[len - 2];
        buf.get(at + 2, data);
        return new Unknown(kind, data);
    }
}
