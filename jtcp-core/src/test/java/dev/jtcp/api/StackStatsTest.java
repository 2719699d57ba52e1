package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.Eventually;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link NetStack#stats()}: the counters of a running stack, read on its loop thread. */
@Timeout(60)
class StackStatsTest {
    @Test
    void countsConnectionsByStateQueuesAndTimeWaitRecords() throws Exception {
        try (StackPair p = new StackPair()) {
            TcpServerSocket l = p.server.listen(7);
            StackStats empty = p.server.stats();
            assertThat(empty.listeners()).isEqualTo(1);
            assertThat(empty.connectionCount()).isZero();

            TcpSocket c = p.client.connect(StackPair.server(7), Duration.ofSeconds(5));
            Eventually.waitUntil("established at the server", Duration.ofSeconds(5),
                    () -> p.server.stats().connections().getOrDefault(TcpState.ESTABLISHED, 0) == 1);
            StackStats queued = p.server.stats();
            assertThat(queued.synQueue()).isZero();
            assertThat(p.client.stats().connections()).containsEntry(TcpState.ESTABLISHED, 1);

            TcpSocket s = l.accept(Duration.ofSeconds(5));
            assertThat(p.server.stats().acceptQueue()).isZero();
            c.close();
            Eventually.waitUntil("server in CLOSE-WAIT", Duration.ofSeconds(5),
                    () -> p.server.stats().connections().getOrDefault(TcpState.CLOSE_WAIT, 0) == 1);
            s.close();
            Eventually.waitUntil("client in TIME-WAIT", Duration.ofSeconds(5), () -> p.client.stats().timeWaitRecords() == 1);
            StackStats done = p.client.stats();
            assertThat(done.connectionCount()).isZero();
            assertThat(done.toString()).startsWith("connections 0, TIME-WAIT 1, SYN queue 0, accept queue 0, cookies 0 sent");

            // A SYN to a port nobody listens on: answered with RST, counted as a drop.
            try {
                p.client.connect(StackPair.server(9), Duration.ofSeconds(5));
            } catch (java.net.ConnectException expected) {
                // Connection refused
            }
            assertThat(p.server.stats().dropCount()).isPositive();
            assertThat(p.server.stats().toString()).contains("drops ");
        }
    }
}
