package dev.jtcp.pcap;

import java.io.IOException;

/**
 * The record loop of one file format. An implementation reads records from its input, fills the
 * holder with the next packet and returns true, or records in its {@link SkipCounts} why it
 * stopped (nothing, at a clean end of file) and returns false. After false it is not called again.
 *
 * <p>Thread-safety: implementations are not thread-safe; each is owned by one reader.
 */
@FunctionalInterface
interface CaptureFormat {
    /** Reads up to and including the next packet record. */
    boolean next(CapturedPacket into) throws IOException;
}
