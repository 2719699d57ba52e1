package dev.jtcp.scenario;

/**
 * How to run a scenario.
 *
 * @param seed            seeds every random choice (ISNs, ports, losses): the same seed gives the same run
 * @param lossProbability random loss on the client's link, each way, on top of the scenario's own script
 * @param rttNs           round-trip time of the path
 * @param mss             caps the segment size (88 to 1460); 0 keeps the default (1460 on a 1500-byte MTU)
 * @param relative        relative sequence numbers in diagrams (like Wireshark), else absolute
 */
public record ScenarioOptions(long seed, double lossProbability, long rttNs, int mss, boolean relative) {
    public ScenarioOptions {
        if (lossProbability < 0 || lossProbability >= 1) {
            throw new IllegalArgumentException("loss must be at least 0 and below 1, got " + lossProbability);
        }
        if (rttNs < 4_000) {
            throw new IllegalArgumentException("RTT must be at least 4 us, got " + rttNs + " ns");
        }
        if (mss != 0 && (mss < 88 || mss > 1460)) {
            throw new IllegalArgumentException("MSS must be between 88 and 1460, got " + mss);
        }
    }

    /** Seed 1, no loss, 20 ms round trip, default MSS, relative numbers. */
    public static ScenarioOptions defaults() {
        return new ScenarioOptions(1, 0, 20_000_000L, 0, true);
    }

    public ScenarioOptions withSeed(long seed) {
        return new ScenarioOptions(seed, lossProbability, rttNs, mss, relative);
    }

    public ScenarioOptions withLoss(double p) {
        return new ScenarioOptions(seed, p, rttNs, mss, relative);
    }

    public ScenarioOptions withRttNs(long ns) {
        return new ScenarioOptions(seed, lossProbability, ns, mss, relative);
    }

    public ScenarioOptions withMss(int bytes) {
        return new ScenarioOptions(seed, lossProbability, rttNs, bytes, relative);
    }

    public ScenarioOptions withRelative(boolean on) {
        return new ScenarioOptions(seed, lossProbability, rttNs, mss, on);
    }
}
