package dev.jtcp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 message head (RFC 9112): the start line and the header fields, read from a stream
 * with bounded lines. Shared by the server ({@code serve http}) and the client ({@code get}).
 *
 * @param startLine "GET /x HTTP/1.1" or "HTTP/1.1 200 OK"
 * @param headers   field names in lower case; a repeated field keeps its last value
 */
record HttpRequest(String startLine, Map<String, String> headers) {
    private static final int MAX_LINE = 8192;
    private static final int MAX_FIELDS = 100;

    /** Reads a head; null if the stream ends before its first byte (the peer closed an idle connection). */
    static HttpRequest read(InputStream in) throws IOException {
        String start = readLine(in);
        if (start == null) {
            return null;
        }
        while (start.isEmpty()) {
            // RFC 9112 §2.2: a server SHOULD ignore empty lines before the request line.
            start = readLine(in);
            if (start == null) {
                return null;
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        while (true) {
            String line = readLine(in);
            if (line == null) {
                throw new ProtocolException("connection closed inside the message head");
            }
            if (line.isEmpty()) {
                return new HttpRequest(start, headers);
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || headers.size() >= MAX_FIELDS) {
                throw new ProtocolException("bad header field: " + line);
            }
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
    }

    /** One line without its CRLF (a bare LF is accepted); null at end of stream before any byte. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int n = b.length();
                if (n > 0 && b.charAt(n - 1) == '\r') {
                    b.setLength(n - 1);
                }
                return b.toString();
            }
            if (b.length() >= MAX_LINE) {
                throw new ProtocolException("line longer than " + MAX_LINE + " bytes");
            }
            b.append((char) c);
        }
        if (b.isEmpty()) {
            return null;
        }
        throw new ProtocolException("connection closed inside a line");
    }

    String header(String name) {
        return headers.get(name);
    }

    /** Content-Length, or -1 if absent. */
    long contentLength() throws ProtocolException {
        String v = headers.get("content-length");
        if (v == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ProtocolException("bad Content-Length: " + v);
        }
    }

    boolean isChunked() {
        String te = headers.get("transfer-encoding");
        return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
    }

    /** Copies a chunked body (RFC 9112 §7.1) to {@code out}; trailers are read and ignored. */
    static long copyChunked(InputStream in, OutputStream out) throws IOException {
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        while (true) {
            String line = readLine(in);
            if (line == null) {
                throw new ProtocolException("connection closed inside a chunked body");
            }
            int semi = line.indexOf(';');
            String hex = (semi < 0 ? line : line.substring(0, semi)).strip();
            // chunk-size = 1*HEXDIG: no sign (parseLong would take "-5"), at most 15 digits (no overflow).
            if (!hex.matches("[0-9A-Fa-f]{1,15}")) {
                throw new ProtocolException("bad chunk size: " + line);
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                while (true) {
                    String trailer = readLine(in);
                    if (trailer == null || trailer.isEmpty()) {
                        return total;
                    }
                }
            }
            copyExactly(in, out, size, buf);
            total += size;
            if (!"".equals(readLine(in))) {
                throw new ProtocolException("chunk not followed by CRLF");
            }
        }
    }

    /** Copies exactly {@code length} bytes; fails if the stream ends first. */
    static void copyExactly(InputStream in, OutputStream out, long length, byte[] buf) throws IOException {
        long left = length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new ProtocolException("connection closed after " + (length - left) + " of " + length + " bytes");
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
