/**
 * The stories {@code jtcp demo} tells, reusable by tests and tools: each {@link
 * dev.jtcp.scenario.Scenario} runs two machines on the simulated network with a scripted path
 * between them (it can lose, hold, mark or inject chosen packets), traces everything, and returns a
 * {@link dev.jtcp.scenario.ScenarioRun} with the events, the ladder, the packets and the narration.
 *
 * <p>Read first: {@link dev.jtcp.scenario.Scenarios} (the list), {@code Stage} (the set every story
 * plays on) and {@code ScriptedPath}; then one family, such as {@code OpenScenarios}.
 *
 * <p>Uses {@code sim} (hosts on the simulator) and {@code trace} (ladders and narration), and through
 * them the stack, the engine and the simulated network.
 *
 * <p>Thread-safety: the scenario classes are stateless and may be shared; one run happens on the
 * calling thread, on virtual time, and is the same for the same seed.
 */
package dev.jtcp.scenario;
