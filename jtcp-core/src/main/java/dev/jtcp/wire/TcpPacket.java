package dev.jtcp.wire;

import java.nio.ByteBuffer;

/**
 * A zero-copy view of a TCP header and its payload (RFC 9293 §3.1) over a big-endian buffer.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |     |A|C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsv |E|W|C|R|C|S|S|Y|I|            Window             |
 * |       |     | |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           [Options]                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Use: {@link #wrap}, then {@link #check}; once it returns {@code null} every accessor is in
 * bounds. {@link #verifyChecksum} needs the IP pseudo-header sum (MUST-3).
 *
 * <p>Not thread-safe: a reusable flyweight.
 */
public final class TcpPacket extends PacketView {
    /** Length of a header without options. */
    public static final int HEADER_LENGTH = 20;
    /** Longest header: data offset 15. */
    public static final int MAX_HEADER_LENGTH = 60;

    static final int SRC_PORT = 0;
    static final int DST_PORT = 2;
    static final int SEQ = 4;
    static final int ACK = 8;
    static final int OFFSET_FLAGS = 12;
    static final int WINDOW = 14;
    static final int CHECKSUM = 16;
    static final int URGENT = 18;


    /**
     * Points this view at a TCP segment of {@code length} bytes at {@code offset}.
     *
     * @throws IllegalArgumentException if the buffer is little-endian
     */
    public TcpPacket wrap(ByteBuffer buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /** Checks the header fits the bytes; {@code null} when it does. Does not verify the checksum. */
    public DropReason check() {
        if (length < HEADER_LENGTH) {
            return DropReason.TCP_TRUNCATED;
        }
        int hl = headerLength();
        if (hl < HEADER_LENGTH || hl > length) {
            return DropReason.TCP_BAD_DATA_OFFSET;
        }
        return null;
    }

    /** Whether the checksum verifies given the unfolded pseudo-header sum for this segment. */
    public boolean verifyChecksum(long pseudoHeaderSum) {
        return Checksum.verifies(pseudoHeaderSum + Checksum.sum(buf, offset, length));
    }

    public ByteBuffer buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    /** Header plus payload length. */
    public int length() {
        return length;
    }

    public int srcPort() {
        return buf.getShort(offset + SRC_PORT) & 0xFFFF;
    }

    public int dstPort() {
        return buf.getShort(offset + DST_PORT) & 0xFFFF;
    }

    public int seq() {
        return buf.getInt(offset + SEQ);
    }

    public int ack() {
        return buf.getInt(offset + ACK);
    }

    /** Data offset × 4: header length in bytes including options. */
    public int headerLength() {
        return ((buf.get(offset + OFFSET_FLAGS) & 0xFF) >>> 4) * 4;
    }

    /** All twelve control bits ({@link TcpFlags}), reserved ones included. */
    public int flags() {
        return buf.getShort(offset + OFFSET_FLAGS) & TcpFlags.ALL;
    }

    /** The raw, unscaled window field. */
    public int window() {
        return buf.getShort(offset + WINDOW) & 0xFFFF;
    }

    public int checksum() {
        return buf.getShort(offset + CHECKSUM) & 0xFFFF;
    }

    public int urgentPointer() {
        return buf.getShort(offset + URGENT) & 0xFFFF;
    }

    public int optionsOffset() {
        return offset + HEADER_LENGTH;
    }

    public int optionsLength() {
        return headerLength() - HEADER_LENGTH;
    }

    public int payloadOffset() {
        return offset + headerLength();
    }

    public int payloadLength() {
        return length - headerLength();
    }

    /** Decodes the options in wire order (allocates; for tools, not the data path). */
    public TcpOption.Decoded decodeOptions() {
        return TcpOption.decode(buf, optionsOffset(), optionsLength());
    }
}
