package dev.jtcp.tcp;

import static dev.jtcp.testutil.TwoHosts.MS;
import static dev.jtcp.testutil.TwoHosts.S;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.TwoHosts;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FirstLightTest {
    @Test
    void handshakeDataAndClose() {
        TwoHosts t = new TwoHosts(1);
        TcpListener l = t.server.listen(t.now(), 80, 16);
        TcpConnection c = t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(100 * MS);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        TcpConnection s = l.accept();
        assertThat(s).isNotNull();
        assertThat(s.state()).isEqualTo(TcpState.ESTABLISHED);

        c.send(t.now(), ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
        t.runFor(100 * MS);
        ByteBuffer got = ByteBuffer.allocate(100);
        assertThat(s.receive(t.now(), got)).isEqualTo(5);
        s.send(t.now(), ByteBuffer.wrap("world!".getBytes(StandardCharsets.US_ASCII)));
        t.runFor(100 * MS);
        got.clear();
        assertThat(c.receive(t.now(), got)).isEqualTo(6);

        c.close(t.now());
        t.runFor(100 * MS);
        assertThat(s.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        got.clear();
        assertThat(s.receive(t.now(), got)).isEqualTo(-1);
        s.close(t.now());
        t.runFor(100 * MS);
        assertThat(s.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(t.client.timeWaitCount()).isEqualTo(1);
        t.runFor(121 * S);
        assertThat(t.client.timeWaitCount()).isZero();
        assertThat(t.client.connectionCount()).isZero();
        assertThat(t.server.connectionCount()).isZero();
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(t.transitions("client")).containsExactly("CLOSED->SYN-SENT", "SYN-SENT->ESTABLISHED",
                "ESTABLISHED->FIN-WAIT-1", "FIN-WAIT-1->FIN-WAIT-2", "FIN-WAIT-2->TIME-WAIT", "TIME-WAIT->CLOSED");
        assertThat(t.transitions("server")).containsExactly("LISTEN->SYN-RECEIVED", "SYN-RECEIVED->ESTABLISHED",
                "ESTABLISHED->CLOSE-WAIT", "CLOSE-WAIT->LAST-ACK", "LAST-ACK->CLOSED");
    }
}
