package dev.jtcp.scenario;

import dev.jtcp.trace.TerminalLadder;

/** Prints scenarios as the terminal would show them; for looking, not testing. */
public final class PreviewMain {
    public static void main(String[] args) {
        for (String name : args) {
            ScenarioRun run = Scenarios.find(name).orElseThrow().run(ScenarioOptions.defaults());
            for (ScenarioRun.Part p : run.parts()) {
                System.out.println(p.intro());
                System.out.print(TerminalLadder.render(p.ladder(), new TerminalLadder.Options(false, 110, true)));
                p.facts().forEach(System.out::println);
            }
        }
    }
}
