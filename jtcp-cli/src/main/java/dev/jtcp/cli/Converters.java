package dev.jtcp.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values the commands share, each read in one place with a message that says what would
 * have been accepted. {@link Main#commandLine()} registers {@link DurationConverter} for every
 * {@link Duration} option.
 */
final class Converters {
    private Converters() {
    }

    /**
     * A duration: a number and a unit ({@code 500ms}, {@code 60s}, {@code 2min}, {@code 1h}, also
     * combined as {@code 1m30s}), or ISO-8601 ({@code PT60S}). Units as in {@code --impair}: ns, us,
     * ms, s, m or min, h. Never negative.
     */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|min|sec|s|m|h)");

        @Override
        public Duration convert(String value) {
            Duration d = parse(value);
            if (d == null) {
                throw new TypeConversionException("'" + value + "' is not a duration: use e.g. 500ms, 60s, 2min or PT60S");
            }
            return d;
        }

        /** The duration {@code value} spells, or null. */
        static Duration parse(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            if (v.startsWith("p")) {
                try {
                    Duration d = Duration.parse(v.toUpperCase(Locale.ROOT));
                    return d.isNegative() ? null : d;
                } catch (DateTimeParseException e) {
                    return null;
                }
            }
            Matcher m = PART.matcher(v);
            Duration total = Duration.ZERO;
            int at = 0;
            while (at < v.length()) {
                if (!m.find(at) || m.start() != at) {
                    return null;
                }
                double amount = Double.parseDouble(m.group(1));
                long nanosPerUnit = switch (m.group(2)) {
                    case "ns" -> 1L;
                    case "us", "µs" -> 1_000L;
                    case "ms" -> 1_000_000L;
                    case "s", "sec" -> 1_000_000_000L;
                    case "m", "min" -> 60_000_000_000L;
                    default -> 3_600_000_000_000L;
                };
                double nanos = amount * nanosPerUnit;
                if (nanos > Long.MAX_VALUE / 2.0) {
                    return null;
                }
                total = total.plusNanos(Math.round(nanos));
                at = m.end();
                while (at < v.length() && v.charAt(at) == ' ') {
                    at++;
                }
            }
            return at == 0 ? null : total;
        }
    }

    /** A probability: {@code 0.05} or {@code 5%}, between 0 and 1 (0% and 100%). */
    static final class ProbabilityConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.strip();
            boolean percent = v.endsWith("%");
            double p;
            try {
                p = Double.parseDouble(percent ? v.substring(0, v.length() - 1).strip() : v);
            } catch (NumberFormatException e) {
                p = Double.NaN;
            }
            if (percent) {
                p /= 100;
            }
            if (!(p >= 0 && p <= 1)) {
                throw new TypeConversionException("'" + value + "' is not a probability: use e.g. 0.05 or 5% (0 to 100%)");
            }
            return p;
        }
    }

    /** A TCP port, 1 to 65535. */
    static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return port(value, 1);
        }
    }

    /** A local TCP port, 0 (any) to 65535. */
    static final class LocalPortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return port(value, 0);
        }
    }

    private static int port(String value, int min) {
        try {
            int p = Integer.parseInt(value.strip());
            if (p >= min && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TypeConversionException("'" + value + "' is not a port: use " + min + " to 65535");
    }
}
