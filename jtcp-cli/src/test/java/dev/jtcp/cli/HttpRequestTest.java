package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link HttpRequest}'s chunked bodies (RFC 9112 §7.1). */
class HttpRequestTest {
    private static long chunked(String body, ByteArrayOutputStream out) throws Exception {
        return HttpRequest.copyChunked(new ByteArrayInputStream(body.getBytes(StandardCharsets.ISO_8859_1)), out);
    }

    @Test
    void chunksWithExtensionsAndTrailers() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(chunked("5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n", out)).isEqualTo(15);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo("hello0123456789");
    }

    @Test
    void aChunkSizeIsHexDigitsOnly() {
        // chunk-size = 1*HEXDIG: Long.parseLong took "-5" and "+5", and a negative size made the body
        // length negative ("stored -5 bytes") instead of a 400.
        for (String size : new String[] {"-5", "+5", "", " ", "0x5", "12345678901234567"}) {
            assertThatThrownBy(() -> chunked(size + "\r\nhello\r\n0\r\n\r\n", new ByteArrayOutputStream())).as(size)
                    .isInstanceOf(ProtocolException.class).hasMessageStartingWith("bad chunk size");
        }
    }
}
