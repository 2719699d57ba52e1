package dev.jtcp.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes raw IP packets as a pcapng file, the format of
 * <a href="https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/">draft-ietf-opsawg-pcapng</a>:
 * one section with one interface, then one Enhanced Packet Block per packet. Every field is
 * written little-endian (the byte-order magic tells readers which), every block and option value
 * is padded to 32 bits:
 *
 * <pre>
 * every block  | type 4 | total length 4 | body ... | total length 4 |
 * Section Header Block, type 0x0A0D0D0A
 *   8  byte-order magic 0x1A2B3C4D    12  major 1    14  minor 0
 *  16  section length -1 (unknown)     24  options: shb_userappl(4) "jtcp", opt_endofopt(0)
 * Interface Description Block, type 1
 *   8  link type 101 (RAW)    10  reserved 0    12  snaplen 262144
 *  16  options: if_name(2), if_tsresol(9) = 9 (10^-9 s, nanoseconds), opt_endofopt(0)
 * Enhanced Packet Block, type 6
 *   8  interface id 0    12  time stamp, upper 32 bits    16  time stamp, lower 32 bits
 *  20  captured length   24  original length              28  packet data, padded to 32 bits
 *   .  options: opt_comment(1) if a comment was given, then opt_endofopt(0)
 * option       | code 2 | value length 2 | value, padded to 32 bits |
 * </pre>
 *
 * <p>Output is buffered; call {@link #flush()} to push it to the stream. Writing a packet without
 * a comment allocates nothing beyond what the stream itself does; a comment is encoded to UTF-8.
 *
 * <p>Thread-safety: not thread-safe; confine to one thread or guard with a lock.
 */
public final class PcapNgWriter implements CaptureWriter {
    static final int SECTION_HEADER_BLOCK = 0x0A0D0D0A;
    static final int INTERFACE_DESCRIPTION_BLOCK = 1;
    static final int ENHANCED_PACKET_BLOCK = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int OPT_ENDOFOPT = 0;
    static final int OPT_COMMENT = 1;
    static final int IF_NAME = 2;
    static final int SHB_USERAPPL = 4;
    static final int IF_TSRESOL = 9;
    /** if_tsresol value meaning 10^-9 seconds. */
    static final int NANOSECOND_RESOLUTION = 9;
    /** Interface name used when the caller gives none. */
    static final String DEFAULT_INTERFACE_NAME = "jtcp";

    private static final byte[] USER_APPLICATION = "jtcp".getBytes(StandardCharsets.UTF_8);
    /** Fixed part of an Enhanced Packet Block: header, five fields, trailing length. */
    private static final int EPB_FIXED_BYTES = 32;

    /** The buffered stream; holds the section and interface blocks from construction on. */
    private final BlockOutput out;

    /** Writes a section for one interface named "jtcp". */
    public PcapNgWriter(OutputStream out) throws IOException {
        this(out, DEFAULT_INTERFACE_NAME);
    }

    /** Writes a section for one interface called {@code interfaceName} (stored as if_name). */
    public PcapNgWriter(OutputStream out, String interfaceName) throws IOException {
        byte[] name = interfaceName.getBytes(StandardCharsets.UTF_8);
        checkOptionLength(name, "interfaceName");
        this.out = new BlockOutput(out);
        writeSectionHeader();
        writeInterfaceDescription(name);
    }

    /** Creates or truncates {@code path} and writes a pcapng file there. */
    public static PcapNgWriter open(Path path) throws IOException {
        OutputStream stream = Files.newOutputStream(path);
        try {
            return new PcapNgWriter(stream);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    @Override
    public void write(long timestampNs, ByteBuffer packet) throws IOException {
        write(timestampNs, packet, null);
    }

    /**
     * Like {@link #write(long, ByteBuffer)}, and attaches {@code comment} (opt_comment, UTF-8, at
     * most 65535 bytes) unless it is null.
     */
    public void write(long timestampNs, ByteBuffer packet, String comment) throws IOException {
        out.ensureOpen();
        if (timestampNs < 0) {
            throw new IllegalArgumentException("timestampNs is negative: " + timestampNs);
        }
        byte[] commentBytes = comment == null ? null : comment.getBytes(StandardCharsets.UTF_8);
        if (commentBytes != null) {
            checkOptionLength(commentBytes, "comment");
        }
        int lengthBytes = packet.remaining();
        int capturedBytes = Math.min(lengthBytes, SNAP_LENGTH);
        int optionBytes = commentBytes == null ? 0 : optionBytes(commentBytes) + Integer.BYTES;
        out.putInt(ENHANCED_PACKET_BLOCK);
        out.putInt(EPB_FIXED_BYTES + padded(capturedBytes) + optionBytes);
        out.putInt(0);
        out.putInt((int) (timestampNs >>> 32));
        out.putInt((int) timestampNs);
        out.putInt(capturedBytes);
        out.putInt(lengthBytes);
        out.putBytes(packet, packet.position(), capturedBytes);
        out.putZeros(padded(capturedBytes) - capturedBytes);
        if (commentBytes != null) {
            putOption(OPT_COMMENT, commentBytes);
            out.putInt(OPT_ENDOFOPT);
        }
        out.putInt(EPB_FIXED_BYTES + padded(capturedBytes) + optionBytes);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Flushes the buffer and closes the stream; closing twice does nothing. */
    @Override
    public void close() throws IOException {
        out.close();
    }

    private void writeSectionHeader() throws IOException {
        int length = 24 + optionBytes(USER_APPLICATION) + Integer.BYTES + Integer.BYTES;
        out.putInt(SECTION_HEADER_BLOCK);
        out.putInt(length);
        out.putInt(BYTE_ORDER_MAGIC);
        out.putShort(1);
        out.putShort(0);
        out.putLong(-1L);
        putOption(SHB_USERAPPL, USER_APPLICATION);
        out.putInt(OPT_ENDOFOPT);
        out.putInt(length);
    }

    private void writeInterfaceDescription(byte[] name) throws IOException {
        byte[] resolution = {NANOSECOND_RESOLUTION};
        int length = 16 + optionBytes(name) + optionBytes(resolution) + Integer.BYTES
                + Integer.BYTES;
        out.putInt(INTERFACE_DESCRIPTION_BLOCK);
        out.putInt(length);
        out.putShort(LinkType.RAW);
        out.putShort(0);
        out.putInt(SNAP_LENGTH);
        putOption(IF_NAME, name);
        putOption(IF_TSRESOL, resolution);
        out.putInt(OPT_ENDOFOPT);
        out.putInt(length);
    }

    private void putOption(int code, byte[] value) throws IOException {
        out.putShort(code);
        out.putShort(value.length);
        out.putBytes(value);
        out.putZeros(padded(value.length) - value.length);
    }

    /** Bytes an option with this value takes: code, length, value padded to 32 bits. */
    private static int optionBytes(byte[] value) {
        return Integer.BYTES + padded(value.length);
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }

    private static void checkOptionLength(byte[] value, String what) {
        if (value.length > 0xFFFF) {
            throw new IllegalArgumentException(what + " longer than 65535 UTF-8 bytes");
        }
    }
}
