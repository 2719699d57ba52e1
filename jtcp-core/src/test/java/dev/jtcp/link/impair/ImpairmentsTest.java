package dev.jtcp.link.impair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.link.impair.Impairments.GilbertElliott;
import dev.jtcp.link.impair.Impairments.JitterDistribution;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImpairmentsTest {

    @Test
    void parsesEveryKey() {
        Impairments imp = Impairments.parse("delay=10ms, jitter=2ms, jitterdist=normal, loss=5%,"
                + "gilbert=1%/25%/90%/0.5%, reorder=1%, reorderdelay=30ms, duplicate=1%, corrupt=0.1%,"
                + "corruptbits=3, rate=10mbit, queue=100, queuebytes=150000, ce=2%, cethreshold=20, relose=1,"
                + "tail=2/64000");

        assertThat(imp.delayNs()).isEqualTo(10_000_000L);
        assertThat(imp.jitterNs()).isEqualTo(2_000_000L);
        assertThat(imp.jitterDistribution()).isEqualTo(JitterDistribution.NORMAL);
        assertThat(imp.lossProbability()).isEqualTo(0.05);
        assertThat(imp.gilbertElliott()).isEqualTo(new GilbertElliott(0.01, 0.25, 0.9, 0.005));
        assertThat(imp.reorderProbability()).isEqualTo(0.01);
        assertThat(imp.reorderDelayNs()).isEqualTo(30_000_000L);
        assertThat(imp.duplicateProbability()).isEqualTo(0.01);
        assertThat(imp.corruptProbability()).isEqualTo(0.001);
        assertThat(imp.corruptBits()).isEqualTo(3);
        assertThat(imp.rateBitsPerSec()).isEqualTo(10_000_000L);
        assertThat(imp.queueLimitPackets()).isEqualTo(100);
        assertThat(imp.queueLimitBytes()).isEqualTo(150_000);
        assertThat(imp.ceProbability()).isEqualTo(0.02);
        assertThat(imp.ceThresholdPackets()).isEqualTo(20);
        assertThat(imp.reloseCount()).isEqualTo(1);
        assertThat(imp.tailSegments()).isEqualTo(2);
        assertThat(imp.tailPeriodBytes()).isEqualTo(64_000);
        assertThat(imp.hasTcpRules()).isTrue();
    }

    @Test
    void writesOnlyWhatDiffersFromTheDefaultsInCanonicalOrder() {
        assertThat(Impairments.NONE).hasToString("none");
        assertThat(Impairments.parse("")).isEqualTo(Impairments.NONE);
        assertThat(Impairments.parse("none")).isEqualTo(Impairments.NONE);
        assertThat(Impairments.parse("loss=0.05,delay=1500us,rate=2.5mbit,queue=10"))
                .hasToString("delay=1500us,loss=5%,rate=2500kbit,queue=10");
    }

    @Test
    void acceptsPercentagesAndFractionsAlike() {
        assertThat(Impairments.parse("loss=12.5%")).isEqualTo(Impairments.parse("loss=0.125"));
    }

    @Test
    void gilbertShortFormLosesEverythingInBadAndNothingInGood() {
        assertThat(Impairments.parse("gilbert=1%/25%").gilbertElliott())
                .isEqualTo(new GilbertElliott(0.01, 0.25, 1, 0));
    }

    @Test
    void reorderDelayDefaultsToTwiceTheDelayButAtLeastOneMillisecond() {
        assertThat(Impairments.parse("delay=10ms,reorder=1%").reorderDelayNs()).isEqualTo(20_000_000L);
        assertThat(Impairments.parse("delay=100us,reorder=1%").reorderDelayNs()).isEqualTo(1_000_000L);
        assertThat(Impairments.parse("delay=10ms,reorder=1%,reorderdelay=20ms"))
                .hasToString("delay=10ms,reorder=1%");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "delay=10ms,jitter=2ms,loss=5%,reorder=1%,duplicate=1%,corrupt=0.1%,rate=10mbit,queue=100",
        "jitter=7ns,jitterdist=normal,gilbert=0.1%/33.3%/100%/0%,corruptbits=8",
        "delay=1s,reorderdelay=0ns,rate=1bit,queuebytes=1",
        "loss=100%,reorder=99.99%,reorderdelay=3us,duplicate=0.0000001%",
        "rate=100mbit,queue=50,ce=0.5%,cethreshold=10",
        "delay=5ms,loss=1%,relose=2,tail=2/65160",
    })
    void specRoundTripsThroughToString(String spec) {
        Impairments imp = Impairments.parse(spec);

        assertThat(imp).hasToString(spec);
        assertThat(Impairments.parse(imp.toString())).isEqualTo(imp);
    }

    @Test
    void randomImpairmentsRoundTripExactly() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            boolean rated = random.nextBoolean();
            Impairments imp = Impairments.builder()
                    .delayNs(random.nextLong(0, 10_000_000_000L))
                    .jitterNs(random.nextBoolean() ? 0 : random.nextLong(1, 1_000_000_000L))
                    .jitterDistribution(random.nextBoolean() ? JitterDistribution.UNIFORM : JitterDistribution.NORMAL)
                    .lossProbability(random.nextDouble())
                    .gilbertElliott(new GilbertElliott(random.nextDouble(), random.nextDouble(), random.nextDouble(),
                            random.nextDouble()))
                    .reorderProbability(random.nextDouble())
                    .reorderDelayNs(random.nextLong(0, 1_000_000_000L))
                    .duplicateProbability(random.nextDouble())
                    .corruptProbability(random.nextDouble() / 1e6)
                    .corruptBits(random.nextInt(1, 9))
                    .rateBitsPerSec(rated ? random.nextLong(1, 100_000_000_000L) : 0)
                    .queueLimitPackets(rated ? random.nextLong(1, 10_000) : Impairments.UNLIMITED)
                    .queueLimitBytes(rated ? random.nextLong(1, 10_000_000) : Impairments.UNLIMITED)
                    .build();

            assertThat(Impairments.parse(imp.toString())).as(imp.toString()).isEqualTo(imp);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "lose=5%                 | unknown impairment 'lose' in 'lose=5%'; known: delay, jitter,",
        "loss                    | expected key=value but got 'loss'",
        "loss=5%,loss=6%         | impairment 'loss' given twice",
        "loss=5x                 | bad value '5x' for loss: expected a probability like 5% or 0.05",
        "loss=150%               | loss=150% is not a probability between 0% and 100%",
        "delay=10                | delay=10 has no unit; expected a duration like 10ms",
        "delay=-1ms              | delay=-1ms must not be negative",
        "jitter=0.5ns            | jitter=0.5ns is too large or finer than the smallest unit",
        "delay=tenms             | bad value 'tenms' for delay: expected a duration like 10ms",
        "rate=10mbps             | rate=10mbps has no unit; expected a rate like 10mbit",
        "queue=0,rate=1mbit      | queue=0 must be a whole number of at least 1",
        "corruptbits=9           | corruptbits=9 must be a whole number from 1 to 8",
        "jitterdist=pareto       | jitterdist=pareto must be uniform or normal",
        "gilbert=1%              | gilbert=1% needs 2 to 4 probabilities",
        "queue=10                | queue limits need a rate",
        "cethreshold=5           | cethreshold needs a rate",
        "ce=101%                 | ce=101% is not a probability",
        "relose=-1               | relose=-1 must be a whole number",
        "tail=2                  | tail=2 needs SEGMENTS/PERIOD",
        "tail=2/0                | tail=0 must be a whole number of at least 1",
    })
    void rejectsBadSpecsNamingTheKeyAndValue(String spec, String message) {
        assertThatThrownBy(() -> Impairments.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message.strip());
    }

    @Test
    void builderRejectsOutOfRangeValues() {
        assertThatThrownBy(() -> Impairments.builder().delayNs(-1).build())
                .hasMessage("delay must not be negative, got -1");
        assertThatThrownBy(() -> Impairments.builder().lossProbability(Double.NaN).build())
                .hasMessage("loss must be a probability in [0, 1], got NaN");
        assertThatThrownBy(() -> new GilbertElliott(0.1, 1.5, 1, 0))
                .hasMessage("gilbert P(bad→good) must be a probability in [0, 1], got 1.5");
    }
}
