package dev.jtcp.link.impair;

import dev.jtcp.link.impair.Impairments.GilbertElliott;
import dev.jtcp.link.impair.Impairments.JitterDistribution;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Reads and writes the spec form of {@link Impairments} ({@code loss=5%,delay=10ms,...}; the syntax
 * is in the {@link Impairments} class comment). Numbers go through {@link BigDecimal}, so
 * {@code parse(format(x))} equals {@code x} for every value: a probability is written as the
 * shortest decimal that reads back as the same double.
 *
 * <p>Thread-safety: stateless.
 */
final class ImpairmentSpec {

    private static final List<String> KEYS = List.of("delay", "jitter", "jitterdist", "loss", "gilbert",
            "reorder", "reorderdelay", "duplicate", "corrupt", "corruptbits", "rate", "queue", "queuebytes",
            "ce", "cethreshold", "relose", "tail");
    /** Duration units, longer suffixes first so that "ms" is not read as "s"; the base unit last. */
    private static final String[] TIME_UNITS = {"ms", "us", "ns", "s"};
    private static final long[] TIME_UNIT_NS = {1_000_000L, 1_000L, 1L, 1_000_000_000L};
    /** Rate units, longer suffixes first; per second. */
    private static final String[] RATE_UNITS = {"gbit", "mbit", "kbit", "bit"};
    private static final long[] RATE_UNIT_BITS = {1_000_000_000L, 1_000_000L, 1_000L, 1L};

    private ImpairmentSpec() {
    }

