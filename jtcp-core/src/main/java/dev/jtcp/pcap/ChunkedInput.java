package dev.jtcp.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * The bytes of a capture file, read from a channel in large chunks (or held in memory whole) and
 * parsed in place. The buffer's position is the start of the next unread record; its limit is the
 * end of the bytes read so far. {@link #ensure} makes a whole record available, compacting or
 * growing the buffer, so absolute indices are only valid until the next {@code ensure}.
 *
 * <p>Thread-safety: not thread-safe; owned by one reader.
 */
final class ChunkedInput implements Closeable {
    /** Default chunk size: one read system call covers thousands of typical packets. */
    static final int DEFAULT_CHUNK_BYTES = 1 << 20;

    /** Where more bytes come from; null when the whole input was given in memory. */
    private final ReadableByteChannel channel;
    /** Unread bytes between position and limit; replaced by a larger one when a record needs it. */
    private ByteBuffer buffer;
    /** True once the channel reported end of stream (always true for in-memory input). */
    private boolean endOfInput;

    /** Reads from {@code channel} in chunks of {@code chunkBytes}. */
    ChunkedInput(ReadableByteChannel channel, int chunkBytes) {
        this.channel = channel;
        this.buffer = ByteBuffer.allocate(chunkBytes).flip();
    }

    /** Reads the bytes of {@code bytes} from its position to its limit, without copying them. */
    ChunkedInput(ByteBuffer bytes) {
        this.channel = null;
        this.buffer = bytes.slice();
        this.endOfInput = true;
    }

    /**
     * Makes at least {@code byteCount} unread bytes available from the position on; returns false
     * if the input ends first (the bytes that are there stay unread).
     */
    boolean ensure(int byteCount) throws IOException {
        while (buffer.remaining() < byteCount) {
            if (endOfInput) {
                return false;
            }
            if (buffer.capacity() < byteCount) {
                grow(byteCount);
            }
            buffer.compact();
            int read = channel.read(buffer);
            buffer.flip();
            if (read < 0) {
                endOfInput = true;
            }
        }
        return true;
    }

    /** The buffer the views of the current record are made from. */
    ByteBuffer buffer() {
        return buffer;
    }

    int position() {
        return buffer.position();
    }

    int remaining() {
        return buffer.remaining();
    }

    void skip(int byteCount) {
        buffer.position(buffer.position() + byteCount);
    }

    /** Sets the byte order of the multi-byte reads below. */
    void order(ByteOrder order) {
        buffer.order(order);
    }

    int u16(int index) {
        return buffer.getShort(index) & 0xFFFF;
    }

    int i32(int index) {
        return buffer.getInt(index);
    }

    long u32(int index) {
        return buffer.getInt(index) & 0xFFFF_FFFFL;
    }

    long i64(int index) {
        return buffer.getLong(index);
    }

    int u8(int index) {
        return buffer.get(index) & 0xFF;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    private void grow(int byteCount) {
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(byteCount, 2L * buffer.capacity()));
        ByteBuffer larger = ByteBuffer.allocate(capacity).order(buffer.order());
        larger.put(buffer).flip();
        buffer = larger;
    }
}
