package dev.jtcp.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Every scenario, in the order {@code jtcp demo --list} shows them: opening, closing, failures,
 * congestion, then attacks.
 *
 * <p>Thread-safe: immutable.
 */
public final class Scenarios {
    private static final List<Scenario> ALL;

    static {
        List<Scenario> all = new ArrayList<>();
        all.addAll(OpenScenarios.all());
        all.addAll(FastOpenScenarios.all());
        all.addAll(CloseScenarios.all());
        all.addAll(AnomalyScenarios.all());
        all.addAll(CongestionScenarios.all());
        all.addAll(AttackScenarios.all());
        ALL = Collections.unmodifiableList(all);
    }

    private Scenarios() {}

    public static List<Scenario> all() {
        return ALL;
    }

    /** The scenario called {@code name}, if any. */
    public static Optional<Scenario> find(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** What {@code jtcp demo} shows without an argument: handshake, data each way, four-way close. */
    public static Scenario standard() {
        return find("basic").orElseThrow();
    }
}
