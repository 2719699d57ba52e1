package dev.jtcp.pcap;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads pcapng blocks (draft-ietf-opsawg-pcapng; the block layouts are drawn in
 * {@link PcapNgWriter}'s javadoc). Each Section Header Block sets the byte order from its
 * byte-order magic and starts a fresh list of interfaces; each Interface Description Block adds
 * one, with its own link type, snap length and time-stamp unit ({@link PcapNgInterface}). Packets
 * come from three block types:
 *
 * <pre>
 * Enhanced Packet Block (6)   8 interface id 4 | 12 ts high 4 | 16 ts low 4 | 20 captured 4
 *                            24 original 4     | 28 data, padded | options
 * Packet Block (2, obsolete)  8 interface id 2 | 10 drops 2 | 12 ts high 4 | 16 ts low 4
 *                            20 captured 4 | 24 original 4 | 28 data, padded | options
 * Simple Packet Block (3)     8 original 4 | 12 data, padded; interface 0, no time stamp;
 *                            captured = min(original, snaplen, block length - 16)
 * </pre>
 *
 * <p>Name resolution, interface statistics, decryption secrets, systemd journal and custom blocks
 * are stepped over silently; blocks of unknown type are stepped over and counted.
 *
 * <p>Thread-safety: not thread-safe; owned by one reader.
 */
final class PcapNgFormat implements CaptureFormat {
    static final int SECTION_HEADER_BLOCK = PcapNgWriter.SECTION_HEADER_BLOCK;
    static final int INTERFACE_DESCRIPTION_BLOCK = PcapNgWriter.INTERFACE_DESCRIPTION_BLOCK;
    static final int PACKET_BLOCK = 2;
    static final int SIMPLE_PACKET_BLOCK = 3;
    static final int NAME_RESOLUTION_BLOCK = 4;
    static final int INTERFACE_STATISTICS_BLOCK = 5;
    static final int ENHANCED_PACKET_BLOCK = PcapNgWriter.ENHANCED_PACKET_BLOCK;
    static final int SYSTEMD_JOURNAL_BLOCK = 9;
    static final int DECRYPTION_SECRETS_BLOCK = 10;
    static final int CUSTOM_BLOCK = 0x00000BAD;
    static final int CUSTOM_BLOCK_NO_COPY = 0x40000BAD;
    static final int IF_TSRESOL = PcapNgWriter.IF_TSRESOL;
    static final int IF_TSOFFSET = 14;
    /** Block type and total length. */
    static final int BLOCK_HEADER_BYTES = 8;
    /** Type, length, byte-order magic: enough to learn the section's byte order. */
    static final int SECTION_PREFIX_BYTES = 12;
    /** Largest block accepted; twice the largest pcap record, leaving room for options. */
    static final int MAX_BLOCK_BYTES = 2 * PcapFormat.MAX_CAPTURED_BYTES;

    private final ChunkedInput in;
    private final SkipCounts counts;
    /** Interfaces of the current section, indexed by interface id. */
    private final List<PcapNgInterface> interfaces = new ArrayList<>();

    PcapNgFormat(ChunkedInput in, SkipCounts counts) {
        this.in = in;
        this.counts = counts;
    }

    @Override
    public boolean next(CapturedPacket into) throws IOException {
        while (true) {
            if (!in.ensure(BLOCK_HEADER_BYTES)) {
                if (in.remaining() > 0) {
                    counts.end(SkipReason.TRUNCATED_FILE);
                }
                return false;
            }
            int type = in.i32(in.position());
            if (type == SECTION_HEADER_BLOCK && !readByteOrder()) {
                return false;
            }
            int length = in.i32(in.position() + 4);
            if (length < minimumLength(type) || length % 4 != 0 || length > MAX_BLOCK_BYTES) {
                return counts.end(SkipReason.BAD_LENGTH);
            }
            if (!in.ensure(length)) {
                return counts.end(SkipReason.TRUNCATED_FILE);
            }
            int at = in.position();
            if (in.i32(at + length - 4) != length) {
                return counts.end(SkipReason.BAD_LENGTH);
            }
            if (type == SECTION_HEADER_BLOCK && in.u16(at + 12) != 1) {
                return counts.end(SkipReason.BAD_HEADER);
            }
            boolean packet = switch (type) {
                case SECTION_HEADER_BLOCK -> {
                    interfaces.clear();
                    yield false;
                }
                case INTERFACE_DESCRIPTION_BLOCK -> {
                    interfaces.add(readInterface(at, length));
                    yield false;
                }
                case ENHANCED_PACKET_BLOCK -> {
                    deliver(into, in.i32(at + 8), timestamp(at + 12), in.i32(at + 20),
                            in.u32(at + 24), at + 28, at + length - 4);
                    yield true;
                }
                case PACKET_BLOCK -> {
                    deliver(into, in.u16(at + 8), timestamp(at + 12), in.i32(at + 20),
                            in.u32(at + 24), at + 28, at + length - 4);
                    yield true;
                }
                case SIMPLE_PACKET_BLOCK -> {
                    simplePacket(into, at, length);
                    yield true;
                }
                case NAME_RESOLUTION_BLOCK, INTERFACE_STATISTICS_BLOCK, SYSTEMD_JOURNAL_BLOCK,
                        DECRYPTION_SECRETS_BLOCK, CUSTOM_BLOCK, CUSTOM_BLOCK_NO_COPY -> false;
                default -> {
                    counts.count(SkipReason.UNKNOWN_BLOCK);
                    yield false;
                }
            };
            in.skip(length);
            if (packet) {
                return true;
            }
        }
    }

    /** Sets the byte order from a section header's magic; false (and counted) if it has none. */
    private boolean readByteOrder() throws IOException {
        if (!in.ensure(SECTION_PREFIX_BYTES)) {
            return counts.end(SkipReason.TRUNCATED_FILE);
        }
        in.order(ByteOrder.BIG_ENDIAN);
        int magic = in.i32(in.position() + 8);
        if (magic == PcapNgWriter.BYTE_ORDER_MAGIC) {
            return true;
        }
        if (magic == Integer.reverseBytes(PcapNgWriter.BYTE_ORDER_MAGIC)) {
            in.order(ByteOrder.LITTLE_ENDIAN);
            return true;
        }
        return counts.end(SkipReason.BAD_MAGIC);
    }

    /** The fixed part of each block type, including the header and trailing length. */
    private static int minimumLength(int type) {
        return switch (type) {
            case SECTION_HEADER_BLOCK -> 28;
            case INTERFACE_DESCRIPTION_BLOCK -> 20;
            case ENHANCED_PACKET_BLOCK, PACKET_BLOCK -> 32;
            case SIMPLE_PACKET_BLOCK -> 16;
            default -> 12;
        };
    }

    private PcapNgInterface readInterface(int at, int length) {
        int tsResolution = PcapNgInterface.DEFAULT_TS_RESOLUTION;
        long tsOffsetSeconds = 0;
        int option = at + 16;
        int optionsEnd = at + length - 4;
        while (optionsEnd - option >= 4) {
            int code = in.u16(option);
            int valueLength = in.u16(option + 2);
            int value = option + 4;
            if (code == PcapNgWriter.OPT_ENDOFOPT || valueLength > optionsEnd - value) {
                break;
            }
            if (code == IF_TSRESOL && valueLength >= 1) {
                tsResolution = in.u8(value);
            } else if (code == IF_TSOFFSET && valueLength >= 8) {
                tsOffsetSeconds = in.i64(value);
            }
            option = value + ((valueLength + 3) & ~3);
        }
        return new PcapNgInterface(in.u16(at + 8), in.u32(at + 12), tsResolution, tsOffsetSeconds);
    }

    /** A 64-bit time stamp stored as two 32-bit halves, high half first. */
    private long timestamp(int at) {
        return in.u32(at) << 32 | in.u32(at + 4);
    }

    private void deliver(CapturedPacket into, int interfaceId, long ticks, int capturedBytes,
            long originalBytes, int dataStart, int dataEnd) {
        PcapNgInterface known = interfaceId >= 0 && interfaceId < interfaces.size()
                ? interfaces.get(interfaceId) : null;
        into.start(known == null ? 0 : known.toNanos(ticks), known == null ? -1 : known.linkType(),
                interfaceId, originalBytes);
        if (capturedBytes < 0 || capturedBytes > dataEnd - dataStart) {
            into.frame(in.buffer(), dataStart, dataStart);
            into.skip(SkipReason.BAD_CAPTURED_LENGTH);
        } else if (known == null) {
            into.frame(in.buffer(), dataStart, dataStart + capturedBytes);
            into.skip(SkipReason.UNKNOWN_INTERFACE);
        } else {
            into.frame(in.buffer(), dataStart, dataStart + capturedBytes);
            LinkDecoder.decode(into);
        }
    }

    private void simplePacket(CapturedPacket into, int at, int length) {
        long originalBytes = in.u32(at + 8);
        long capturedBytes = Math.min(originalBytes, length - 16);
        PcapNgInterface first = interfaces.isEmpty() ? null : interfaces.getFirst();
        if (first != null && first.snapLength() > 0) {
            capturedBytes = Math.min(capturedBytes, first.snapLength());
        }
        into.start(0, first == null ? -1 : first.linkType(), 0, originalBytes);
        into.frame(in.buffer(), at + 12, at + 12 + (int) capturedBytes);
        if (first == null) {
            into.skip(SkipReason.UNKNOWN_INTERFACE);
        } else {
            LinkDecoder.decode(into);
        }
    }
}
