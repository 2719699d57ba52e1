package dev.jtcp.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpError;
import dev.jtcp.tcp.TcpException;
import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The flow-to-loop function of a stack of several loops ({@link FlowShards}) and the shared
 * ephemeral-port allocator it implies: each shard's host takes ports only from its own slice.
 */
class FlowShardsTest {
    private static final IpAddress LOCAL = IpAddress.parse("198.18.0.2");
    private static final IpAddress REMOTE = IpAddress.parse("198.18.0.1");

    @Test
    void ephemeralSlicesAreDisjointAndCoverTheRange() {
        for (int count : new int[] {1, 2, 3, 7}) {
            FlowShards shards = new FlowShards(count, 1, 2);
            Set<Integer> seen = new HashSet<>();
            for (int s = 0; s < count; s++) {
                for (int i = 0; i < shards.ephemeralPorts(s); i++) {
                    int port = shards.ephemeralPort(s, i);
                    assertThat(seen.add(port)).as("port %d handed to two shards", port).isTrue();
                    assertThat(shards.ownerOf(REMOTE, 80, port)).isEqualTo(s);
                }
            }
            assertThat(seen).hasSize(Host.EPHEMERAL_HIGH - Host.EPHEMERAL_LOW + 1);
            assertThat(seen).allMatch(FlowShards::isEphemeral);
        }
    }

    @Test
    void aPacketAndItsFlowNameTheSameOwnerForBothFamilies() {
        FlowShards shards = new FlowShards(4, 11, 12);
        int[] perShard = new int[4];
        for (int sport = 1000; sport < 1400; sport++) {
            ByteBuffer v4 = RawPackets.syn("198.18.0.1", sport, "198.18.0.2", 8080);
            int owner = shards.ownerOfPacket(v4);
            assertThat(owner).isEqualTo(shards.ownerOf(new ConnectionKey(LOCAL, 8080, REMOTE, sport)));
            perShard[owner]++;
            IpAddress r6 = IpAddress.parse("fd00::1");
            ByteBuffer v6 = RawPackets.syn("fd00::1", sport, "fd00::2", 8080);
            assertThat(shards.ownerOfPacket(v6)).isEqualTo(shards.ownerOf(r6, sport, 8080));
        }
        // The children of one listener spread over every shard.
        assertThat(java.util.Arrays.stream(perShard).min().orElseThrow()).isGreaterThan(50);
        // A reply to an active OPEN from an ephemeral port goes to the shard of the port's slice.
        int port = shards.ephemeralPort(3, 17);
        assertThat(shards.ownerOfPacket(RawPackets.syn("198.18.0.1", 80, "198.18.0.2", port))).isEqualTo(3);
    }

    @Test
    void oneShardOwnsEverythingAndOtherProtocolsGoToTheFirst() {
        ByteBuffer syn = RawPackets.syn("198.18.0.1", 1234, "198.18.0.2", 8080);
        assertThat(FlowShards.ONE.ownerOfPacket(syn)).isZero();
        FlowShards two = new FlowShards(2, 5, 6);
        ByteBuffer udp = syn.duplicate();
        udp.put(9, (byte) 17);
        assertThat(two.ownerOfPacket(udp)).isZero();
        assertThat(two.ownerOfPacket(ByteBuffer.allocate(3))).isZero();
        assertThatThrownBy(() -> new FlowShards(0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hostsOfOneStackNeverPickTheSamePortAndKeepTheirFlows() {
        FlowShards shards = new FlowShards(2, 3, 4);
        Host[] hosts = new Host[2];
        for (int s = 0; s < 2; s++) {
            // The same random stream: without the slices both would start at the same port.
            hosts[s] = new Host("h" + s, TcpConfig.defaults(), new SplittableRandom(9));
            hosts[s].attach(new RawPackets.Capture()).addAddress("198.18.0.2/24");
            hosts[s].shard(shards, s);
        }
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            for (int s = 0; s < 2; s++) {
                TcpConnection c = hosts[s].connect(0, REMOTE, 80);
                assertThat(ports.add(c.key().localPort())).as("port %d twice", c.key().localPort()).isTrue();
                assertThat(shards.ownerOf(c.key())).isEqualTo(s);
                assertThat((c.key().localPort() - Host.EPHEMERAL_LOW) % 2).isEqualTo(s);
            }
        }
    }

    @Test
    void aGivenPortConnectsOnlyOnTheShardThatOwnsItsFlow() {
        FlowShards shards = new FlowShards(2, 3, 4);
        Host h = new Host("h", TcpConfig.defaults(), new SplittableRandom(1));
        h.attach(new RawPackets.Capture()).addAddress("198.18.0.2/24");
        h.shard(shards, 1);
        int mine = shards.ephemeralPort(1, 5);
        assertThat(h.connect(0, REMOTE, 80, mine).key().localPort()).isEqualTo(mine);
        assertThatThrownBy(() -> h.connect(0, REMOTE, 80, shards.ephemeralPort(0, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("belongs to shard 0");
        // The usual bind rules still hold on the owner.
        assertThatThrownBy(() -> h.connect(0, REMOTE, 80, mine)).isInstanceOf(TcpException.class)
                .satisfies(e -> assertThat(((TcpException) e).error()).isEqualTo(TcpError.ADDRESS_IN_USE));
    }
}
