package dev.jtcp.wire;

import java.nio.ByteBuffer;

/**
 * A TCP segment as the engine sees it: header fields, parsed options, and a payload that stays in
 * the buffer it arrived in (or the send buffer it leaves from). One instance is reused for every
 * segment on the data path, so it is mutable; {@link #copy()} makes a snapshot for traces and tests.
 *
 * <p>The payload is {@link #payloadLength} bytes of {@link #payloadBuffer} starting at absolute index
 * {@link #payloadOffset}, read circularly over the buffer's capacity: a send ring can lend out a
 * segment that wraps past its end without copying. Use {@link #copyPayloadTo} rather than reading
 * the buffer directly.
 *
 * <p>Not thread-safe.
 */
public final class TcpSegment {
    public int srcPort;
    public int dstPort;
    /** SEG.SEQ. */
    public int seq;
    /** SEG.ACK, meaningful when {@link TcpFlags#ACK} is set. */
    public int ack;
    /** The twelve control bits ({@link TcpFlags}). */
    public int flags;
    /** The window field as on the wire (unscaled). */
    public int window;
    public int urgentPointer;
    /**
     * The IP Type of Service / traffic class octet (Diffserv and ECN) to send this segment with;
     * writers pass it to IP unchanged. Not part of the TCP header.
     */
    public int tos;
    public final TcpOptions options = new TcpOptions();
    public ByteBuffer payloadBuffer;
    public int payloadOffset;
    public int payloadLength;
    /**
     * For sending: 0 for one packet; otherwise the payload bytes per packet the link cuts this
     * segment into (a TCP super-packet, Linux's {@code gso_size}); the writer then leaves the
     * checksum partial (the pseudo-header sum only) for the link to complete per piece.
     */
    public int gsoSize;

    /** Resets every field to zero, no options, no payload. */
    public TcpSegment clear() {
        srcPort = 0;
        dstPort = 0;
        seq = 0;
        ack = 0;
        flags = 0;
        window = 0;
        urgentPointer = 0;
        tos = 0;
        options.clear();
        payloadBuffer = null;
        payloadOffset = 0;
        payloadLength = 0;
        gsoSize = 0;
        return this;
    }

    public boolean isSyn() {
        return (flags & TcpFlags.SYN) != 0;
    }

    public boolean isFin() {
        return (flags & TcpFlags.FIN) != 0;
    }

    public boolean isRst() {
        return (flags & TcpFlags.RST) != 0;
    }

    public boolean isAck() {
        return (flags & TcpFlags.ACK) != 0;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** SEG.LEN: payload octets plus one each for SYN and FIN (RFC 9293 §3.4). */
    public int seqLength() {
        return payloadLength + (isSyn() ? 1 : 0) + (isFin() ? 1 : 0);
    }

    /**
     * Reads a validated {@link TcpPacket} into this segment; the payload is referenced, not copied.
     *
     * @return {@code null}, or {@link DropReason#TCP_BAD_OPTION_LENGTH} for a malformed option area
     */
    public DropReason readFrom(TcpPacket p) {
        srcPort = p.srcPort();
        dstPort = p.dstPort();
        seq = p.seq();
        ack = p.ack();
        flags = p.flags();
        window = p.window();
        urgentPointer = p.urgentPointer();
        payloadBuffer = p.buffer();
        payloadOffset = p.payloadOffset();
        payloadLength = p.payloadLength();
        return options.parse(p.buffer(), p.optionsOffset(), p.optionsLength());
    }

    /** Points the payload at {@code length} bytes of {@code buf} from absolute index {@code offset}. */
    public TcpSegment payload(ByteBuffer buf, int offset, int length) {
        payloadBuffer = buf;
        payloadOffset = offset;
        payloadLength = length;
        return this;
    }

    /** Copies {@code length} payload bytes starting {@code from} bytes into the payload to {@code dst[dstIndex..]}. */
    public void copyPayloadTo(int from, ByteBuffer dst, int dstIndex, int length) {
        int cap = payloadBuffer.capacity();
        int start = payloadOffset + from;
        if (start >= cap) {
            start -= cap;
        }
        int first = Math.min(length, cap - start);
        dst.put(dstIndex, payloadBuffer, start, first);
        if (first < length) {
            dst.put(dstIndex + first, payloadBuffer, 0, length - first);
        }
    }

    /** Copies {@code length} payload bytes starting {@code from} bytes into the payload to an array. */
    public void copyPayloadTo(int from, byte[] dst, int dstIndex, int length) {
        copyPayloadTo(from, ByteBuffer.wrap(dst), dstIndex, length);
    }

    /** The payload as a new array (allocates; for tests and tools). */
    public byte[] payloadBytes() {
        byte[] b = new byte[payloadLength];
        if (payloadLength > 0) {
            copyPayloadTo(0, b, 0, payloadLength);
        }
        return b;
    }

    /** A deep snapshot whose payload is a private copy (allocates). */
    public TcpSegment copy() {
        TcpSegment c = new TcpSegment();
        c.srcPort = srcPort;
        c.dstPort = dstPort;
        c.seq = seq;
        c.ack = ack;
        c.flags = flags;
        c.window = window;
        c.urgentPointer = urgentPointer;
        c.tos = tos;
        c.gsoSize = gsoSize;
        c.options.copyFrom(options);
        byte[] p = payloadBytes();
        c.payload(ByteBuffer.wrap(p), 0, p.length);
        return c;
    }

    /** tcpdump-like: {@code 40000 > 80 [S.] seq 1 ack 2 win 65535 <mss 1460> len 0}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(srcPort).append(" > ").append(dstPort).append(" [").append(TcpFlags.toString(flags)).append("] seq ")
                .append(SeqNum.toString(seq));
        if (isAck()) {
            sb.append(" ack ").append(SeqNum.toString(ack));
        }
        sb.append(" win ").append(window);
        if ((flags & TcpFlags.URG) != 0) {
            sb.append(" urg ").append(urgentPointer);
        }
        String opts = options.toString();
        if (!opts.isEmpty()) {
            sb.append(" <").append(opts).append('>');
        }
        return sb.append(" len ").append(payloadLength).toString();
    }
}
