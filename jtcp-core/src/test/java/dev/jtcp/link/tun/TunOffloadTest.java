package dev.jtcp.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.api.NetStack;
import dev.jtcp.api.TcpSocket;
import dev.jtcp.api.TcpServerSocket;
import dev.jtcp.link.ForwardingLink;
import dev.jtcp.link.Link;
import dev.jtcp.link.TcpSegmenter;
import dev.jtcp.testutil.NetnsFixture;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.IpProtocol;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The TUN link's offloads against the real kernel, in namespaces the tests create (root only):
 * what the kernel sends through a device that accepts super-packets, and super-packets jtcp hands
 * the kernel, with offloads on and off.
 */
class TunOffloadTest {
    private static final int BYTES = 8_000_000;

    /** Checks every TCP packet the link hands up as the host will, and notes the largest. */
    private static final class Checking extends ForwardingLink {
        volatile int largest;
        volatile long bad;
        volatile long tcpPackets;

        Checking(Link inner) {
            super(inner);
        }

        @Override
        public int receive(long nowNs, Receiver receiver, int maxPackets) throws IOException {
            IpPacket ip = new IpPacket();
            TcpPacket tcp = new TcpPacket();
            return inner.receive(nowNs, p -> {
                if (ip.wrap(p, p.position(), p.remaining()).check() == null && ip.protocol() == IpProtocol.TCP) {
                    tcpPackets++;
                    largest = Math.max(largest, ip.packetLength());
                    if (tcp.wrap(p, ip.payloadOffset(), ip.payloadLength()).check() != null
                            || !tcp.verifyChecksum(ip.pseudoHeaderSum())) {
                        bad++;
                    }
                }
                receiver.onPacket(p);
            }, maxPackets);
        }
    }

