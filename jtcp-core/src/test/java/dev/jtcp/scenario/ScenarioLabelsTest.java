package dev.jtcp.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.trace.HtmlLadder;
import dev.jtcp.trace.Ladder;
import dev.jtcp.trace.SvgLadder;
import dev.jtcp.trace.TextBox;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every scenario's SVG ladder (the HTML page embeds the same drawing) keeps its texts apart: no two
 * labels, options, notes, timer labels or state boxes overlap, by the boxes the renderer computes from
 * each text's position, rotation and estimated glyph widths.
 */
class ScenarioLabelsTest {
    static Stream<String> scenarios() {
        return Scenarios.all().stream().map(Scenario::name);
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void noTwoTextsOverlap(String name) {
        ScenarioRun run = Scenarios.find(name).orElseThrow().run(ScenarioOptions.defaults());
        for (ScenarioRun.Part part : run.parts()) {
            assertThat(overlaps(part.ladder())).as("%s: %s", name, part.heading()).isEmpty();
        }
    }

    @Test
    void crossingSynsOfSimultaneousOpenAreLabelledApart() {
        ScenarioRun run = Scenarios.find("simultaneous-open").orElseThrow().run(ScenarioOptions.defaults());
        List<TextBox> boxes = SvgLadder.textBoxes(run.parts().getFirst().ladder());
        List<TextBox> synAcks = boxes.stream().filter(b -> b.text().startsWith("SYN,ACK")).toList();
        assertThat(synAcks).hasSize(2);
        assertThat(synAcks.get(0).intersects(synAcks.get(1))).isFalse();
        // The figure's two SYN,ACKs cross at the same moment: their labels no longer share a centre.
        assertThat(Math.abs(synAcks.get(0).cy() - synAcks.get(1).cy())
                + Math.abs(synAcks.get(0).cx() - synAcks.get(1).cx())).isGreaterThan(20);
    }

    @Test
    void htmlPageDrawsTheSameTextsWhereTheSvgDoes() {
        for (String name : List.of("simultaneous-open", "old-duplicate-syn")) {
            ScenarioRun run = Scenarios.find(name).orElseThrow().run(ScenarioOptions.defaults());
            Ladder ladder = run.parts().getFirst().ladder();
            String html = HtmlLadder.page(name, List.of(new HtmlLadder.Section("s", "", ladder, List.of())));
            List<String> svgTexts = texts(SvgLadder.render(ladder));
            assertThat(svgTexts).hasSizeGreaterThan(10);
            assertThat(texts(html)).as(name).containsAll(svgTexts);
        }
    }

    /** Every {@code <text ...>label</text>} element, as written. */
    private static List<String> texts(String markup) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<text [^>]*>[^<]*</text>").matcher(markup);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void boxesThatShareSpaceIntersect() {
        Ladder empty = new Ladder("", List.of(), List.of(), List.of());
        assertThat(SvgLadder.textBoxes(empty)).isEmpty();
        TextBox flat = new TextBox(100, 100, 50, 8, 0, "a");
        TextBox tilted = new TextBox(100, 110, 50, 8, Math.toRadians(20), "b");
        TextBox far = new TextBox(100, 140, 50, 8, Math.toRadians(20), "c");
        assertThat(flat.intersects(tilted)).isTrue();
        assertThat(tilted.intersects(flat)).isTrue();
        assertThat(flat.intersects(far)).isFalse();
    }

    static List<String> overlaps(Ladder ladder) {
        List<TextBox> boxes = SvgLadder.textBoxes(ladder);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) {
                if (boxes.get(i).intersects(boxes.get(j))) {
                    out.add(boxes.get(i) + " overlaps " + boxes.get(j));
                }
            }
        }
        return out;
    }
}
