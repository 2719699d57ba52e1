package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 8985 §6: time-based loss detection, the reordering window, lost retransmissions. */
class RackTest {
    private static final long MS = 1_000_000L;
    private static final int MSS = 1000;
    private static final int ISS = 1000;

    /** Ten segments, segment k sent at k ms. */
    private static Flight tenSegments() {
        Flight f = new Flight();
        for (int k = 0; k < 10; k++) {
            f.append(ISS + k * MSS, ISS + (k + 1) * MSS, k * MS, 0, 0, 0, false);
        }
        return f;
    }

    /** SACKs segment {@code k} at {@code nowNs}, feeding RACK as the recovery room will. */
    private static void sack(Rack rack, Flight f, int k, long nowNs) {
        f.sack(ISS + k * MSS, ISS + (k + 1) * MSS, (fl, p, flags) -> rack.onDelivered(fl.end(p), fl.xmitNs(p), fl.sendOrder(p),
                (flags & Flight.RETRANSMITTED) != 0, false, nowNs));
    }

    @Test
    void withoutReorderingASegmentSentBeforeADeliveredOneIsLostOnceDupThreshAreSacked() {
        Flight f = tenSegments();
        Rack rack = new Rack();
        for (int k = 5; k <= 7; k++) {
            sack(rack, f, k, 50 * MS + k * MS);
        }
        long reo = rack.updateReorderingWindow(false, false, false, 3, 3, ISS, ISS + 10 * MSS, 50 * MS);
        assertThat(reo).as("no reordering seen and DupThresh segments SACKed").isZero();
        long timeout = rack.detectLoss(f, 57 * MS);
        assertThat(timeout).isZero();
        for (int k = 0; k < 5; k++) {
            assertThat(f.needsRetransmission(k)).as("segment %d", k).isTrue();
        }
        assertThat(f.needsRetransmission(8)).as("sent after the newest delivery").isFalse();
        assertThat(f.lostBytes()).isEqualTo(5 * MSS);
    }

    @Test
    void theReorderingWindowDefersLossAndTheTimerSaysUntilWhen() {
        Flight f = tenSegments();
        Rack rack = new Rack();
        // Segment 1 is delivered first below FACK: reordering seen.
        sack(rack, f, 3, 53 * MS);
        sack(rack, f, 1, 54 * MS);
        assertThat(rack.reorderingSeen()).isTrue();
        assertThat(rack.minRttNs()).isEqualTo(50 * MS);
        long reo = rack.updateReorderingWindow(false, false, false, 2, 3, ISS, ISS + 10 * MSS, 60 * MS);
        assertThat(reo).as("min_RTT / 4").isEqualTo(12_500_000L);
        // RACK.xmit_ts is segment 3's (3 ms), RACK.rtt 50 ms: segment 0 (0 ms) expires at 62.5 ms,
        // segment 2 (2 ms) at 64.5 ms.
        long timeout = rack.detectLoss(f, 60 * MS);
        assertThat(timeout).isEqualTo(4_500_000L);
        assertThat(f.lostBytes()).isZero();
        rack.detectLoss(f, 63 * MS);
        assertThat(f.needsRetransmission(0)).isTrue();
        assertThat(f.needsRetransmission(2)).isFalse();
    }

    @Test
    void aLostRetransmissionIsFoundWithoutWaitingForTheRto() {
        Flight f = tenSegments();
        Rack rack = new Rack();
        for (int k = 1; k <= 3; k++) {
            sack(rack, f, k, 50 * MS + k * MS);
        }
        rack.updateReorderingWindow(false, false, false, 3, 3, ISS, ISS + 10 * MSS, 50 * MS);
        rack.detectLoss(f, 53 * MS);
        assertThat(f.needsRetransmission(0)).isTrue();
        f.retransmitted(0, 54 * MS);
        // New data after the retransmission, delivered: the retransmission, sent before it, is lost too.
        f.append(ISS + 10 * MSS, ISS + 11 * MSS, 55 * MS, 0, 0, 0, false);
        sack(rack, f, 10, 105 * MS);
        rack.updateReorderingWindow(false, false, true, 4, 3, ISS, ISS + 11 * MSS, 50 * MS);
        rack.detectLoss(f, 105 * MS);
        assertThat(f.needsRetransmission(0)).as("retransmission lost").isTrue();
        assertThat(f.retransOutRecords()).isZero();
    }

