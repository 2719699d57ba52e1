package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SynCookiesTest {
    private final SynCookies cookies = new SynCookies(new SplittableRandom(3));
    private static final long L_HI = 0;
    private static final long L_LO = 0x0000FFFFC6120002L;
    private static final long R_HI = 0;
    private static final long R_LO = 0x0000FFFFC6120001L;

    @Test
    void aCookieValidatesWithinItsLifetimeAndCarriesTheMssIndex() {
        for (int index = 0; index < 4; index++) {
            long t = 1_000_000_000_000L;
            int isn = 0x12345678;
            int c = cookies.encode(t, L_HI, L_LO, 80, R_HI, R_LO, 40000, isn, index);
            assertThat(cookies.decode(t + 1_000_000, L_HI, L_LO, 80, R_HI, R_LO, 40000, isn, c)).isEqualTo(index);
            assertThat(cookies.decode(t + 2 * SynCookies.PERIOD_NS, L_HI, L_LO, 80, R_HI, R_LO, 40000, isn, c))
                    .isEqualTo(index);
            assertThat(cookies.decode(t + 4 * SynCookies.PERIOD_NS, L_HI, L_LO, 80, R_HI, R_LO, 40000, isn, c))
                    .as("too old").isEqualTo(-1);
        }
    }

    @Test
    void cookiesAreBoundToTheFourTupleAndTheClientIsn() {
        long t = 5_000_000_000L;
        int c = cookies.encode(t, L_HI, L_LO, 80, R_HI, R_LO, 40000, 99, 2);
        assertThat(cookies.decode(t, L_HI, L_LO, 80, R_HI, R_LO, 40001, 99, c)).isEqualTo(-1);
        assertThat(cookies.decode(t, L_HI, L_LO, 80, R_HI, R_LO, 40000, 99 + 100_000, c)).isEqualTo(-1);
    }

    /**
     * A client's last ACK of a closed connection, its sequence and acknowledgment numbers both moved
     * on by the bytes each side sent, must not pass as a fresh cookie handshake (it would rebuild a
     * connection the client no longer has). With the client's ISN only added into the cookie, every
     * one of these passed.
     */
    @Test
    void anAckWhoseNumbersMovedOnTogetherDoesNotValidate() {
        long t = 9_000_000_000L;
        int isn = 0x0BADF00D;
        int c = cookies.encode(t, L_HI, L_LO, 80, R_HI, R_LO, 40000, isn, 3);
        int accepted = 0;
        for (int moved = 1; moved <= 10_000; moved++) {
            if (cookies.decode(t, L_HI, L_LO, 80, R_HI, R_LO, 40000, isn + moved, c + moved) >= 0) {
                accepted++;
            }
        }
        assertThat(accepted).isZero();
    }

    @Test
    void blindGuessesAlmostNeverValidate() {
        SplittableRandom r = new SplittableRandom(8);
        long t = 7_000_000_000L;
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            if (cookies.decode(t, L_HI, L_LO, 80, R_HI, R_LO, 40000, 7, r.nextInt()) >= 0) {
                accepted++;
            }
        }
        // Expected about 200000 * 3 periods * 4 indexes / 2^32 ≈ 0.6.
        assertThat(accepted).isLessThanOrEqualTo(5);
    }

    @Test
    void timestampCarriesWindowScaleAndSackWithoutRunningAhead() {
        for (int ws = -1; ws <= 14; ws++) {
            for (boolean sack : new boolean[] {false, true}) {
                int now = 1_000_003;
                int ts = SynCookies.encodeTsVal(now, ws, sack);
                assertThat(dev.jtcp.wire.SeqNum.le(ts, now)).isTrue();
                assertThat(SynCookies.windowScaleFromTsEcr(ts)).isEqualTo(ws);
                assertThat(SynCookies.sackFromTsEcr(ts)).isEqualTo(sack);
            }
        }
    }
}
