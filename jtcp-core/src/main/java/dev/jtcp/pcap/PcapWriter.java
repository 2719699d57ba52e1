package dev.jtcp.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes raw IP packets as a classic pcap file with nanosecond time stamps, the format of
 * <a href="https://www.tcpdump.org/manpages/pcap-savefile.5.txt">pcap-savefile(5)</a>. Every field
 * is written little-endian (the magic number tells readers the byte order):
 *
 * <pre>
 * file header, 24 bytes
 *   0  magic          0xa1b23c4d  (nanosecond time stamps; 0xa1b2c3d4 would mean microseconds)
 *   4  version major  2
 *   6  version minor  4
 *   8  thiszone       0           (time stamps are UTC)
 *  12  sigfigs        0
 *  16  snaplen        262144      ({@link CaptureWriter#SNAP_LENGTH})
 *  20  link type      101         ({@link LinkType#RAW}: each packet starts at its IP header)
 * record header, 16 bytes, then the captured bytes, no padding
 *   0  ts_sec         seconds since 1970-01-01T00:00Z, unsigned 32 bits
 *   4  ts_nsec        nanoseconds within that second
 *   8  incl_len       bytes captured, ≤ snaplen
 *  12  orig_len       length of the packet on the wire
 * </pre>
 *
 * <p>Output is buffered; call {@link #flush()} to push it to the stream. Writing a packet allocates
 * nothing beyond what the stream itself does.
 *
 * <p>Thread-safety: not thread-safe; confine to one thread or guard with a lock.
 */
public final class PcapWriter implements CaptureWriter {
    /** Magic number announcing nanosecond time stamps. */
    static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
    static final int VERSION_MAJOR = 2;
    static final int VERSION_MINOR = 4;
    static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Largest time stamp whose seconds fit the unsigned 32-bit ts_sec field (early 2106). */
    static final long MAX_TIMESTAMP_NS = 0xFFFF_FFFFL * NANOS_PER_SECOND + NANOS_PER_SECOND - 1;

    /** The buffered stream; holds the file header from construction on. */
    private final BlockOutput out;

    /** Writes the file header into the buffer; nothing reaches {@code out} until a flush. */
    public PcapWriter(OutputStream out) throws IOException {
        this.out = new BlockOutput(out);
        this.out.putInt(MAGIC_NANOSECONDS);
        this.out.putShort(VERSION_MAJOR);
        this.out.putShort(VERSION_MINOR);
        this.out.putInt(0);
        this.out.putInt(0);
        this.out.putInt(SNAP_LENGTH);
        this.out.putInt(LinkType.RAW);
    }

    /** Creates or truncates {@code path} and writes a pcap file there. */
    public static PcapWriter open(Path path) throws IOException {
        OutputStream stream = Files.newOutputStream(path);
        try {
            return new PcapWriter(stream);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    @Override
    public void write(long timestampNs, ByteBuffer packet) throws IOException {
        out.ensureOpen();
        if (timestampNs < 0 || timestampNs > MAX_TIMESTAMP_NS) {
            throw new IllegalArgumentException("timestampNs outside pcap range: " + timestampNs);
        }
        int lengthBytes = packet.remaining();
        int capturedBytes = Math.min(lengthBytes, SNAP_LENGTH);
        out.putInt((int) (timestampNs / NANOS_PER_SECOND));
        out.putInt((int) (timestampNs % NANOS_PER_SECOND));
        out.putInt(capturedBytes);
        out.putInt(lengthBytes);
        out.putBytes(packet, packet.position(), capturedBytes);
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
}
