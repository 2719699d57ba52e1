package dev.jtcp.pcap;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The buffered little-endian output behind both capture writers. Headers are assembled straight
 * into one reused array and packet bytes are copied into it with absolute bulk gets, so writing a
 * packet allocates nothing and never moves the caller's buffer.
 *
 * <p>Thread-safety: not thread-safe; owned by one writer.
 */
final class BlockOutput implements Closeable, Flushable {
    /** Size of the write-behind buffer; packets larger than this pass through in pieces. */
    static final int BUFFER_BYTES = 64 * 1024;

    /** Where full buffers go; closed by {@link #close()}. */
    private final OutputStream out;
    /** Bytes not yet handed to {@link #out}: indices 0 until {@link #size}. */
    private final byte[] buffer = new byte[BUFFER_BYTES];
    /** Number of buffered bytes, 0 ≤ size ≤ buffer.length. */
    private int size;
    /** Set once by {@link #close()}; every later write fails. */
    private boolean closed;

    BlockOutput(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Fails with the JDK's usual message for a closed stream. */
    void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("capture writer is closed");
        }
    }

    void putShort(int value) throws IOException {
        reserve(Short.BYTES);
        buffer[size++] = (byte) value;
        buffer[size++] = (byte) (value >>> 8);
    }

    void putInt(int value) throws IOException {
        reserve(Integer.BYTES);
        buffer[size++] = (byte) value;
        buffer[size++] = (byte) (value >>> 8);
        buffer[size++] = (byte) (value >>> 16);
        buffer[size++] = (byte) (value >>> 24);
    }

    void putLong(long value) throws IOException {
        putInt((int) value);
        putInt((int) (value >>> 32));
    }

    void putBytes(byte[] source) throws IOException {
        putBytes(ByteBuffer.wrap(source), 0, source.length);
    }

    /** Copies {@code length} bytes of {@code source} from absolute {@code index}; its position stays. */
    void putBytes(ByteBuffer source, int index, int length) throws IOException {
        int copied = 0;
        while (copied < length) {
            if (size == buffer.length) {
                drain();
            }
            int chunk = Math.min(length - copied, buffer.length - size);
            source.get(index + copied, buffer, size, chunk);
            size += chunk;
            copied += chunk;
        }
    }

    /** Writes zero bytes, e.g. to pad a pcapng field to 32 bits. */
    void putZeros(int count) throws IOException {
        reserve(count);
        for (int i = 0; i < count; i++) {
            buffer[size++] = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        ensureOpen();
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (out) {
            drain();
        }
    }

    private void reserve(int byteCount) throws IOException {
        if (buffer.length - size < byteCount) {
            drain();
        }
    }

    private void drain() throws IOException {
        if (size > 0) {
            out.write(buffer, 0, size);
            size = 0;
        }
    }
}
