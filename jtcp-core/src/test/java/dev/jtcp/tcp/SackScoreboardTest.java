package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.wire.TcpOptions;
import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The scoreboard against a byte-per-bit reference model, with sequence numbers crossing 2^32. */
class SackScoreboardTest {
    @Test
    void agreesWithABitSetModelUnderRandomBlocksAndAcks() {
        SplittableRandom r = new SplittableRandom(9);
        for (int round = 0; round < 500; round++) {
            int base = r.nextInt();
            int span = 200 + r.nextInt(5000);
            int sndMax = base + span;
            int sndUna = base;
            SackScoreboard board = new SackScoreboard();
            BitSet model = new BitSet(span);
            for (int step = 0; step < 40; step++) {
                if (r.nextInt(5) == 0) {
                    int ack = sndUna + r.nextInt(Math.max(1, (sndMax - sndUna) / 3 + 1));
                    model.clear(0, ack - base);
                    sndUna = ack;
                    board.advance(sndUna);
                } else {
                    TcpOptions o = new TcpOptions();
                    for (int b = 0; b < 1 + r.nextInt(3); b++) {
                        int left = sndUna + r.nextInt(Math.max(1, sndMax - sndUna));
                        int right = left + 1 + r.nextInt(300);
                        o.addSackBlock(left, right);
                        if (right - base <= span) {
                            model.set(left - base, right - base);
                        }
                    }
                    board.update(o, sndUna, sndMax);
                }
                assertThat(board.sackedBytes()).isEqualTo(model.cardinality());
                int probe = sndUna + r.nextInt(Math.max(1, sndMax - sndUna));
                assertThat(board.isSacked(probe)).isEqualTo(model.get(probe - base));
                int hole = board.nextHole(sndUna, sndMax);
                int expected = model.nextClearBit(sndUna - base);
                assertThat(hole - base).isEqualTo(Math.min(expected, span));
            }
        }
    }

    @Test
    void lostBoundaryAndPipeFollowRfc6675() {
        SackScoreboard board = new SackScoreboard();
        int smss = 100;
        TcpOptions o = new TcpOptions();
        // Segments of 100 from 1000; 1000-1099 and 1300-1399 are missing, the rest up to 1800 SACKed.
        o.addSackBlock(1100, 1300).addSackBlock(1400, 1800);
        board.update(o, 1000, 1800);
        assertThat(board.sackedBytes()).isEqualTo(600);
        // More than 2 × SMSS SACKed above 1400 (400 bytes): both holes are lost.
        assertThat(board.lostBoundary(1000, smss, 3)).isEqualTo(1400);
        // Outstanding 800, SACKed 600, lost 200 not yet retransmitted: nothing is in the pipe.
        assertThat(board.pipe(1000, 1800, 1400, 1000)).isZero();
        // After retransmitting the first hole, it is in the pipe again.
        assertThat(board.pipe(1000, 1800, 1400, 1100)).isEqualTo(100);
        assertThat(board.nextHole(1100, 1800)).isEqualTo(1300);
        assertThat(board.holeEnd(1300, 1800)).isEqualTo(1400);
    }
}
