package dev.jtcp.link.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.link.impair.DropCause;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.testutil.TestPackets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hosts joined through a router, each on its own access link. */
class SimRouterTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private final SimNetwork net = new SimNetwork(5);
    private final SimRouter router = new SimRouter("r1");
    private final TestNode wide = new TestNode("wide");
    private final TestNode narrow = new TestNode("narrow");
    private final TestNode host = new TestNode("host");
    private final TestNode sender = new TestNode("sender");
    private final SimLink toWide = net.connect(router, wide, Impairments.parse("delay=1ms"));
    private final SimLink toNarrow = net.connect(router, narrow, Impairments.parse("delay=2ms"));
    private final SimLink toHost = net.connect(router, host, Impairments.parse("delay=3ms"));
    private final SimLink fromSender = net.connect(sender, router);

    SimRouterTest() {
        router.route("10.0.0.0/8", toWide.port(router));
        router.route("10.1.0.0/16", toNarrow.port(router));
        router.route("10.1.2.3", toHost.port(router));
        router.route("2001:db8::/32", toWide.port(router));
        router.route("2001:db8:1::/48", toNarrow.port(router));
        router.route("2001:db8:1::7/128", toHost.port(router));
    }

    @Test
    void forwardsIpv4ByLongestPrefixMatch() {
        send(TestPackets.ipv4("192.0.2.1", "10.9.9.9", 1, 40));
        send(TestPackets.ipv4("192.0.2.1", "10.1.9.9", 2, 40));
        send(TestPackets.ipv4("192.0.2.1", "10.1.2.3", 3, 40));
        send(TestPackets.ipv4("192.0.2.1", "10.1.2.4", 4, 40));

        net.runUntilIdle(S);

        assertThat(ids(wide)).containsExactly(1);
        assertThat(ids(narrow)).containsExactly(2, 4);
        assertThat(ids(host)).containsExactly(3);
        assertThat(host.arrivals.getFirst().atNs()).isEqualTo(3 * MS);
        assertThat(router.forwarded()).isEqualTo(4);
    }

    @Test
    void forwardsIpv6ByLongestPrefixMatch() {
        send(TestPackets.ipv6("2001:db8:2::1", "2001:db8:ffff::1", 1, 20));
        send(TestPackets.ipv6("2001:db8:2::1", "2001:db8:1:abcd::1", 2, 20));
        send(TestPackets.ipv6("2001:db8:2::1", "2001:db8:1::7", 3, 20));
        send(TestPackets.ipv6("2001:db8:2::1", "2001:db8:1::8", 4, 20));

        net.runUntilIdle(S);

        assertThat(flowLabels(wide)).containsExactly(1);
        assertThat(flowLabels(narrow)).containsExactly(2, 4);
        assertThat(flowLabels(host)).containsExactly(3);
    }

    @Test
    void dropsWhatItCannotRouteCountingTheReason() {
        List<String> drops = new ArrayList<>();
        net.addTap(new SimTap() {
            @Override
            public void onDrop(long nowNs, SimPort port, ByteBuffer packet, DropCause cause) {
                drops.add(port + " " + cause);
            }
        });

        send(TestPackets.ipv4("192.0.2.1", "192.168.1.1", 1, 40));
        send(TestPackets.ipv6("2001:db8:2::1", "2001:db9::1", 2, 20));
        send(ByteBuffer.wrap(new byte[] {0x55, 1, 2, 3}));
        send(ByteBuffer.wrap(new byte[] {0x45, 0, 0, 10, 0, 0, 0, 0, 64, 6}));
        send(ByteBuffer.allocate(0));
        net.runUntilIdle(S);

        assertThat(router.dropped(DropCause.NO_ROUTE)).isEqualTo(2);
        assertThat(router.dropped(DropCause.NOT_IP)).isEqualTo(3);
        assertThat(fromSender.port(router).dropped(DropCause.NO_ROUTE)).isEqualTo(2);
        assertThat(drops).containsExactly("link3.b NO_ROUTE", "link3.b NO_ROUTE",
                "link3.b NOT_IP", "link3.b NOT_IP", "link3.b NOT_IP");
        assertThat(router.forwarded()).isZero();
    }

    @Test
    void defaultRouteCatchesTheRestAndReplacingARouteTakesEffect() {
        router.route("0.0.0.0/0", toHost.port(router));
        router.route("10.0.0.0/8", toNarrow.port(router));

        send(TestPackets.ipv4("192.0.2.1", "192.168.1.1", 1, 40));
        send(TestPackets.ipv4("192.0.2.1", "10.200.0.1", 2, 40));
        net.runUntilIdle(S);

        assertThat(ids(host)).containsExactly(1);
        assertThat(ids(narrow)).containsExactly(2);
        assertThat(ids(wide)).isEmpty();
    }

    @Test
    void eachAccessLinkKeepsItsOwnImpairments() {
        SimRouter r = new SimRouter("r2");
        TestNode lossy = new TestNode("lossy");
        TestNode clean = new TestNode("clean");
        SimLink toLossy = net.connect(r, lossy, Impairments.parse("loss=50%"), Impairments.NONE);
        SimLink toClean = net.connect(r, clean);
        SimLink in = net.connect(sender, r);
        r.route("10.0.0.1/32", toLossy.port(r));
        r.route("10.0.0.2/32", toClean.port(r));
        for (int i = 0; i < 1_000; i++) {
            in.a().transmit(TestPackets.ipv4("192.0.2.1", "10.0.0." + (1 + i % 2), i, 40));
        }

        net.runUntilIdle(S);

        assertThat(clean.arrivals).hasSize(500);
        assertThat(lossy.arrivals.size()).isBetween(200, 300);
        assertThat(toLossy.port(r).dropped(DropCause.LOSS)).isEqualTo(500L - lossy.arrivals.size());
    }

    @Test
    void rejectsBadRoutes() {
        SimPort foreign = toWide.port(wide);
        assertThatThrownBy(() -> router.route("10.0.0.0/8", foreign))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("belongs to wide");
        assertThatThrownBy(() -> router.route("10.0.0.1/8", toWide.port(router)))
                .hasMessageContaining("has bits set beyond the prefix");
        assertThatThrownBy(() -> router.route("10.0.0.0/33", toWide.port(router)))
                .hasMessageContaining("not in 0..32");
        assertThatThrownBy(() -> router.route("ten/8", toWide.port(router)))
                .hasMessageContaining("bad prefix 'ten/8'");
    }

    private void send(ByteBuffer packet) {
        fromSender.a().transmit(packet);
    }

    private static List<Integer> ids(TestNode node) {
        return node.arrivals.stream().map(x -> ByteBuffer.wrap(x.bytes()).getShort(4) & 0xffff).toList();
    }

    private static List<Integer> flowLabels(TestNode node) {
        return node.arrivals.stream().map(x -> ByteBuffer.wrap(x.bytes()).getInt(0) & 0xfffff).toList();
    }
}
