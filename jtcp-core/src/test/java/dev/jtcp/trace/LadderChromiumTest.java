package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.scenario.ScenarioOptions;
import dev.jtcp.scenario.ScenarioRun;
import dev.jtcp.scenario.Scenarios;
import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SVG and HTML ladders in a real browser: headless Chromium must load them without errors, and
 * the HTML page's self-test (run when its URL ends in {@code #selftest}) must find that stepping
 * moves the highlight from one segment to the next and back. Skipped without Chromium, except on CI.
 */
@NeedsTools("chromium")
class LadderChromiumTest {
    @TempDir
    Path directory;

    private ExternalTools.Result dumpDom(Path file, String fragment) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + directory.resolve("profile"), "--dump-dom",
                file.toUri() + fragment));
        return ExternalTools.run(Duration.ofSeconds(90), command).requireSuccess();
    }

    private static List<HtmlLadder.Section> sections(String scenario) {
        ScenarioRun run = Scenarios.find(scenario).orElseThrow().run(ScenarioOptions.defaults());
        return run.parts().stream().map(p -> new HtmlLadder.Section(p.heading(), p.intro(), p.ladder(), p.facts()))
                .toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic", "old-duplicate-syn", "syn-flood"})
    void htmlPageLoadsWithoutErrorsAndSteppingMovesTheHighlight(String scenario) throws Exception {
        Path page = directory.resolve(scenario + ".html");
        Files.writeString(page, HtmlLadder.page(scenario, sections(scenario)), StandardCharsets.UTF_8);

        String dom = dumpDom(page, "#selftest").stdout();

        assertThat(dom).contains("selftest: PASS");
        assertThat(dom).contains("<pre id=\"errors\" hidden=\"\"></pre>");
        assertThat(dom).containsPattern("first=s0-i\\d+ second=s0-i\\d+ back=s0-i\\d+");
    }

    @Test
    void pageNeedsNothingFromTheNetwork() {
        String html = HtmlLadder.page("basic", sections("basic"));
        assertThat(html).doesNotContain("https://", "src=", "<link", "@import", "url(http");
        assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http://");
    }

    @Test
    void svgIsWellFormedAndChromiumRendersIt() throws Exception {
        ScenarioRun run = Scenarios.find("lost-final-ack").orElseThrow().run(ScenarioOptions.defaults());
        String svg = SvgLadder.document(run.parts().stream().map(ScenarioRun.Part::ladder).toList());
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        Path file = directory.resolve("ladder.svg");
        Files.writeString(file, svg, StandardCharsets.UTF_8);

        String dom = dumpDom(file, "").stdout();

        assertThat(dom).contains("<svg").contains("FIN,ACK").doesNotContain("This page contains the following errors");
    }
}
