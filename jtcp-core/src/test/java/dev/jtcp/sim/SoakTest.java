package dev.jtcp.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.impair.Impairments;
import org.junit.jupiter.api.Test;

/**
 * The short form of the soak ({@code jtcp bench soak} runs the long one): a few thousand lifecycles
 * under loss, reordering, duplication and corruption, every byte checked, every transition checked,
 * nothing left on either host.
 */
class SoakTest {
    @Test
    void lifecyclesUnderImpairmentDeliverExactlyOnceAndLeaveNothingBehind() {
        Soak soak = new Soak(Soak.Settings.defaults());
        soak.run(3_000, 3_000);

        assertThat(soak.drain()).as("drained").isTrue();
        assertThat(soak.violationTexts()).as("violations").isEmpty();
        assertThat(soak.violations()).isZero();
        assertThat(soak.completed()).isEqualTo(3_000);
        assertThat(soak.tableLeftovers()).as("what the hosts still hold").isEmpty();
        assertThat(soak.clean()).as("clean lifecycles, errors: %s", soak.errorTexts()).isGreaterThanOrEqualTo(2_990);
        assertThat(soak.completed() - soak.clean()).as("errors before everything was delivered: %s", soak.errorTexts())
                .isEqualTo(soak.errorsAfterDelivery());
        assertThat(soak.bytesVerified()).as("bytes checked").isGreaterThan(1_000_000);
        assertThat(soak.transitionsChecked()).as("transitions checked").isGreaterThan(3_000 * 8);
        assertThat(soak.retransmissions()).as("the impairments bit").isPositive();
        assertThat(soak.inputDrops()).as("corrupted packets were dropped on input").contains("CHECKSUM");
    }

    @Test
    void runsCanBeContinuedAfterADrain() {
        Soak soak = new Soak(new Soak.Settings(50, Impairments.parse("delay=1ms,loss=2%"), 3, 500_000_000L));
        soak.run(200, 500);
        assertThat(soak.drain()).isTrue();
        long first = soak.completed();
        soak.run(300, 500);
        assertThat(soak.drain()).isTrue();
        assertThat(first).isGreaterThanOrEqualTo(200);
        assertThat(soak.completed()).isEqualTo(500);
        assertThat(soak.violations()).isZero();
        assertThat(soak.tableLeftovers()).isEmpty();
    }

    @Test
    void theSamePatternNeverRepeatsAcrossStreamsOrShifts() {
        assertThat(Soak.pattern(1, 0)).isNotEqualTo(Soak.pattern(2, 0));
        int same = 0;
        for (int i = 0; i < 10_000; i++) {
            if (Soak.pattern(7, i) == Soak.pattern(7, i + 1)) {
                same++;
            }
        }
        // Neighbouring bytes agree about 1 time in 256: a shifted stream would not pass the check.
        assertThat(same).isLessThan(100);
    }
}