    @Test
    void aRetransmissionSentInTheSameInstantAfterNewDataIsNotLostWhenThatDataIsSacked() {
        Flight f = tenSegments();
        Rack rack = new Rack();
        for (int k = 1; k <= 3; k++) {
            sack(rack, f, k, 50 * MS + k * MS);
        }
        rack.updateReorderingWindow(false, false, false, 3, 3, ISS, ISS + 10 * MSS, 50 * MS);
        rack.detectLoss(f, 53 * MS);
        assertThat(f.needsRetransmission(0)).isTrue();
        // At 55 ms one ACK releases new data, and the next, in the same instant, the retransmission:
        // sent after the new data, with a lower sequence number.
        f.append(ISS + 10 * MSS, ISS + 11 * MSS, 55 * MS, 0, 0, 0, false);
        f.retransmitted(0, 55 * MS);
        sack(rack, f, 10, 105 * MS);
        rack.updateReorderingWindow(false, false, true, 4, 3, ISS, ISS + 11 * MSS, 50 * MS);
        rack.detectLoss(f, 105 * MS);
        assertThat(f.needsRetransmission(0)).as("the retransmission left after segment 10").isFalse();
        assertThat(f.retransOutRecords()).isOne();
        assertThat(Rack.sentAfter(55 * MS, f.sendOrder(0), 55 * MS, f.sendOrder(10))).isTrue();
    }

    @Test
    void withNoDupThreshTheWindowStaysAQuarterMinRttOutsideRecovery() {
        Flight f = tenSegments();
        Rack rack = new Rack(false, true);
        for (int k = 5; k <= 7; k++) {
            sack(rack, f, k, 50 * MS + k * MS);
        }
        long reo = rack.updateReorderingWindow(false, false, false, 3, 3, ISS, ISS + 10 * MSS, 50 * MS);
        assertThat(reo).as("DupThresh segments SACKed, still min_RTT / 4").isEqualTo(12_500_000L);
        long timeout = rack.detectLoss(f, 57 * MS);
        assertThat(timeout).as("segment 4 (4 ms) expires at 4 + 50 + 12.5 ms").isEqualTo(9_500_000L);
        assertThat(f.lostBytes()).isZero();
        rack.detectLoss(f, 67 * MS);
        assertThat(f.lostBytes()).isEqualTo(5 * MSS);
        assertThat(rack.updateReorderingWindow(false, false, true, 3, 3, ISS, ISS + 10 * MSS, 50 * MS))
                .as("in recovery without reordering: zero, as RFC 8985").isZero();
    }

    @Test
    void anAckQuickerThanAnyRoundTripDoesNotTimeARetransmission() {
        Flight f = tenSegments();
        Rack rack = new Rack();
        sack(rack, f, 1, 51 * MS);
        f.markLost(0);
        f.retransmitted(0, 60 * MS);
        // The original arrives late and is acknowledged 5 ms after the retransmission left.
        f.acknowledge(ISS + MSS, (fl, p, flags) -> rack.onDelivered(fl.end(p), fl.xmitNs(p), fl.sendOrder(p),
                (flags & Flight.RETRANSMITTED) != 0, false, 65 * MS));
        assertThat(rack.rttNs()).as("the earlier, unambiguous sample stays").isEqualTo(50 * MS);
    }

    @Test
    void dsackRoundsWidenTheWindowWhichReturnsAfterSixteenRecoveries() {
        Rack rack = new Rack();
        rack.onRttSample(40 * MS);
        long srtt = 200 * MS;
        assertThat(rack.updateReorderingWindow(false, false, false, 0, 3, 0, 100, srtt)).isEqualTo(10 * MS);
        assertThat(rack.updateReorderingWindow(true, false, false, 0, 3, 0, 100, srtt)).isEqualTo(20 * MS);
        // More D-SACKs in the same round (SND.UNA below 100) do not widen it again.
        assertThat(rack.updateReorderingWindow(true, false, false, 0, 3, 50, 150, srtt)).isEqualTo(20 * MS);
        assertThat(rack.updateReorderingWindow(true, false, false, 0, 3, 100, 200, srtt)).isEqualTo(30 * MS);
        for (int i = 0; i < 15; i++) {
            rack.updateReorderingWindow(false, true, false, 0, 3, 300, 300, srtt);
        }
        assertThat(rack.reoWndMult()).isEqualTo(3);
        rack.updateReorderingWindow(false, true, false, 0, 3, 300, 300, srtt);
        assertThat(rack.reoWndMult()).isEqualTo(1);
        // Never wider than SRTT.
        for (int round = 0; round < 30; round++) {
            rack.updateReorderingWindow(true, false, false, 0, 3, 1000 * round, 1000 * round + 10, srtt);
        }
        assertThat(rack.reoWndNs()).isEqualTo(srtt);
    }

    @Test
    void anRtoLosesTheFirstSegmentAndThoseRackAlreadyConsidersLost() {
        Flight f = tenSegments();
        Rack rack = new Rack();
        sack(rack, f, 4, 54 * MS);
        rack.updateReorderingWindow(false, false, false, 1, 3, ISS, ISS + 10 * MSS, 50 * MS);
        rack.markLossesOnRto(f, 56 * MS);
        assertThat(f.needsRetransmission(0)).isTrue();
        assertThat(f.needsRetransmission(1)).as("1 ms + 50 ms + 12.5 ms is later than 56 ms").isFalse();
        rack.markLossesOnRto(f, 75 * MS);
        for (int k = 0; k < 10; k++) {
            assertThat(f.needsRetransmission(k)).as("segment %d", k).isEqualTo(k != 4);
        }
    }
}
