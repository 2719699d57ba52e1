package dev.jtcp.cli.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Test files: random content of a given size, and SHA-256 of files and streams. */
final class TestFiles {
    private TestFiles() {
    }

    /** Writes {@code size} pseudo-random bytes (seeded by the size) to {@code path}. */
    static Path random(Path path, long size) throws IOException {
        SplittableRandom r = new SplittableRandom(size * 31 + 7);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(path)) {
            long left = size;
            while (left > 0) {
                r.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return path;
    }

    static String sha256(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return sha256(in);
        }
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest d = digest();
        byte[] buf = new byte[1 << 20];
        int n;
        while ((n = in.read(buf)) >= 0) {
            d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** SHA-256 of the first {@code length} bytes of {@code /bytes/N} content. */
    static String sha256OfGenerated(long length) {
        MessageDigest d = digest();
        byte[] block = dev.jtcp.cli.GeneratedContent.block();
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(block.length, left);
            d.update(block, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
