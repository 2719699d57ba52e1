package dev.jtcp.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryLinkTest {
    @Test
    void aPacketOverTheMtuIsDroppedAndCountedAsOversized() {
        MemoryLink[] ends = MemoryLink.pair("a", "b", 1500);
        ends[0].transmit(ByteBuffer.allocate(1500));
        ends[0].transmit(ByteBuffer.allocate(1501));

        List<Integer> sizes = new ArrayList<>();
        Link.Receiver collect = packet -> sizes.add(packet.remaining());
        ends[1].receive(0, collect, 10);

        assertThat(sizes).containsExactly(1500);
        assertThat(ends[0].dropped()).isEqualTo(1);
        assertThat(ends[0].oversized()).isEqualTo(1);
        assertThat(ends[1].dropped()).isZero();
    }
}
