package dev.jtcp.link.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import dev.jtcp.wire.IcmpPacket;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The native layer against the real kernel, each test in its own network namespace (root only). */
@NeedsTools("ip")
class TunDeviceTest {
    @Test
    @NeedsTools({"ip", "ping"})
    void kernelPingArrivesAsAnIcmpEchoRequestOnTheDevice() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("tun");
             TunDevice tun = Netns.call(ns.name(), () -> TunDevice.open("jtcpt0"));
             Epoll epoll = Epoll.open()) {
            assertThat(tun.name()).isEqualTo("jtcpt0");
            InterfaceConfig.configure(ns.name(), tun.name(), 1500, List.of("198.18.0.1/24"));
            assertThat(ns.exec("ip", "link", "show", "jtcpt0").requireSuccess().stdout()).contains("UP");
            epoll.add(tun.fd(), 7);
            // A ping whose replies never come: it only has to put one echo request on the device.
            Thread ping = Thread.ofVirtual().start(() -> {
                try {
                    ns.exec("ping", "-c", "1", "-W", "1", "198.18.0.2");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            IpPacket ip = readUntil(tun, epoll, p -> p.protocol() == IpProtocol.ICMP);
            assertThat(ip.dst()).isEqualTo(IpAddress.parse("198.18.0.2"));
            assertThat(ip.src()).isEqualTo(IpAddress.parse("198.18.0.1"));
            IcmpPacket icmp = new IcmpPacket().wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength());
            assertThat(icmp.check(0)).isNull();
            assertThat(icmp.type()).isEqualTo(IcmpPacket.V4_ECHO_REQUEST);
            ping.join();
        }
    }

    @Test
    void theInterfaceDisappearsWhenTheDeviceIsClosed() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("tun")) {
            TunDevice tun = Netns.call(ns.name(), () -> TunDevice.open("jtcpt1"));
            assertThat(ns.exec("ip", "link", "show", "jtcpt1").succeeded()).isTrue();
            tun.close();
            assertThat(ns.exec("ip", "link", "show", "jtcpt1").succeeded()).isFalse();
        }
    }

    @Test
    void aMissingNamespaceIsNamedInTheError() {
        NetnsFixture.requireRoot();
        assertThatThrownBy(() -> Netns.call("jtcp-no-such-ns", () -> TunDevice.open("jtcpt2")))
                .isInstanceOf(ErrnoException.class)
                .hasMessageContaining("network namespace jtcp-no-such-ns")
                .hasMessageContaining("ip netns add jtcp-no-such-ns");
    }

    @Test
    @NeedsTools({"ip", "ping"})
    void writesReachTheKernel() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("tun");
             TunDevice tun = Netns.call(ns.name(), () -> TunDevice.open("jtcpt3"));
             Epoll epoll = Epoll.open()) {
            InterfaceConfig.configure(ns.name(), tun.name(), 1500, List.of("198.18.0.1/24"));
            epoll.add(tun.fd(), 1);
            // Answer the kernel's echo requests by hand: swap addresses, type 8 -> 0, fix checksums.
            Thread answerer = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 2; i++) {
                        IpPacket ip = readUntil(tun, epoll, p -> p.protocol() == IpProtocol.ICMP);
                        ByteBuffer b = ip.buffer();
                        int src = b.getInt(12);
                        b.putInt(12, b.getInt(16));
                        b.putInt(16, src);
                        int icmpAt = ip.payloadOffset();
                        b.put(icmpAt, (byte) 0);
                        b.putShort(icmpAt + 2, (short) (b.getShort(icmpAt + 2) + 0x0800));
                        try (Arena a = Arena.ofConfined()) {
                            MemorySegment out = a.allocate(ip.packetLength());
                            out.copyFrom(MemorySegment.ofBuffer(b.duplicate().position(0).limit(ip.packetLength())));
                            assertThat(tun.write(out, ip.packetLength())).isTrue();
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ExternalTools.Result ping = ns.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.0.2");
            answerer.join(5000);
            assertThat(ping.stdout()).contains("2 received");
        }
    }

    private interface Filter {
        boolean test(IpPacket p);
    }

    private static IpPacket readUntil(TunDevice tun, Epoll epoll, Filter filter) throws IOException {
        MemorySegment buf = Arena.ofAuto().allocate(2048);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            epoll.await(100);
            int n;
            while ((n = tun.read(buf)) > 0) {
                ByteBuffer b = buf.asByteBuffer().limit(n);
                IpPacket ip = new IpPacket().wrap(b, 0, n);
                if (ip.check() == null && filter.test(ip)) {
                    return ip;
                }
            }
        }
        throw new AssertionError("no matching packet within 5 s");
    }
}
