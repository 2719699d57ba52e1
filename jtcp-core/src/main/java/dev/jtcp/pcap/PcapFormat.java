package dev.jtcp.pcap;

import java.io.IOException;
import java.nio.ByteOrder;

/**
 * Reads classic pcap records in either byte order, with microsecond or nanosecond time stamps
 * (the file header and record header are drawn in {@link PcapWriter}'s javadoc). The magic number
 * as read big-endian gives both the byte order and the time-stamp unit:
 *
 * <pre>
 * a1 b2 c3 d4  big-endian, microseconds      d4 c3 b2 a1  little-endian, microseconds
 * a1 b2 3c 4d  big-endian, nanoseconds       4d 3c b2 a1  little-endian, nanoseconds
 * </pre>
 *
 * <p>The link type is the low 16 bits of the header's last field; the upper bits carry FCS
 * information that the IP view makes unnecessary (it ends at the IP length).
 *
 * <p>Thread-safety: not thread-safe; owned by one reader.
 */
final class PcapFormat implements CaptureFormat {
    static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    static final int MAGIC_MICROSECONDS_SWAPPED = 0xd4c3b2a1;
    static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
    static final int MAGIC_NANOSECONDS_SWAPPED = 0x4d3cb2a1;
    static final int FILE_HEADER_BYTES = 24;
    static final int RECORD_HEADER_BYTES = 16;
    /** Largest record accepted; anything longer is taken for corruption (libpcap stops at 256 KiB). */
    static final int MAX_CAPTURED_BYTES = 16 << 20;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final ChunkedInput in;
    private final SkipCounts counts;
    /** Whether the file header has been read and accepted. */
    private boolean headerRead;
    /** Nanoseconds per unit of the record's second field: 1000 or 1. */
    private long nanosPerFraction;
    /** LINKTYPE_ value from the file header, shared by every record. */
    private int linkType;

    PcapFormat(ChunkedInput in, SkipCounts counts) {
        this.in = in;
        this.counts = counts;
    }

    /** Whether {@code magic}, read big-endian from the first four bytes, announces pcap. */
    static boolean isMagic(int magic) {
        return magic == MAGIC_MICROSECONDS || magic == MAGIC_MICROSECONDS_SWAPPED
                || magic == MAGIC_NANOSECONDS || magic == MAGIC_NANOSECONDS_SWAPPED;
    }

    @Override
    public boolean next(CapturedPacket into) throws IOException {
        if (!headerRead && !readHeader()) {
            return false;
        }
        if (!in.ensure(RECORD_HEADER_BYTES)) {
            if (in.remaining() > 0) {
                counts.end(SkipReason.TRUNCATED_FILE);
            }
            return false;
        }
        int at = in.position();
        int capturedBytes = in.i32(at + 8);
        if (capturedBytes < 0 || capturedBytes > MAX_CAPTURED_BYTES) {
            return counts.end(SkipReason.BAD_LENGTH);
        }
        if (!in.ensure(RECORD_HEADER_BYTES + capturedBytes)) {
            return counts.end(SkipReason.TRUNCATED_FILE);
        }
        at = in.position();
        long timestampNs = in.u32(at) * NANOS_PER_SECOND + in.u32(at + 4) * nanosPerFraction;
        into.start(timestampNs, linkType, 0, in.u32(at + 12));
        int dataStart = at + RECORD_HEADER_BYTES;
        into.frame(in.buffer(), dataStart, dataStart + capturedBytes);
        LinkDecoder.decode(into);
        in.skip(RECORD_HEADER_BYTES + capturedBytes);
        return true;
    }

    private boolean readHeader() throws IOException {
        if (!in.ensure(FILE_HEADER_BYTES)) {
            return counts.end(SkipReason.TRUNCATED_FILE);
        }
        int at = in.position();
        in.order(ByteOrder.BIG_ENDIAN);
        int magic = in.i32(at);
        boolean swapped = magic == MAGIC_MICROSECONDS_SWAPPED || magic == MAGIC_NANOSECONDS_SWAPPED;
        in.order(swapped ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        nanosPerFraction = magic == MAGIC_NANOSECONDS || magic == MAGIC_NANOSECONDS_SWAPPED ? 1 : 1000;
        if (in.u16(at + 4) != PcapWriter.VERSION_MAJOR) {
            return counts.end(SkipReason.BAD_HEADER);
        }
        linkType = in.i32(at + 20) & 0xFFFF;
        in.skip(FILE_HEADER_BYTES);
        headerRead = true;
        return true;
    }
}
