package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeqCoverageTest {
    @Test
    void countsEachByteOnceThroughRetransmissionsOverlapsAndHoles() {
        SeqCoverage c = new SeqCoverage();
        assertThat(c.add(1000, 100)).isEqualTo(100);
        assertThat(c.add(1000, 100)).isZero();
        assertThat(c.add(1300, 100)).isEqualTo(100);
        assertThat(c.add(1500, 100)).isEqualTo(100);
        assertThat(c.add(1050, 300)).isEqualTo(200);
        assertThat(c.add(1350, 250)).isEqualTo(100);
        assertThat(c.bytes()).isEqualTo(600);
    }

    @Test
    void segmentsBeforeTheFirstOneSeenCountToo() {
        SeqCoverage c = new SeqCoverage();
        c.add(5000, 100);
        assertThat(c.add(4800, 100)).isEqualTo(100);
        assertThat(c.add(4850, 200)).isEqualTo(100);
        assertThat(c.bytes()).isEqualTo(300);
    }

    @Test
    void wrapsAroundTheSequenceSpace() {
        SeqCoverage c = new SeqCoverage();
        c.add(-100, 100);
        assertThat(c.add(0, 100)).isEqualTo(100);
        assertThat(c.add(-50, 100)).isZero();
        assertThat(c.bytes()).isEqualTo(200);
    }

    @Test
    void agreesWithABitmapOnRandomSegments() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            SeqCoverage c = new SeqCoverage();
            BitSet seen = new BitSet();
            int base = random.nextInt();
            for (int i = 0; i < 60; i++) {
                int offset = 2000 + random.nextInt(4000);
                int length = random.nextInt(300);
                long before = seen.cardinality();
                seen.set(offset, offset + length);
                assertThat(c.add(base + offset, length)).isEqualTo(seen.cardinality() - before);
            }
        }
    }
}
