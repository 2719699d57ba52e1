package dev.jtcp.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.NetnsFixture;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TunLink} against the real kernel, in a namespace of its own (root only). */
class TunLinkTest {
    @Test
    void aReceiveFillsTheCallersBatchEvenWhenItIsLargerThanTheSlots() throws Exception {
        int waiting = TunLink.BATCH * 3;
        try (NetnsFixture ns = NetnsFixture.create("tunlink");
             TunDevice tun = Netns.call(ns.name(), () -> TunDevice.open("jtcpl0"));
             DatagramChannel udp = Netns.call(ns.name(), DatagramChannel::open)) {
            InterfaceConfig.configure(ns.name(), tun.name(), 1500, List.of("198.18.0.1/24"));
            TunLink link = new TunLink(tun, 1500);
            // The kernel routes these to the device; nothing answers, they just wait there.
            for (int i = 0; i < waiting; i++) {
                udp.send(ByteBuffer.wrap(new byte[] {(byte) i}), new InetSocketAddress("198.18.0.2", 9));
            }
            // A UDP send hands the datagram to the device during the system call: all are queued now.
            List<Integer> lengths = new ArrayList<>();
            int asked = TunLink.BATCH * 2;
            int got = link.receive(0, p -> lengths.add(p.remaining()), asked);
            assertThat(got).as("packets handed over in one call for a batch of %d", asked).isEqualTo(asked);
            assertThat(lengths).hasSize(asked);
            int rest = link.receive(0, p -> lengths.add(p.remaining()), asked);
            assertThat(rest).as("what was left after the full batch").isGreaterThanOrEqualTo(waiting - asked);
        }
    }
}
