package dev.jtcp.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest {
    /** 1 MB/s: a 1000-byte segment takes 1 ms. */
    private static final long RATE = 1_000_000;
    private static final long MS = 1_000_000;

    @Test
    void withoutARateEverythingLeavesAtOnce() {
        Pacer p = new Pacer();
        for (int i = 0; i < 100; i++) {
            assertTrue(p.canSend(0, 1000));
            p.onSend(0, 1000);
        }
        assertEquals(5, p.nextSendNs(5, 1000));
    }

    @Test
    void segmentsAreSpacedByTheirLengthOverTheRateAfterTheBurst() {
        Pacer p = new Pacer();
        p.setRate(RATE, 2000);
        p.onSend(0, 1000);
        assertTrue(p.canSend(0, 1000), "the second segment of the burst");
        p.onSend(0, 1000);
        assertFalse(p.canSend(0, 1000), "the burst is spent");
        assertEquals(1 * MS, p.nextSendNs(0, 1000));
        p.onSend(1 * MS, 1000);
        assertEquals(2 * MS, p.nextSendNs(1 * MS, 1000));
        p.onSend(2 * MS, 1000);
        assertEquals(3 * MS, p.nextSendNs(2 * MS, 1000));
    }

    @Test
    void aLongRunKeepsTheRate() {
        Pacer p = new Pacer();
        p.setRate(10_000_000, 3000);
        long now = 0;
        int sent = 0;
        while (now < 1_000_000_000L) {
            now = p.nextSendNs(now, 1500);
            if (now >= 1_000_000_000L) {
                break;
            }
            p.onSend(now, 1500);
            sent++;
        }
        // 10 MB in one second, plus the initial burst.
        assertTrue(Math.abs(sent * 1500 - 10_000_000) <= 3000, "sent " + sent * 1500);
    }

    @Test
    void idleTimeBuysNoMoreThanTheBurst() {
        Pacer p = new Pacer();
        p.setRate(RATE, 2000);
        p.onSend(0, 1000);
        long later = 1_000 * MS; // a second of silence: 1000 segments' worth at this rate
        int burst = 0;
        while (p.canSend(later, 1000)) {
            p.onSend(later, 1000);
            burst++;
        }
        assertEquals(2, burst);
        assertEquals(later + 1 * MS, p.nextSendNs(later, 1000));
    }

    @Test
    void aSegmentLargerThanTheQuantumStillLeavesAfterIdle() {
        Pacer p = new Pacer();
        p.setRate(RATE, 1000);
        p.onSend(0, 1000);
        assertEquals(1 * MS, p.nextSendNs(0, 4000));
        assertTrue(p.canSend(10 * MS, 4000));
        p.onSend(10 * MS, 4000);
        assertEquals(14 * MS, p.nextSendNs(10 * MS, 4000));
    }

    @Test
    void aLargerQuantumAllowsALargerBurst() {
        Pacer p = new Pacer();
        p.setRate(RATE, 10_000);
        int burst = 0;
        while (p.canSend(0, 1000)) {
            p.onSend(0, 1000);
            burst++;
        }
        assertEquals(10, burst);
    }

    @Test
    void timesWrapSafely() {
        Pacer p = new Pacer();
        p.setRate(RATE, 1000);
        long now = Long.MAX_VALUE - MS / 2;
        p.onSend(now, 1000);
        assertEquals(now + 1 * MS, p.nextSendNs(now, 1000));
        assertFalse(p.canSend(now + MS / 2, 1000));
        assertTrue(p.canSend(now + 1 * MS, 1000));
    }
}
