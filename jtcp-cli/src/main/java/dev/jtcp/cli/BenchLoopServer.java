package dev.jtcp.cli;

import dev.jtcp.api.LoopConnection;
import dev.jtcp.api.LoopHandler;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The {@link BenchPeer} protocol served on jtcp's event loop: one handler per connection, its
 * state a few fields, the bytes moved through two buffers shared by every connection of the loop
 * (the loop runs one handler at a time). No thread per connection, so a lifecycle costs no
 * hand-off between threads.
 *
 * <p>Thread-safety: loop thread only (a {@link LoopHandler}).
 */
final class BenchLoopServer implements LoopHandler {
    /** The buffers every connection of one loop shares. */
    static final class Buffers {
        /** Where reads land; its contents are discarded or parsed at once. */
        final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
        /** What pulls send (zeros, as the threaded server does). */
        final ByteBuffer zeros = ByteBuffer.allocateDirect(64 * 1024);
    }

    private final Buffers buffers;
    /** The request's first byte, or -1 before it arrived. */
    private int kind = -1;
    /** Bytes of the request read after its first byte. */
    private long got;
    /** A pull's byte count, as its 8 bytes arrive. */
    private long count;
    /** Bytes a pull has still to send; -1 before the count is complete. */
    private long left = -1;

    BenchLoopServer(Buffers buffers) {
        this.buffers = buffers;
    }

    @Override
    public void onReadable(LoopConnection c) {
        try {
            ByteBuffer b = buffers.scratch;
            while (true) {
                b.clear();
                int n = c.read(b);
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    onEndOfStream(c);
                    return;
                }
                int at = 0;
                if (kind < 0) {
                    kind = b.get(0);
                    at = 1;
                }
                switch (kind) {
                    case BenchPeer.PUSH -> got += n - at;
                    case BenchPeer.PULL -> {
                        for (; at < n && got < 8; at++, got++) {
                            count = (count << 8) | (b.get(at) & 0xFF);
                        }
                        if (got == 8 && left < 0) {
                            left = count;
                            onWritable(c);
                        }
                    }
                    case BenchPeer.LIFECYCLE -> {
                        got += n - at;
                        if (got >= BenchPeer.MESSAGE - 1) {
                            ByteBuffer answer = buffers.zeros.clear().limit(BenchPeer.MESSAGE);
                            c.write(answer);
                            c.close();
                            return;
                        }
                    }
                    default -> {
                        c.close();
                        return;
                    }
                }
            }
        } catch (IOException e) {
            c.abort();
        }
    }

    /** The client's FIN: a push is complete (confirm it); anything else just ends. */
    private void onEndOfStream(LoopConnection c) throws IOException {
        if (kind == BenchPeer.PUSH) {
            c.write(buffers.zeros.clear().put(0, (byte) 'k').limit(1));
            buffers.zeros.put(0, (byte) 0);
        }
        if (kind != BenchPeer.PULL || left == 0) {
            c.close();
        }
    }

    @Override
    public void onWritable(LoopConnection c) {
        if (kind != BenchPeer.PULL || left <= 0) {
            return;
        }
        try {
            while (left > 0) {
                ByteBuffer z = buffers.zeros.clear();
                z.limit((int) Math.min(left, z.capacity()));
                int n = c.write(z);
                left -= n;
                if (n == 0) {
                    return; // onWritable goes on
                }
            }
            c.close();
        } catch (IOException e) {
            c.abort();
        }
    }
}
