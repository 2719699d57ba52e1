package dev.jtcp.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Fuzzes what a SOCKS5 proxy answers {@link Upstream}'s handshake (RFC 1928 method selection,
 * RFC 1929 authentication status, the CONNECT reply): anything the proxy sends ends in an
 * IOException or in success, and success means a complete reply with status 0 was read.
 * Corpus: {@code src/test/resources/dev/jtcp/forward/Socks5ReplyFuzzTestInputs/replies}.
 */
class Socks5ReplyFuzzTest {
    private static final InetSocketAddress V4 = new InetSocketAddress(InetAddress.ofLiteral("198.18.0.9"), 80);
    private static final InetSocketAddress V6 = new InetSocketAddress(InetAddress.ofLiteral("fd00::9"), 443);

    @FuzzTest(maxDuration = "10s")
    void replies(FuzzedDataProvider data) {
        boolean auth = data.consumeBoolean();
        InetSocketAddress destination = data.consumeBoolean() ? V4 : V6;
        byte[] reply = data.consumeRemainingAsBytes();
        ByteArrayInputStream in = new ByteArrayInputStream(reply);
        try {
            Upstream.handshake(in, OutputStream.nullOutputStream(), destination, auth ? "user" : null,
                    auth ? "secret" : null, "proxy");
        } catch (IOException expected) {
            return;
        }
        // Success: the proxy chose a method we offered, accepted us, and answered CONNECT with 0.
        int method = reply[1];
        int at = 2;
        if (method == 2) {
            at += 2;
        }
        assertThat(reply[at + 1]).as("CONNECT reply status").isZero();
        int atyp = reply[at + 3];
        int addressLength = switch (atyp) {
            case 1 -> 4;
            case 4 -> 16;
            default -> 1 + (reply[at + 4] & 0xff);
        };
        assertThat(reply.length - in.available()).as("bytes of the reply read")
                .isEqualTo(at + 4 + addressLength + 2);
    }
}
