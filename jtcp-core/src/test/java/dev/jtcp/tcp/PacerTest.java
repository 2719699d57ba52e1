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
    void idleTimeBuysNoMoreThanTheBurstAndTheLateCredit() {
        Pacer p = new Pacer();
        p.setRate(RATE, 2000);
        p.onSend(0, 1000);
        long later = 1_000 * MS; // a second of silence: 1000 segments' worth at this rate
        int burst = 0;
        while (p.canSend(later, 1000)) {
            p.onSend(later, 1000);
            burst++;
        }
        // The 2 ms quantum and the 2 ms late-wake credit.
        assertEquals(2 * MS, p.lateCreditNs());
        assertEquals(4, burst);
        assertEquals(later + 1 * MS, p.nextSendNs(later, 1000));
    }

    /**
     * The event loop sleeps in whole milliseconds (epoll_wait) and wakes late on a busy machine: a
     * PACING timer asked for 0.1 ms from now fires 1.1 ms or more later. The lag is kept as credit,
     * so the rate achieved is the pacing rate, not the quantum per wake; without it, 20 MB/s with a
     * 1 ms quantum would come out at about 17 MB/s, and at 2 ms late wakes at 10 MB/s.
     */
    @Test
    void lateTimersKeepTheRate() {
        for (long lateNs : new long[] {1_100_000L, 2_000_000L}) {
            Pacer p = new Pacer();
            long rate = 20_000_000; // 20 MB/s, the quantum 1 ms of it
            p.setRate(rate, 20_000);
            long now = 0;
            long sent = 0;
            while (now < 1_000_000_000L) {
                while (p.canSend(now, 1448)) {
                    p.onSend(now, 1448);
                    sent += 1448;
                }
                // The timer is asked for the next departure; the loop wakes later than that.
                now = Math.max(p.nextSendNs(now, 1448), now) + lateNs;
            }
            double achieved = sent * 1e9 / now;
            assertTrue(Math.abs(achieved - rate) < 0.03 * rate, "late by " + lateNs + " ns: " + achieved + " B/s");
        }
    }

    @Test
    void aSegmentLargerThanTheQuantumStillLeavesAfterIdle() {
        Pacer p = new Pacer();
        p.setRate(RATE, 1000);
        p.onSend(0, 1000);
        assertEquals(1 * MS, p.nextSendNs(0, 4000));
        assertTrue(p.canSend(10 * MS, 4000));
        p.onSend(10 * MS, 4000);
        // The clock kept 2 ms of the 9 ms lag (the late-wake credit): the next leaves 2 ms early.
        assertEquals(12 * MS, p.nextSendNs(10 * MS, 4000));
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
