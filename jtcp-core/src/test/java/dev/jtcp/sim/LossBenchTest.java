package dev.jtcp.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.tcp.TcpConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LossBench}'s named cases on virtual time, small enough for every build: what `jtcp bench
 * loss` measures at full size (5 MB, 5 seeds) must hold in a shorter form here.
 */
class LossBenchTest {
    private static final long LIMIT_NS = 120L * 1_000_000_000L;
    /** The sender as `jtcp bench loss` runs it: jtcp's defaults (CUBIC, RACK-TLP) with a 4 MiB send buffer. */
    private static final TcpConfig SENDER = TcpConfig.defaults().toBuilder().sendBufferBytes(4 << 20).build();

    private static LossBench.Case named(String prefix, long bytes) {
        return LossBench.standardCases(bytes).stream().filter(c -> c.name().startsWith(prefix)).findFirst()
                .orElseThrow();
    }

    @Test
    void theTailOfEveryWriteIsRepairedByAProbeWithoutATimeout() {
        LossBench.Case c = named("tail loss", 20 * 45 * 1448L);
        LossBench.Result r = LossBench.run(c, SENDER, 1, LIMIT_NS);

        assertThat(r.completed()).isTrue();
        assertThat(r.timeouts()).as("RTOs; the probe and RACK repair each tail").isZero();
        // Two segments lost at the end of each of the 20 writes, each resent once.
        assertThat(r.retransmissions()).isEqualTo(40);
        assertThat(r.spurious()).isZero();
    }

    @Test
    void lostRetransmissionsAreFoundByRackNotByTheTimerInMostSeeds() {
        LossBench.Case c = named("lost retransmissions (1%, once)", 1_000_000L);
        List<LossBench.Result> runs = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            runs.add(LossBench.run(c, SENDER, seed, LIMIT_NS));
        }

        assertThat(runs).allMatch(LossBench.Result::completed);
        assertThat(runs.stream().filter(r -> r.timeouts() == 0).count()).as("runs without an RTO").isGreaterThanOrEqualTo(4);
        // A lost segment goes at least twice more: its first retransmission is lost too.
        assertThat(runs).allMatch(r -> r.retransmissions() >= 2);
        assertThat(runs).allMatch(r -> r.spurious() == 0);
    }

    /**
     * A segment lost three times is still delivered, but the timer may have to find it: when the
     * retransmissions lost are the last data sent (the end of a transfer), nothing sent after them
     * can be SACKed, and RFC 8985 sends no probe in recovery (Linux neither), so the RTO does.
     */
    @Test
    void aRetransmissionLostTwiceIsRepairedWithFewTimeouts() {
        LossBench.Case c = named("lost retransmissions (1%, twice)", 1_000_000L);
        for (long seed = 1; seed <= 5; seed++) {
            LossBench.Result r = LossBench.run(c, SENDER, seed, LIMIT_NS);
            assertThat(r.completed()).as("seed %d", seed).isTrue();
            assertThat(r.timeouts()).as("seed %d", seed).isLessThanOrEqualTo(3);
            assertThat(r.spurious()).as("seed %d", seed).isZero();
        }
    }

    @Test
    void fivePercentLossBothWaysReachesTheMathisBoundOnTheBenchSeeds() {
        LossBench.Case c = named("loss 5% both ways", 5_000_000L);
        double[] ratios = new double[5];
        for (int seed = 1; seed <= 5; seed++) {
            LossBench.Result r = LossBench.run(c, SENDER, seed, LIMIT_NS);
            assertThat(r.completed()).isTrue();
            ratios[seed - 1] = r.mathisRatio();
        }
        java.util.Arrays.sort(ratios);
        assertThat(ratios[2]).as("median goodput over the Mathis bound").isGreaterThanOrEqualTo(0.97);
    }

    @Test
    void reorderingWithoutLossCausesNoSpuriousRetransmission() {
        LossBench.Case c = named("reordering 5%", 2_000_000L);
        for (long seed = 1; seed <= 3; seed++) {
            LossBench.Result r = LossBench.run(c, SENDER, seed, LIMIT_NS);
            assertThat(r.completed()).isTrue();
            assertThat(r.spurious()).as("seed %d", seed).isZero();
        }
    }
}
