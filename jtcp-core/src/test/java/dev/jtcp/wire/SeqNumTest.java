package dev.jtcp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeqNumTest {
    @Test
    void comparesAcrossTheWrap() {
        int beforeWrap = 0xFFFF_FFF0;
        int afterWrap = 0x0000_0010;
        assertThat(SeqNum.lt(beforeWrap, afterWrap)).isTrue();
        assertThat(SeqNum.gt(afterWrap, beforeWrap)).isTrue();
        assertThat(SeqNum.le(beforeWrap, beforeWrap)).isTrue();
        assertThat(SeqNum.ge(afterWrap, afterWrap)).isTrue();
        assertThat(SeqNum.diff(afterWrap, beforeWrap)).isEqualTo(0x20);
        assertThat(SeqNum.max(beforeWrap, afterWrap)).isEqualTo(afterWrap);
        assertThat(SeqNum.min(beforeWrap, afterWrap)).isEqualTo(beforeWrap);
    }

    @Test
    void windowIsHalfOpenAndUnsigned() {
        int start = 0xFFFF_FFFE;
        assertThat(SeqNum.inWindow(start, start, 4)).isTrue();
        assertThat(SeqNum.inWindow(start + 3, start, 4)).isTrue();
        assertThat(SeqNum.inWindow(start + 4, start, 4)).isFalse();
        assertThat(SeqNum.inWindow(start - 1, start, 4)).isFalse();
        assertThat(SeqNum.inWindow(start, start, 0)).isFalse();
        assertThat(SeqNum.inWindow(start + 0x7FFF_FFFF, start, 0x8000_0000)).isTrue();
    }

    @Test
    void betweenIsInclusive() {
        assertThat(SeqNum.between(10, 10, 20)).isTrue();
        assertThat(SeqNum.between(10, 20, 20)).isTrue();
        assertThat(SeqNum.between(10, 21, 20)).isFalse();
        assertThat(SeqNum.between(10, 9, 20)).isFalse();
        assertThat(SeqNum.between(-5, 2, 3)).isTrue();
    }

    @Test
    void orderingAgreesWithUnwrappedArithmeticForSmallDistances() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            long base = r.nextLong(1L << 32);
            long d = r.nextLong(-(1L << 30), 1L << 30);
            int a = (int) base;
            int b = (int) (base + d);
            assertThat(SeqNum.lt(a, b)).isEqualTo(d > 0);
            assertThat(SeqNum.diff(b, a)).isEqualTo((int) d);
        }
    }

    @Test
    void printsUnsigned() {
        assertThat(SeqNum.toString(-1)).isEqualTo("4294967295");
        assertThat(SeqNum.unsigned(0x8000_0000)).isEqualTo(2147483648L);
    }
}
