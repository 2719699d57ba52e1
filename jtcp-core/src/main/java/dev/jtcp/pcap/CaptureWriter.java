package dev.jtcp.pcap;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Something that records raw IP packets (link type {@link LinkType#RAW}) with their time stamps:
 * a {@link PcapWriter} or a {@link PcapNgWriter}, or any tap a caller provides. Lifecycle:
 *
 * <ol>
 *   <li>create (the file header is written at once, into the writer's buffer);
 *   <li>{@link #write} any number of packets, {@link #flush()} whenever the bytes must be on disk;
 *   <li>{@link #close()}, after which {@code write} and {@code flush} fail with an IOException.
 * </ol>
 *
 * <p>Thread-safety: implementations in this package are not thread-safe; confine a writer to one
 * thread or guard it with a lock.
 */
public interface CaptureWriter extends Closeable, Flushable {
    /** Largest number of bytes recorded per packet; longer packets are cut to this length. */
    int SNAP_LENGTH = 262_144;

    /**
     * Records the bytes of {@code packet} from its position to its limit, without moving the
     * position, as captured at {@code timestampNs} nanoseconds since the Unix epoch.
     *
     * @throws IllegalArgumentException if the time stamp is negative or beyond the format's range
     * @throws IOException if the writer is closed or the underlying stream fails
     */
    void write(long timestampNs, ByteBuffer packet) throws IOException;

    /**
     * Creates or truncates {@code path} and opens a pcapng writer if its name ends in
     * {@code .pcapng} (any case), a pcap writer otherwise.
     */
    static CaptureWriter open(Path path) throws IOException {
        Path fileName = path.getFileName();
        boolean pcapng = fileName != null
                && fileName.toString().toLowerCase(Locale.ROOT).endsWith(".pcapng");
        return pcapng ? PcapNgWriter.open(path) : PcapWriter.open(path);
    }
}