    @Test
    void withOffloadsTheKernelSendsSuperPacketsThatTheHostAccepts() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("gso")) {
            TunLink link = TunLink.create("jtcpg0", ns.name(), 1500, List.of("198.18.0.1/24", "fd00::1/64"), true);
            assertThat(link.device().offloads() & (TunDevice.OFFLOAD_CSUM | TunDevice.OFFLOAD_TSO4
                    | TunDevice.OFFLOAD_TSO6)).as(link.offloads()).isEqualTo(7);
            assertThat(link.offloadsSegmentation()).isTrue();
            Checking checking = new Checking(link);
            try (NetStack stack = NetStack.builder().link(checking).address("198.18.0.2/24").address("fd00::2/64").start()) {
                CompletableFuture<Long> received = discard(stack);
                push(ns, "198.18.0.2");
                push(ns, "fd00::2");
                assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(2L * BYTES);
                java.util.Map<dev.jtcp.wire.DropReason, Long> drops = stack.inspect(h -> h.drops().nonZero());
                assertThat(drops).doesNotContainKeys(dev.jtcp.wire.DropReason.TCP_BAD_CHECKSUM,
                        dev.jtcp.wire.DropReason.IPV4_BAD_TOTAL_LENGTH, dev.jtcp.wire.DropReason.IPV6_BAD_PAYLOAD_LENGTH);
            }
            assertThat(checking.bad).isZero();
            assertThat(link.superPacketsIn()).isPositive();
            assertThat(link.checksumsCompleted()).isPositive();
            assertThat(link.largestPacketIn()).isGreaterThan(1500);
            assertThat(checking.largest).isGreaterThan(1500).isLessThanOrEqualTo(65535 + 40);
            assertThat(link.rxDropped()).isZero();
        }
    }

    @Test
    void theHostTakesTheKernelsTcpWithoutSummingItWhenNothingSitsBetween() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("gso")) {
            TunLink link = TunLink.create("jtcpg4", ns.name(), 1500, List.of("198.18.0.1/24", "fd00::1/64"), true);
            try (NetStack stack = NetStack.builder().link(link).address("198.18.0.2/24").address("fd00::2/64").start()) {
                CompletableFuture<Long> received = discard(stack);
                push(ns, "198.18.0.2");
                push(ns, "fd00::2");
                assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(2L * BYTES);
                java.util.Map<dev.jtcp.wire.DropReason, Long> drops = stack.inspect(h -> h.drops().nonZero());
                assertThat(drops).doesNotContainKey(dev.jtcp.wire.DropReason.TCP_BAD_CHECKSUM);
            }
            // The event loop's receiver takes verified TCP: the partial checksums stay as the kernel
            // left them, summed neither by the link nor by the host.
            assertThat(link.checksumsTrusted()).isGreaterThan(2L * BYTES / 65536);
            assertThat(link.checksumsCompleted()).isZero();
            assertThat(link.superPacketsIn()).isPositive();
        }
    }

    @Test
    void withoutOffloadsEveryPacketFitsTheMtu() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("gso")) {
            TunLink link = TunLink.create("jtcpg1", ns.name(), 1500, List.of("198.18.0.1/24"), false);
            assertThat(link.offloads()).isEqualTo("off");
            assertThat(link.offloadsSegmentation()).isFalse();
            Checking checking = new Checking(link);
            try (NetStack stack = NetStack.builder().link(checking).address("198.18.0.2/24").start()) {
                CompletableFuture<Long> received = discard(stack);
                push(ns, "198.18.0.2");
                assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(BYTES);
            }
            assertThat(checking.bad).isZero();
            assertThat(checking.tcpPackets).isGreaterThan(BYTES / 1460);
            assertThat(checking.largest).isLessThanOrEqualTo(1500);
            assertThat(link.superPacketsIn()).isZero();
        }
    }

    @Test
    void withOffloadsJtcpsSuperPacketsReachTheKernelIntact() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("gso")) {
            TunLink link = TunLink.create("jtcpg3", ns.name(), 1500, List.of("198.18.0.1/24", "fd00::1/64"), true);
            try (NetStack stack = NetStack.builder().link(link).address("198.18.0.2/24").address("fd00::2/64").start()) {
                TcpServerSocket l = stack.listen(19);
                Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            TcpSocket c = l.accept();
                            Thread.ofVirtual().start(() -> {
                                try (c) {
                                    OutputStream out = c.getOutputStream();
                                    byte[] chunk = new byte[100_000];
                                    for (int sent = 0; sent < BYTES; sent += chunk.length) {
                                        for (int i = 0; i < chunk.length; i++) {
                                            chunk[i] = pattern(sent + i);
                                        }
                                        out.write(chunk);
                                    }
                                } catch (IOException e) {
                                    // The test fails on the reading side.
                                }
                            });
                        }
                    } catch (IOException e) {
                        // The stack closed.
                    }
                });
                for (String host : List.of("198.18.0.2", "fd00::2")) {
                    try (Socket s = Netns.call(ns.name(), () -> {
                        Socket k = new Socket();
                        k.connect(new InetSocketAddress(host, 19), 5000);
                        return k;
                    })) {
                        s.setSoTimeout(30_000);
                        byte[] got = s.getInputStream().readAllBytes();
                        assertThat(got.length).isEqualTo(BYTES);
                        for (int i = 0; i < got.length; i++) {
                            if (got[i] != pattern(i)) {
                                throw new AssertionError(host + ": byte " + i + " differs");
                            }
                        }
                    }
                }
            }
            // The engine hands the device super-packets itself (and the link may still join a short
            // rest to what came before), so far fewer writes than segments leave.
            assertThat(link.superPacketsOut()).isPositive();
            assertThat(link.packetsOut()).isLessThan(2L * BYTES / 1448 / 4);
            assertThat(link.txErrors()).isZero();
            // The kernel's ACKs reached the host (it takes them without summing) unchanged.
            assertThat(link.checksumsTrusted()).isPositive();
            assertThat(link.checksumsCompleted()).isZero();
        }
    }

    private static byte pattern(int i) {
        return (byte) (i * 31 + (i >>> 11));
    }

    @Test
    void aSuperPacketJtcpHandsTheDeviceArrivesWholeWithOffloads() throws Exception {
        sendSuperPacketToTheKernel(true);
    }

    @Test
    void aSuperPacketIsCutInSoftwareWithoutOffloads() throws Exception {
        sendSuperPacketToTheKernel(false);
    }

    /**
     * A hand-made handshake with a kernel listener, then one 20,000-byte segment through {@link
     * TunLink#transmitGso} with MSS 1000: the kernel's socket must read exactly those bytes.
     */
    private static void sendSuperPacketToTheKernel(boolean offload) throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("gso");
             TunLink link = TunLink.create("jtcpg2", ns.name(), 1500, List.of("198.18.0.1/24"), offload);
             Epoll epoll = Epoll.open();
             ServerSocket server = Netns.call(ns.name(), () -> new ServerSocket(7000, 8,
                     java.net.InetAddress.getByName("198.18.0.1")))) {
            epoll.add(link.readinessFd(), 1);
            IpAddress me = IpAddress.parse("198.18.0.2");
            IpAddress kernel = IpAddress.parse("198.18.0.1");
            PacketWriter writer = new PacketWriter();
            ByteBuffer buf = ByteBuffer.allocate(70_000);
            TcpSegment seg = new TcpSegment();
            seg.srcPort = 40000;
            seg.dstPort = 7000;
            seg.seq = 1000;
            seg.flags = TcpFlags.SYN;
            seg.window = 65535;
            seg.options.mss = 1460;
            send(link, writer, buf, me, kernel, seg);
            TcpPacket synAck = await(link, epoll, TcpFlags.SYN | TcpFlags.ACK);
            int kernelIsn = synAck.seq();
            seg.clear();
            seg.srcPort = 40000;
            seg.dstPort = 7000;
            seg.seq = 1001;
            seg.ack = kernelIsn + 1;
            seg.flags = TcpFlags.ACK;
            seg.window = 65535;
            send(link, writer, buf, me, kernel, seg);
            byte[] data = new byte[20_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i % 253);
            }
            seg.flags = TcpFlags.ACK | TcpFlags.PSH;
            seg.payload(ByteBuffer.wrap(data), 0, data.length);
            int n = writer.writeTcp(buf.clear(), 0, me, kernel, 64, 0, seg);
            buf.limit(n);
            TcpSegmenter.setPartialChecksum(buf);
            link.transmitGso(buf, 1000);
            link.flush(0);
            assertThat(link.superPacketsOut()).isEqualTo(offload ? 1 : 0);
            assertThat(link.packetsOut()).isEqualTo(offload ? 3 : 22);
            server.setSoTimeout(5000);
            try (Socket s = server.accept()) {
                s.setSoTimeout(5000);
                byte[] got = s.getInputStream().readNBytes(data.length);
                assertThat(Arrays.equals(got, data)).as("the kernel read the bytes sent").isTrue();
            }
        }
    }

    private static void send(TunLink link, PacketWriter writer, ByteBuffer buf, IpAddress src, IpAddress dst,
                             TcpSegment seg) throws IOException {
        int n = writer.writeTcp(buf.clear(), 0, src, dst, 64, 0, seg);
        link.transmit(buf.position(0).limit(n));
        link.flush(0);
    }

    private static TcpPacket await(TunLink link, Epoll epoll, int flags) throws IOException {
        TcpPacket[] found = new TcpPacket[1];
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (found[0] == null && System.nanoTime() < deadline) {
            epoll.await(100);
            link.receive(0, p -> {
                IpPacket ip = new IpPacket().wrap(p, p.position(), p.remaining());
                if (ip.check() == null && ip.protocol() == IpProtocol.TCP) {
                    ByteBuffer copy = ByteBuffer.allocate(p.remaining()).put(p.duplicate()).flip();
                    TcpPacket tcp = new TcpPacket().wrap(copy, ip.payloadOffset() - p.position(), ip.payloadLength());
                    if ((tcp.flags() & flags) == flags) {
                        found[0] = tcp;
                    }
                }
            }, 64);
        }
        assertThat(found[0]).as("a packet with flags %x", flags).isNotNull();
        return found[0];
    }

    /** Serves discard on port 9; the future completes with the bytes of two connections (or one). */
    private static CompletableFuture<Long> discard(NetStack stack) throws IOException {
        TcpServerSocket l = stack.listen(9);
        CompletableFuture<Long> total = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            long sum = 0;
            try {
                while (true) {
                    try (TcpSocket c = l.accept(java.time.Duration.ofSeconds(5))) {
                        sum += c.getInputStream().transferTo(OutputStream.nullOutputStream());
                    }
                }
            } catch (IOException e) {
                total.complete(sum);
            }
        });
        return total;
    }

    /** A kernel socket in the namespace sends {@link #BYTES} to port 9 of {@code host} and closes. */
    private static void push(NetnsFixture ns, String host) throws Exception {
        try (Socket s = Netns.call(ns.name(), () -> {
            Socket k = new Socket();
            k.connect(new InetSocketAddress(host, 9), 5000);
            return k;
        })) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[256 * 1024];
            for (int sent = 0; sent < BYTES; sent += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, BYTES - sent));
            }
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
        }
    }
}
