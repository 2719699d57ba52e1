package dev.jtcp.forward;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** {@link Upstream}'s SOCKS5 handshake against scripted proxy replies. */
class UpstreamHandshakeTest {
    private static final InetSocketAddress DESTINATION = new InetSocketAddress(InetAddress.ofLiteral("198.18.0.9"), 80);

    private static void handshake(int... reply) throws Exception {
        byte[] b = new byte[reply.length];
        for (int i = 0; i < reply.length; i++) {
            b[i] = (byte) reply[i];
        }
        Upstream.handshake(new ByteArrayInputStream(b), OutputStream.nullOutputStream(), DESTINATION, null, null, "proxy");
    }

    @Test
    void aCompleteSuccessReplyConnects() {
        assertThatCode(() -> handshake(5, 0, 5, 0, 0, 1, 198, 18, 0, 1, 0x04, 0x38)).doesNotThrowAnyException();
    }

    @Test
    void aReplyCutInsideTheBoundAddressIsAnErrorNotASuccess() {
        // Found by Socks5ReplyFuzzTest: readNBytes returned what there was, and the cut reply connected.
        assertThatThrownBy(() -> handshake(5, 0, 5, 0, 0, 1, 198, 18)).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> handshake(5, 0, 5, 0, 0, 3, 10, 'a')).isInstanceOf(EOFException.class);
    }

    @Test
    void aRefusalIsConnectionRefused() {
        assertThatThrownBy(() -> handshake(5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0)).isInstanceOf(ConnectException.class)
                .hasMessage("Connection refused");
    }
}
