package dev.jtcp.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.util.SplittableRandom;

/**
 * The bytes of {@code /bytes/N}: a fixed pseudo-random block of {@link #BLOCK} bytes repeated, so
 * any length can be served without memory or disk, is not compressible by accident, and can be
 * checked (byte {@code i} is {@code block()[i % BLOCK]}).
 *
 * <p>Thread-safety: immutable.
 */
public final class GeneratedContent {
    public static final int BLOCK = 64 * 1024;
    private static final byte[] PATTERN = new byte[BLOCK];

    static {
        new SplittableRandom(0x6A74_6370L).nextBytes(PATTERN);
    }

    private GeneratedContent() {
    }

    /** A copy of the repeated block. */
    public static byte[] block() {
        return PATTERN.clone();
    }

    /** Writes the first {@code length} bytes of the content. */
    public static void write(OutputStream out, long length) throws IOException {
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(left, BLOCK);
            out.write(PATTERN, 0, n);
            left -= n;
        }
    }
}
