package dev.jtcp.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The RFC 1928 §7 header of relayed UDP datagrams, written and read back, and what is refused. */
class UpstreamUdpHeaderTest {
    @Test
    void headersForBothFamiliesAreWrittenAsTheRfcLaysThemOut() throws Exception {
        byte[] b = new byte[32];
        int n = Upstream.writeUdpHeader(b, new InetSocketAddress(InetAddress.getByName("198.19.0.53"), 53));
        assertThat(n).isEqualTo(10);
        assertThat(java.util.Arrays.copyOf(b, n)).containsExactly(0, 0, 0, 1, 198, 19, 0, 53, 0, 53);
        assertThat(Upstream.udpHeaderLength(b, n + 5)).isEqualTo(10);
        n = Upstream.writeUdpHeader(b, new InetSocketAddress(InetAddress.getByName("fd00::53"), 5353));
        assertThat(n).isEqualTo(22);
        assertThat(b[3]).isEqualTo((byte) 4);
        assertThat(b[20] & 0xFF).isEqualTo(5353 >> 8);
        assertThat(b[21] & 0xFF).isEqualTo(5353 & 0xFF);
        assertThat(Upstream.udpHeaderLength(b, 22)).isEqualTo(22);
    }

    @Test
    void fragmentsTruncatedAndUnknownHeadersAreRefused() {
        assertThat(Upstream.udpHeaderLength(new byte[] {0, 0, 1, 1, 1, 2, 3, 4, 0, 53}, 10)).as("FRAG 1").isEqualTo(-1);
        assertThat(Upstream.udpHeaderLength(new byte[] {0, 0, 0, 1, 1, 2, 3}, 7)).as("truncated").isEqualTo(-1);
        assertThat(Upstream.udpHeaderLength(new byte[] {0, 0, 0, 9, 1, 2, 3, 4, 0, 53}, 10)).as("ATYP 9").isEqualTo(-1);
        assertThat(Upstream.udpHeaderLength(new byte[] {0, 0, 0, 3, 3, 'a', 'b', 'c', 0, 53}, 10)).as("a name")
                .isEqualTo(10);
        assertThat(Upstream.udpHeaderLength(new byte[] {1, 0, 0, 1, 1, 2, 3, 4, 0, 53}, 10)).as("RSV").isEqualTo(-1);
    }

    @Test
    void aDirectUpstreamHasNoAssociation() throws Exception {
        try (DatagramChannel c = DatagramChannel.open()) {
            assertThatThrownBy(() -> Upstream.direct().associate(c, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
