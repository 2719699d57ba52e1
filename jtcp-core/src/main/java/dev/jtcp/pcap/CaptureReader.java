package dev.jtcp.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads capture files and hands back each packet positioned on its IP header.
 *
 * <p>Formats, told apart by the first four bytes:
 * <ul>
 *   <li>pcap (<a href="https://www.tcpdump.org/manpages/pcap-savefile.5.txt">pcap-savefile(5)</a>),
 *       either byte order, microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d) time stamps; see
 *       {@link PcapWriter} for the layout;
 *   <li>pcapng (<a href="https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/">
 *       draft-ietf-opsawg-pcapng</a>, first bytes 0x0A0D0D0A): several sections of either byte
 *       order, several interfaces per section each with its own link type and if_tsresol (powers
 *       of 10 and of 2) and if_tsoffset, Enhanced, Simple and obsolete Packet Blocks; see
 *       {@link PcapNgWriter} for the layout.
 * </ul>
 * Link types decoded down to IP are those of {@link LinkType}; packets of others are returned
 * with {@link SkipReason#UNSUPPORTED_LINK_TYPE}.
 *
 * <p>Malformed input never throws. A bad packet comes back with a {@link CapturedPacket#skipReason()
 * skip reason}; damage that makes the rest of the file untrustworthy (bad magic, a record or block
 * length that is too small, unaligned, oversized or past the end) ends reading with
 * {@link #endReason()}. Either way the reason is counted in {@link #skipped()}. Only I/O errors of
 * the underlying file or channel propagate, as IOException.
 *
 * <p>Lifecycle: open; call {@link #next(CapturedPacket)} until it returns false; inspect
 * {@link #skipped()}; {@link #close()}. The file is read in chunks of 1 MiB and parsed in place:
 * {@code next} allocates nothing per packet.
 *
 * <p>Thread-safety: not thread-safe; confine a reader and its holders to one thread.
 */
public final class CaptureReader implements Closeable {
    /** The bytes, read in chunks from the channel or held in memory. */
    private final ChunkedInput in;
    /** Skips per reason and the reason reading ended, if it ended early. */
    private final SkipCounts counts = new SkipCounts();
    /** The record loop for the file's format; null until the first four bytes have been read. */
    private CaptureFormat format;
    /** Set once the format has returned false; {@link #next} then returns false at once. */
    private boolean ended;

    private CaptureReader(ChunkedInput in) {
        this.in = in;
    }

    /** Opens the file at {@code path}; the format is detected on the first call to {@link #next}. */
    public static CaptureReader open(Path path) throws IOException {
        return open(FileChannel.open(path, StandardOpenOption.READ));
    }

    /** Reads from {@code channel}, which {@link #close()} closes. */
    public static CaptureReader open(ReadableByteChannel channel) {
        return open(channel, ChunkedInput.DEFAULT_CHUNK_BYTES);
    }

    /** Reads from {@code channel} in chunks of {@code chunkBytes}; tests use tiny chunks. */
    static CaptureReader open(ReadableByteChannel channel, int chunkBytes) {
        return new CaptureReader(new ChunkedInput(channel, chunkBytes));
    }

    /** Reads the bytes of {@code bytes} between its position and limit, in place; no I/O happens. */
    public static CaptureReader of(ByteBuffer bytes) {
        return new CaptureReader(new ChunkedInput(bytes));
    }

    /** Reads a capture held in {@code bytes}, in place; no I/O happens. */
    public static CaptureReader of(byte[] bytes) {
        return of(ByteBuffer.wrap(bytes));
    }

    /**
     * Fills {@code into} with the next packet record and returns true, or returns false at the end
     * of the file or of its readable part. Skipped packets are returned too, with
     * {@link CapturedPacket#skipReason()} set. The views in {@code into} stay valid until the next
     * call.
     *
     * @throws IOException only if reading the underlying file or channel fails
     */
    public boolean next(CapturedPacket into) throws IOException {
        if (ended) {
            return false;
        }
        if (format == null) {
            format = detectFormat();
        }
        if (!format.next(into)) {
            ended = true;
            return false;
        }
        if (into.skipReason() != null) {
            counts.count(into.skipReason());
        }
        return true;
    }

    /** Reads every remaining packet record, as independent copies. */
    public List<CapturedPacket> readAll() throws IOException {
        List<CapturedPacket> packets = new ArrayList<>();
        CapturedPacket holder = new CapturedPacket();
        while (next(holder)) {
            packets.add(holder.copy());
        }
        return packets;
    }

    /** How many packets or blocks were skipped, and whether reading ended early, per reason. */
    public Map<SkipReason, Long> skipped() {
        return counts.asMap();
    }

    /** {@link #skipped()} as a phrase, e.g. "3 non-IP, 1 truncated file tail"; empty if none. */
    public String skippedSummary() {
        return counts.summary();
    }

    /** Why reading stopped before the end of the file; empty while reading or after a clean end. */
    public Optional<SkipReason> endReason() {
        return counts.endReason();
    }

    /** Closes the underlying file or channel, if any. */
    @Override
    public void close() throws IOException {
        in.close();
    }

    private CaptureFormat detectFormat() throws IOException {
        if (!in.ensure(Integer.BYTES)) {
            counts.end(SkipReason.TRUNCATED_FILE);
            return into -> false;
        }
        in.order(ByteOrder.BIG_ENDIAN);
        int magic = in.i32(in.position());
        if (magic == PcapNgFormat.SECTION_HEADER_BLOCK) {
            return new PcapNgFormat(in, counts);
        }
        if (PcapFormat.isMagic(magic)) {
            return new PcapFormat(in, counts);
        }
        counts.end(SkipReason.BAD_MAGIC);
        return into -> false;
    }
}
