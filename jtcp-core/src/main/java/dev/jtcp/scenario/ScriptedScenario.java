package dev.jtcp.scenario;

import java.util.function.Function;

/** A {@link Scenario} whose run is a script. Immutable. */
record ScriptedScenario(String name, String summary, Function<ScenarioOptions, ScenarioRun> script)
        implements Scenario {
    @Override
    public ScenarioRun run(ScenarioOptions options) {
        return script.apply(options);
    }
}