    static Impairments parse(String spec) {
        String text = spec.strip().toLowerCase(Locale.ROOT);
        Impairments.Builder builder = Impairments.builder();
        if (text.isEmpty() || text.equals("none")) {
            return builder.build();
        }
        Set<String> seen = new HashSet<>();
        for (String item : text.split(",", -1)) {
            int eq = item.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(
                        "expected key=value but got '" + item.strip() + "' in '" + spec + "'");
            }
            String key = item.substring(0, eq).strip();
            String value = item.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown impairment '" + key + "' in '" + spec + "'; known: "
                        + String.join(", ", KEYS));
            }
            if (!seen.add(key)) {
                throw new IllegalArgumentException("impairment '" + key + "' given twice in '" + spec + "'");
            }
            apply(builder, key, value);
        }
        return builder.build();
    }

    private static void apply(Impairments.Builder b, String key, String value) {
        switch (key) {
            case "delay" -> b.delayNs(duration(key, value));
            case "jitter" -> b.jitterNs(duration(key, value));
            case "jitterdist" -> b.jitterDistribution(distribution(value));
            case "loss" -> b.lossProbability(probability(key, value));
            case "gilbert" -> b.gilbertElliott(gilbert(value));
            case "reorder" -> b.reorderProbability(probability(key, value));
            case "reorderdelay" -> b.reorderDelayNs(duration(key, value));
            case "duplicate" -> b.duplicateProbability(probability(key, value));
            case "corrupt" -> b.corruptProbability(probability(key, value));
            case "corruptbits" -> b.corruptBits((int) count(key, value, 8));
            case "rate" -> b.rateBitsPerSec(rate(value));
            case "queue" -> b.queueLimitPackets(count(key, value, Long.MAX_VALUE));
            case "queuebytes" -> b.queueLimitBytes(count(key, value, Long.MAX_VALUE));
            case "ce" -> b.ceProbability(probability(key, value));
            case "cethreshold" -> b.ceThresholdPackets(count(key, value, Long.MAX_VALUE));
            case "relose" -> b.reloseCount((int) count(key, value, Integer.MAX_VALUE));
            case "tail" -> tail(b, value);
            default -> throw new IllegalStateException("key in KEYS without a case: " + key);
        }
    }

    static String format(Impairments imp) {
        StringJoiner out = new StringJoiner(",");
        if (imp.delayNs() != 0) {
            out.add("delay=" + formatDuration(imp.delayNs()));
        }
        if (imp.jitterNs() != 0) {
            out.add("jitter=" + formatDuration(imp.jitterNs()));
        }
        if (imp.jitterDistribution() != JitterDistribution.UNIFORM) {
            out.add("jitterdist=" + imp.jitterDistribution().name().toLowerCase(Locale.ROOT));
        }
        if (imp.lossProbability() != 0) {
            out.add("loss=" + formatProbability(imp.lossProbability()));
        }
        GilbertElliott ge = imp.gilbertElliott();
        if (!ge.equals(GilbertElliott.OFF)) {
            out.add("gilbert=" + formatProbability(ge.goodToBad()) + "/" + formatProbability(ge.badToGood())
                    + "/" + formatProbability(ge.lossInBad()) + "/" + formatProbability(ge.lossInGood()));
        }
        if (imp.reorderProbability() != 0) {
            out.add("reorder=" + formatProbability(imp.reorderProbability()));
        }
        if (imp.reorderDelayNs() != Impairments.defaultReorderDelayNs(imp.delayNs())) {
            out.add("reorderdelay=" + formatDuration(imp.reorderDelayNs()));
        }
        if (imp.duplicateProbability() != 0) {
            out.add("duplicate=" + formatProbability(imp.duplicateProbability()));
        }
        if (imp.corruptProbability() != 0) {
            out.add("corrupt=" + formatProbability(imp.corruptProbability()));
        }
        if (imp.corruptBits() != 1) {
            out.add("corruptbits=" + imp.corruptBits());
        }
        if (imp.rateBitsPerSec() != 0) {
            out.add("rate=" + formatScaled(imp.rateBitsPerSec(), RATE_UNITS, RATE_UNIT_BITS));
        }
        if (imp.queueLimitPackets() != Impairments.UNLIMITED) {
            out.add("queue=" + imp.queueLimitPackets());
        }
        if (imp.queueLimitBytes() != Impairments.UNLIMITED) {
            out.add("queuebytes=" + imp.queueLimitBytes());
        }
        if (imp.ceProbability() != 0) {
            out.add("ce=" + formatProbability(imp.ceProbability()));
        }
        if (imp.ceThresholdPackets() != 0) {
            out.add("cethreshold=" + imp.ceThresholdPackets());
        }
        if (imp.reloseCount() != 0) {
            out.add("relose=" + imp.reloseCount());
        }
        if (imp.tailSegments() != 0) {
            out.add("tail=" + imp.tailSegments() + "/" + imp.tailPeriodBytes());
        }
        return out.length() == 0 ? "none" : out.toString();
    }

    private static double probability(String key, String value) {
        boolean percent = value.endsWith("%");
        BigDecimal p = decimal(key, value, percent ? value.substring(0, value.length() - 1) : value,
                "a probability like 5% or 0.05");
        if (percent) {
            p = p.movePointLeft(2);
        }
        if (p.signum() < 0 || p.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException(key + "=" + value + " is not a probability between 0% and 100%");
        }
        return p.doubleValue();
    }

    private static GilbertElliott gilbert(String value) {
        String[] parts = value.split("/", -1);
        if (parts.length < 2 || parts.length > 4) {
            throw new IllegalArgumentException("gilbert=" + value
                    + " needs 2 to 4 probabilities: P(good→bad)/P(bad→good)[/loss in bad[/loss in good]]");
        }
        double goodToBad = probability("gilbert", parts[0].strip());
        double badToGood = probability("gilbert", parts[1].strip());
        double lossInBad = parts.length > 2 ? probability("gilbert", parts[2].strip()) : 1;
        double lossInGood = parts.length > 3 ? probability("gilbert", parts[3].strip()) : 0;
        return new GilbertElliott(goodToBad, badToGood, lossInBad, lossInGood);
    }

    private static void tail(Impairments.Builder b, String value) {
        String[] parts = value.split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("tail=" + value
                    + " needs SEGMENTS/PERIOD: the last SEGMENTS segments before every PERIOD bytes, e.g. tail=2/64000");
        }
        int segments = (int) count("tail", parts[0].strip(), Integer.MAX_VALUE);
        long period = count("tail", parts[1].strip(), Long.MAX_VALUE);
        b.tail(segments, period);
    }

    private static JitterDistribution distribution(String value) {
        return switch (value) {
            case "uniform" -> JitterDistribution.UNIFORM;
            case "normal" -> JitterDistribution.NORMAL;
            default -> throw new IllegalArgumentException("jitterdist=" + value + " must be uniform or normal");
        };
    }

    private static long duration(String key, String value) {
        return scaled(key, value, TIME_UNITS, TIME_UNIT_NS, "a duration like 10ms (units s, ms, us, ns)");
    }

    private static long rate(String value) {
        return scaled("rate", value, RATE_UNITS, RATE_UNIT_BITS, "a rate like 10mbit (units gbit, mbit, kbit, bit)");
    }

    private static long scaled(String key, String value, String[] units, long[] scales, String expected) {
        for (int i = 0; i < units.length; i++) {
            if (value.endsWith(units[i])) {
                String number = value.substring(0, value.length() - units[i].length());
                BigDecimal scaledValue = decimal(key, value, number, expected).multiply(BigDecimal.valueOf(scales[i]));
                if (scaledValue.signum() < 0) {
                    throw new IllegalArgumentException(key + "=" + value + " must not be negative");
                }
                try {
                    return scaledValue.longValueExact();
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException(key + "=" + value
                            + " is too large or finer than the smallest unit; expected " + expected);
                }
            }
        }
        throw new IllegalArgumentException(key + "=" + value + " has no unit; expected " + expected);
    }

    private static long count(String key, String value, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1 || n > max) {
            throw new IllegalArgumentException(key + "=" + value + " must be a whole number "
                    + (max == Long.MAX_VALUE ? "of at least 1" : "from 1 to " + max));
        }
        return n;
    }

    private static BigDecimal decimal(String key, String value, String number, String expected) {
        try {
            return new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad value '" + value + "' for " + key + ": expected " + expected);
        }
    }

    private static String formatProbability(double p) {
        return new BigDecimal(Double.toString(p)).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }

    private static String formatDuration(long ns) {
        return formatScaled(ns, TIME_UNITS, TIME_UNIT_NS);
    }

    /** Writes {@code value} in the largest unit that divides it exactly (the base unit for 0). */
    private static String formatScaled(long value, String[] units, long[] scales) {
        int best = -1;
        for (int i = 0; i < units.length; i++) {
            boolean divides = value == 0 ? scales[i] == 1 : value % scales[i] == 0;
            if (divides && (best < 0 || scales[i] > scales[best])) {
                best = i;
            }
        }
        return value / scales[best] + units[best];
    }
}
