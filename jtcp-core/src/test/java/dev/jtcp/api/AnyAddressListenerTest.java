package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stack terminating TCP and UDP for addresses not its own, and UDP sockets, over a memory link. */
class AnyAddressListenerTest {
    private static final InetSocketAddress ELSEWHERE_80 = new InetSocketAddress(StackPair.address("198.19.0.9"), 80);

    @Test
    void flowsAreAcceptedOrRefusedAsTheHandlerDecidesAndDatagramsAreAnswered() throws Exception {
        try (StackPair p = new StackPair()) {
            AnyAddressListener[] listener = new AnyAddressListener[1];
            listener[0] = AnyAddressListener.open(p.server, 8, new AnyAddressListener.Handler() {
                @Override
                public void onFlow(AnyAddressListener.Flow flow) {
                    if (flow.destination().getPort() != 80) {
                        flow.refuse();
                        return;
                    }
                    flow.accept().thenAccept(s -> Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getOutputStream().write((s.getLocalSocketAddress() + " " + flow.client().getPort())
                                    .getBytes(StandardCharsets.US_ASCII));
                            s.shutdownOutput();
                            s.getInputStream().readAllBytes();
                        } catch (Exception e) {
                            // The test's stacks close under this thread at the end.
                        }
                    }));
                }

                @Override
                public void onDatagram(InetSocketAddress client, InetSocketAddress destination, byte[] data) {
                    listener[0].sendDatagram(destination, client, ("re: " + new String(data,
                            StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
                }
            });
            try (TcpSocket s = p.client.connect(ELSEWHERE_80, Duration.ofSeconds(5))) {
                s.setSoTimeout(5000);
                String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(text).isEqualTo("/198.19.0.9:80 " + s.getLocalSocketAddress().getPort());
            }
            assertThatThrownBy(() -> p.client.connect(new InetSocketAddress(StackPair.address("198.19.0.9"), 81),
                    Duration.ofSeconds(5))).isInstanceOf(ConnectException.class).hasMessage("Connection refused");

            try (UdpSocket u = UdpSocket.bind(p.client, new InetSocketAddress(0))) {
                u.setSoTimeout(5000);
                InetSocketAddress dns = new InetSocketAddress(StackPair.address("198.19.0.53"), 53);
                u.send(ByteBuffer.wrap("query".getBytes(StandardCharsets.US_ASCII)), dns);
                ByteBuffer b = ByteBuffer.allocate(100);
                assertThat(u.receive(b)).isEqualTo(dns);
                assertThat(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII)).isEqualTo("re: query");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (listener[0].flowCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(listener[0].flowCount()).isZero();
        }
    }

    @Test
    void udpSocketsTalkBetweenStacks() throws Exception {
        try (StackPair p = new StackPair();
             UdpSocket server = UdpSocket.bind(p.server, new InetSocketAddress(7));
             UdpSocket client = UdpSocket.bind(p.client, new InetSocketAddress(0))) {
            server.setSoTimeout(5000);
            client.setSoTimeout(5000);
            client.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), StackPair.server(7));
            ByteBuffer b = ByteBuffer.allocate(10);
            InetSocketAddress from = server.receive(b);
            assertThat(from.getPort()).isEqualTo(client.getLocalPort());
            server.send(b.flip(), from);
            ByteBuffer back = ByteBuffer.allocate(10);
            assertThat(client.receive(back)).isEqualTo(StackPair.server(7));
            assertThat(back.flip().remaining()).isEqualTo(3);
            client.setSoTimeout(50);
            assertThatThrownBy(() -> client.receive(ByteBuffer.allocate(10)))
                    .isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }
}
