package dev.jtcp.api;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The exchange the multi-loop tests run on every connection, with every byte checked: the client
 * sends its id and a length, then that many bytes of its pattern, and half-closes; the server
 * checks them, answers with as many bytes of the reply pattern and closes; the client checks the
 * reply and the end of stream.
 */
final class VerifiedExchange {
    private VerifiedExchange() {
    }

    static byte pattern(int id, long i) {
        return (byte) (i * 31 + id * 7 + (i >>> 9));
    }

    /** The client's side; throws on any wrong byte. */
    static void client(InputStream in, OutputStream out, IoAction shutdownOutput, int id, int length)
            throws IOException {
        byte[] head = {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id,
                (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
        out.write(head);
        writePattern(out, id, length);
        out.flush();
        shutdownOutput.run();
        readPattern(in, id + 1_000_000, length);
        if (in.read() != -1) {
            throw new IOException("connection " + id + ": bytes after the reply");
        }
    }

    /** The server's side; returns the client's id. */
    static int server(InputStream in, OutputStream out) throws IOException {
        byte[] head = in.readNBytes(8);
        if (head.length < 8) {
            throw new EOFException("short header");
        }
        int id = (head[0] & 0xFF) << 24 | (head[1] & 0xFF) << 16 | (head[2] & 0xFF) << 8 | head[3] & 0xFF;
        int length = (head[4] & 0xFF) << 24 | (head[5] & 0xFF) << 16 | (head[6] & 0xFF) << 8 | head[7] & 0xFF;
        readPattern(in, id, length);
        if (in.read() != -1) {
            throw new IOException("connection " + id + ": more than " + length + " bytes");
        }
        writePattern(out, id + 1_000_000, length);
        out.flush();
        return id;
    }

    private static void writePattern(OutputStream out, int id, int length) throws IOException {
        byte[] chunk = new byte[8192];
        for (long at = 0; at < length; ) {
            int n = (int) Math.min(chunk.length, length - at);
            for (int i = 0; i < n; i++) {
                chunk[i] = pattern(id, at + i);
            }
            out.write(chunk, 0, n);
            at += n;
        }
    }

    private static void readPattern(InputStream in, int id, int length) throws IOException {
        byte[] chunk = new byte[8192];
        long at = 0;
        while (at < length) {
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, length - at));
            if (n < 0) {
                throw new EOFException("connection " + id + ": end of stream after " + at + " of " + length);
            }
            for (int i = 0; i < n; i++) {
                if (chunk[i] != pattern(id, at + i)) {
                    throw new IOException("connection " + id + ": wrong byte at " + (at + i));
                }
            }
            at += n;
        }
    }

    /** An I/O step that may fail. */
    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }
}
