package dev.jtcp.scenario;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.trace.Ladder;
import java.util.List;

/**
 * What a scenario produced: one or more parts (a scenario may run twice to compare, or set a real run
 * beside a hypothetical model), each with its trace, its diagram and its captured packets.
 *
 * @param name  the scenario's name
 * @param title a one-line heading
 * @param parts in the order to show them
 */
public record ScenarioRun(String name, String title, List<Part> parts) {
    public ScenarioRun {
        parts = List.copyOf(parts);
    }

    /**
     * One run (or model) within a scenario.
     *
     * @param heading      what this part shows
     * @param intro        a short paragraph setting the scene
     * @param events       every event traced, in order (the diagram may show fewer)
     * @param ladder       the diagram, with explanations attached
     * @param frames       every packet put on the wire, in order; empty for a hypothetical model
     * @param facts        results worth stating, one per line ("SYN queue peak: 64")
     * @param hypothetical true if this is not jtcp running but a model of something TCP does not do
     */
    public record Part(String heading, String intro, List<TraceEvent> events, Ladder ladder, List<Frame> frames,
                       List<String> facts, boolean hypothetical) {
        public Part {
            events = List.copyOf(events);
            frames = List.copyOf(frames);
            facts = List.copyOf(facts);
        }
    }

    /** Every event of every part, in order. */
    public List<TraceEvent> events() {
        return parts.stream().flatMap(p -> p.events().stream()).toList();
    }
}
