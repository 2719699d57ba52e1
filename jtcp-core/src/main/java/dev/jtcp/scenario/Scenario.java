package dev.jtcp.scenario;

/**
 * A TCP story told on the simulated network: a script that drives hosts (and, where the story needs
 * it, the network itself), recording every event, and says how to draw and explain them. {@link
 * Scenarios} lists them all.
 *
 * <p>Implementations are stateless; {@link #run} may be called any number of times, and the same
 * options give the same run.
 */
public interface Scenario {
    /** The name on the command line, e.g. {@code simultaneous-open}. */
    String name();

    /** One line for {@code jtcp demo --list}. */
    String summary();

    ScenarioRun run(ScenarioOptions options);
}
