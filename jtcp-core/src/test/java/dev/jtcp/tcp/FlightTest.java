package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-segment record of what is in flight: tiling, SACK and ACK bookkeeping, the pipe. */
class FlightTest {
    private static final int MSS = 1000;
    /** A start near the wrap of the sequence space, so modular comparisons are exercised. */
    private static final int ISS = -3500;

    private static Flight sent(int segments) {
        Flight f = new Flight();
        for (int k = 0; k < segments; k++) {
            f.append(ISS + k * MSS, ISS + (k + 1) * MSS, k, 0, 0, 0, false);
        }
        return f;
    }

    @Test
    void recordsTileTheSequenceSpaceAndAreFoundBySequenceNumber() {
        Flight f = sent(40);
        assertThat(f.size()).isEqualTo(40);
        assertThat(f.outstandingBytes()).isEqualTo(40 * MSS);
        assertThat(f.pipe()).isEqualTo(40 * MSS);
        assertThat(f.find(ISS)).isZero();
        assertThat(f.find(ISS + 5 * MSS + 999)).isEqualTo(5);
        assertThat(f.find(ISS + 40 * MSS)).isEqualTo(-1);
        assertThat(f.find(ISS - 1)).isEqualTo(-1);
        assertThatThrownBy(() -> f.append(ISS + 41 * MSS, ISS + 42 * MSS, 0, 0, 0, 0, false))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sackedDataLeavesThePipeAndIsNotDeliveredAgainByTheCumulativeAck() {
        Flight f = sent(10);
        List<Integer> delivered = new ArrayList<>();
        int newly = f.sack(ISS + 2 * MSS, ISS + 4 * MSS, (fl, p, flags) -> delivered.add(fl.start(p)));
        assertThat(newly).isEqualTo(2 * MSS);
        assertThat(delivered).containsExactly(ISS + 2 * MSS, ISS + 3 * MSS);
        assertThat(f.sackedBytes()).isEqualTo(2 * MSS);
        assertThat(f.pipe()).isEqualTo(8 * MSS);
        // The same block again changes nothing.
        assertThat(f.sack(ISS + 2 * MSS, ISS + 4 * MSS, null)).isZero();
        delivered.clear();
        int acked = f.acknowledge(ISS + 5 * MSS, (fl, p, flags) -> delivered.add(fl.start(p)));
        assertThat(acked).as("bytes newly delivered by the ACK").isEqualTo(3 * MSS);
        assertThat(delivered).containsExactly(ISS, ISS + MSS, ISS + 4 * MSS);
        assertThat(f.sackedBytes()).isZero();
        assertThat(f.size()).isEqualTo(5);
    }

    @Test
    void aBlockCoveringPartOfARecordDoesNotSackIt() {
        Flight f = sent(3);
        assertThat(f.sack(ISS + MSS + 500, ISS + 3 * MSS, null)).isEqualTo(MSS);
        assertThat(f.has(1, Flight.SACKED)).isFalse();
        assertThat(f.has(2, Flight.SACKED)).isTrue();
    }

    @Test
    void aLostRecordLeavesThePipeUntilItsRetransmissionGoesOut() {
        Flight f = sent(4);
        f.markLost(0);
        assertThat(f.pipe()).isEqualTo(3 * MSS);
        assertThat(f.needsRetransmission(0)).isTrue();
        f.retransmitted(0, 100);
        assertThat(f.pipe()).isEqualTo(4 * MSS);
        assertThat(f.needsRetransmission(0)).isFalse();
        assertThat(f.xmitNs(0)).isEqualTo(100);
        assertThat(f.has(0, Flight.RETRANSMITTED)).isTrue();
        // The retransmission is lost as well: it needs sending again.
        f.markLost(0);
        assertThat(f.pipe()).isEqualTo(3 * MSS);
        assertThat(f.needsRetransmission(0)).isTrue();
        assertThat(f.retransOutRecords()).isZero();
    }

    @Test
    void aRetransmissionOfARecordNotDeemedLostCountsTwice() {
        Flight f = sent(2);
        f.retransmitted(1, 50);
        assertThat(f.pipe()).as("original and probe both in the network").isEqualTo(3 * MSS);
        f.sack(ISS + MSS, ISS + 2 * MSS, null);
        assertThat(f.pipe()).isEqualTo(MSS);
        assertThat(f.retransOutBytes()).isZero();
    }

    @Test
    void aPartialAckTrimsTheOldestRecord() {
        Flight f = sent(2);
        f.markLost(0);
        assertThat(f.acknowledge(ISS + 400, null)).isEqualTo(400);
        assertThat(f.start(0)).isEqualTo(ISS + 400);
        assertThat(f.lostBytes()).isEqualTo(600);
        assertThat(f.pipe()).isEqualTo(MSS);
    }

    @Test
    void splittingKeepsTheTilingAndTheHistory() {
        Flight f = sent(3);
        f.retransmitted(1, 9);
        f.split(1, ISS + MSS + 300);
        assertThat(f.size()).isEqualTo(4);
        assertThat(f.end(1)).isEqualTo(ISS + MSS + 300);
        assertThat(f.start(2)).isEqualTo(ISS + MSS + 300);
        assertThat(f.end(2)).isEqualTo(ISS + 2 * MSS);
        assertThat(f.xmitNs(2)).isEqualTo(9);
        assertThat(f.retransOutRecords()).isEqualTo(2);
        assertThat(f.pipe()).isEqualTo(4 * MSS);
        assertThatThrownBy(() -> f.split(0, ISS)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRingGrowsWithoutLosingOrder() {
        Flight f = new Flight();
        int seq = ISS;
        int acked = ISS;
        // Keep the ring's head moving while it grows past several doublings.
        for (int k = 0; k < 5000; k++) {
            f.append(seq, seq + MSS, k, 0, 0, 0, false);
            seq += MSS;
            if (k % 3 == 0) {
                acked += MSS;
                f.acknowledge(acked, null);
            }
        }
        assertThat(f.outstandingBytes()).isEqualTo(seq - acked);
        for (int p = 0; p + 1 < f.size(); p++) {
            assertThat(f.end(p)).isEqualTo(f.start(p + 1));
        }
        assertThat(f.start(0)).isEqualTo(acked);
    }

    /**
     * Seeded random operations against a naive model (a list of records with flags, counters
     * recomputed from scratch): the counters and the pipe always agree.
     */
    @Test
    void countersAgreeWithANaiveModelUnderRandomOperations() {
        for (int seed = 1; seed <= 200; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            Flight f = new Flight();
            List<int[]> model = new ArrayList<>(); // {start, end, flags}
            int next = ISS;
            for (int step = 0; step < 300; step++) {
                int op = r.nextInt(10);
                if (op < 4 || model.isEmpty()) {
                    int len = 1 + r.nextInt(MSS);
                    f.append(next, next + len, step, 0, 0, 0, false);
                    model.add(new int[] {next, next + len, 0});
                    next += len;
                } else if (op == 4) {
                    int p = r.nextInt(model.size());
                    int[] m = model.get(p);
                    if ((m[2] & Flight.SACKED) == 0) {
                        f.markLost(p);
                        if ((m[2] & Flight.RETRANS_OUT) != 0) {
                            m[2] &= ~Flight.RETRANS_OUT;
                        }
                        m[2] |= Flight.LOST;
                    }
                } else if (op == 5) {
                    int p = r.nextInt(model.size());
                    int[] m = model.get(p);
                    if ((m[2] & Flight.SACKED) == 0) {
                        f.retransmitted(p, step);
                        m[2] |= Flight.RETRANSMITTED | Flight.RETRANS_OUT;
                    }
                } else if (op == 6 || op == 7) {
                    int a = r.nextInt(model.size());
                    int b = a + r.nextInt(Math.min(4, model.size() - a));
                    int left = model.get(a)[0] + (r.nextInt(4) == 0 ? 1 : 0);
                    int right = model.get(b)[1];
                    f.sack(left, right, null);
                    for (int[] m : model) {
                        if (m[0] - left >= 0 && right - m[1] >= 0 && (m[2] & Flight.SACKED) == 0) {
                            m[2] = (m[2] & ~(Flight.LOST | Flight.RETRANS_OUT)) | Flight.SACKED;
                        }
                    }
                } else if (op == 8) {
                    int p = r.nextInt(model.size());
                    int[] m = model.get(p);
                    if (m[1] - m[0] > 1) {
                        int at = m[0] + 1 + r.nextInt(m[1] - m[0] - 1);
                        f.split(p, at);
                        model.add(p + 1, new int[] {at, m[1], m[2]});
                        m[1] = at;
                    }
                } else {
                    int upTo = r.nextInt(model.size());
                    int ack = model.get(upTo)[0] + r.nextInt(model.get(upTo)[1] - model.get(upTo)[0] + 1);
                    f.acknowledge(ack, null);
                    while (!model.isEmpty() && ack - model.get(0)[1] >= 0) {
                        model.remove(0);
                    }
                    if (!model.isEmpty() && ack - model.get(0)[0] > 0) {
                        model.get(0)[0] = ack;
                    }
                }
                assertAgrees(f, model, seed, step);
            }
        }
    }

    private static void assertAgrees(Flight f, List<int[]> model, int seed, int step) {
        int out = 0;
        int sacked = 0;
        int lost = 0;
        int retransOut = 0;
        for (int[] m : model) {
            int len = m[1] - m[0];
            out += len;
            if ((m[2] & Flight.SACKED) != 0) {
                sacked += len;
            } else {
                lost += (m[2] & Flight.LOST) != 0 ? len : 0;
                retransOut += (m[2] & Flight.RETRANS_OUT) != 0 ? len : 0;
            }
        }
        String at = "seed " + seed + " step " + step;
        assertThat(f.size()).as(at).isEqualTo(model.size());
        assertThat(f.outstandingBytes()).as(at).isEqualTo(out);
        assertThat(f.sackedBytes()).as(at).isEqualTo(sacked);
        assertThat(f.lostBytes()).as(at).isEqualTo(lost);
        assertThat(f.retransOutBytes()).as(at).isEqualTo(retransOut);
        assertThat(f.pipe()).as(at).isEqualTo(out - sacked - lost + retransOut);
        for (int p = 0; p < model.size(); p++) {
            assertThat(f.start(p)).as(at).isEqualTo(model.get(p)[0]);
            assertThat(f.flags(p) & ~Flight.APP_LIMITED).as(at + " flags of " + p).isEqualTo(model.get(p)[2]);
        }
    }
}
