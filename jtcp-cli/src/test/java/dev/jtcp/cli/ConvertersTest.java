package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ConvertersTest {
    private final Converters.DurationConverter durations = new Converters.DurationConverter();
    private final Converters.ProbabilityConverter probabilities = new Converters.ProbabilityConverter();

    @Test
    void durationsWithUnitsOrIso() {
        assertThat(durations.convert("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(durations.convert("2min")).isEqualTo(Duration.ofMinutes(2));
        assertThat(durations.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(durations.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(durations.convert("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(durations.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(durations.convert("250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(durations.convert("PT60S")).isEqualTo(Duration.ofSeconds(60));
        assertThat(durations.convert("pt1m")).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void durationsWithoutAUnitOrNegativeAreRefused() {
        for (String bad : new String[] {"60", "abc", "-5s", "5 parsecs", "s", "", "PT-1S", "1ms2"}) {
            assertThatThrownBy(() -> durations.convert(bad)).as(bad).isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("is not a duration");
        }
    }

    @Test
    void probabilitiesAsFractionsOrPercentages() {
        assertThat(probabilities.convert("0.05")).isEqualTo(0.05);
        assertThat(probabilities.convert("5%")).isEqualTo(0.05);
        assertThat(probabilities.convert("100%")).isEqualTo(1.0);
        for (String bad : new String[] {"abc", "1.5", "-1%", "NaN", "%"}) {
            assertThatThrownBy(() -> probabilities.convert(bad)).as(bad).hasMessageContaining("is not a probability");
        }
    }

    @Test
    void portsInRange() {
        assertThat(new Converters.PortConverter().convert("65535")).isEqualTo(65535);
        assertThat(new Converters.LocalPortConverter().convert("0")).isZero();
        assertThatThrownBy(() -> new Converters.PortConverter().convert("0")).hasMessage("'0' is not a port: use 1 to 65535");
        assertThatThrownBy(() -> new Converters.PortConverter().convert("http")).hasMessageContaining("is not a port");
    }
}
