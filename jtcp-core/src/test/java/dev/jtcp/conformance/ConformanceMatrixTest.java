package dev.jtcp.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.RequirementListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Builds {@code docs/conformance.md} from {@code conformance/rfc9293-appendix-b.tsv} (each
 * requirement's status, kept by hand) and the {@code @Requirement} annotations of the tests that
 * passed in this run, and enforces the rule that makes the matrix trustworthy: a requirement marked
 * "met" has at least one passing test. Runs after every other test class of the module.
 *
 * <p>The committed document must equal the generated one; after changing tests or statuses run
 * {@code ./mvnw -pl jtcp-core test -Djtcp.conformance.write=true} and commit the result.
 */
@Order(Integer.MAX_VALUE)
class ConformanceMatrixTest {
    private static final Path REGISTRY = Path.of("..", "conformance", "rfc9293-appendix-b.tsv");
    /** Requirements of other RFCs (loss recovery, congestion control), rendered after RFC 9293's. */
    private static final Path BEYOND = Path.of("..", "conformance", "beyond-rfc9293.tsv");
    private static final Path DOC = Path.of("..", "docs", "conformance.md");
    private static final Set<String> STATUSES =
            Set.of("met", "unproven", "partly", "deviates", "not-implemented", "not-applicable");

    record Row(String id, String level, String group, String feature, String status, String note) {}

    static List<Row> registry() throws IOException {
        return registry(REGISTRY);
    }

    static List<Row> registry(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            rows.add(new Row(f[0], f[1], f[2], f[3], f[4], f.length > 5 ? f[5] : ""));
        }
        return rows;
    }

    @Test
    void everyRequirementMarkedMetHasAPassingTestAndTheDocumentIsCurrent() throws IOException {
        Assumptions.assumeTrue(RequirementListener.classesRun() >= 20,
                "the conformance matrix is checked only in a full test run (mvn verify), not for a single test");
        List<Row> rows = registry();
        List<Row> beyond = registry(BEYOND);
        Map<String, Set<String>> passed = RequirementListener.passed();
        Set<String> known = new TreeSet<>();
        List<Row> all = new ArrayList<>(rows);
        all.addAll(beyond);
        for (Row r : all) {
            known.add(r.id());
            assertThat(STATUSES).as("status of %s", r.id()).contains(r.status());
        }
        assertThat(known).as("requirement IDs used by tests must exist in Appendix B or " + BEYOND)
                .containsAll(passed.keySet());
        List<String> unproven = new ArrayList<>();
        List<String> proven = new ArrayList<>();
        for (Row r : all) {
            if (r.status().equals("met") && !passed.containsKey(r.id())) {
                unproven.add(r.id() + " (" + r.feature() + ")");
            }
            if (r.status().equals("unproven") && passed.containsKey(r.id())) {
                proven.add(r.id());
            }
        }
        assertThat(RequirementListener.failed()).as("requirement tests that failed").isEmpty();
        assertThat(unproven).as("requirements marked met without a passing test").isEmpty();
        assertThat(proven).as("requirements marked unproven that now have passing tests: mark them met in "
                + REGISTRY).isEmpty();

        String doc = render(rows, passed) + renderBeyond(beyond, passed);
        if (Boolean.getBoolean("jtcp.conformance.write")) {
            Files.createDirectories(DOC.getParent());
            Files.writeString(DOC, doc, StandardCharsets.UTF_8);
        }
        String committed = Files.exists(DOC) ? Files.readString(DOC, StandardCharsets.UTF_8) : "";
        assertThat(committed).as("docs/conformance.md is out of date: run "
                + "./mvnw -pl jtcp-core test -Djtcp.conformance.write=true and commit it").isEqualTo(doc);
    }

    /** The rows of other RFCs: one table, grouped by RFC. */
    static String renderBeyond(List<Row> rows, Map<String, Set<String>> passed) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n# Beyond RFC 9293: loss recovery and congestion control\n\n");
        sb.append("Requirements of the RFCs jtcp implements besides RFC 9293, from `conformance/beyond-rfc9293.tsv`,\n");
        sb.append("with the same rule (*met* needs a passing test or script). Level: the RFC's status (PS: Proposed\n");
        sb.append("Standard, EXP: Experimental). The scripts are in `conformance/scripts/recovery/`.\n\n");
        sb.append("| ID | Level | RFC | Feature | Status | Evidence | Note |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.id()).append(" | ").append(r.level()).append(" | ").append(r.group()).append(" | ")
                    .append(r.feature()).append(" | ").append(r.status()).append(" | ")
                    .append(evidence(passed.getOrDefault(r.id(), Set.of()))).append(" | ")
                    .append(r.note().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    private static String evidence(Set<String> tests) {
        List<String> shown = new ArrayList<>();
        for (String t : tests) {
            if (shown.size() == 4) {
                shown.add("+" + (tests.size() - 4) + " more");
                break;
            }
            shown.add("`" + t + "`");
        }
        return String.join("<br>", shown);
    }

    static String render(List<Row> rows, Map<String, Set<String>> passed) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String s : List.of("met", "unproven", "partly", "deviates", "not-implemented", "not-applicable")) {
            counts.put(s, 0);
        }
        rows.forEach(r -> counts.merge(r.status(), 1, Integer::sum));
        StringBuilder sb = new StringBuilder();
        sb.append("# RFC 9293 conformance\n\n");
        sb.append("Every requirement of RFC 9293 Appendix B (one row per line of its table), jtcp's status, and the\n");
        sb.append("tests that prove it. Generated by `ConformanceMatrixTest` from `conformance/rfc9293-appendix-b.tsv`\n");
        sb.append("and the `@Requirement` annotations of tests that passed; a requirement marked *met* without a\n");
        sb.append("passing test fails the build. Do not edit by hand: run\n");
        sb.append("`./mvnw -pl jtcp-core test -Djtcp.conformance.write=true`.\n\n");
        sb.append("Other stacks' public suites (google/packetdrill, nplab/packetdrill), run unchanged against jtcp and\n");
        sb.append("the Linux kernel in one command, with the figures and the jtcp defects they found:\n");
        sb.append("[public-suites.md](public-suites.md).\n\n");
        sb.append("After the RFC 9293 table: [loss recovery and congestion control](#beyond-rfc-9293-loss-recovery-and-congestion-control)\n");
        sb.append("(RFC 8985 RACK-TLP, RFC 6937 PRR, RFC 9438 CUBIC, RFC 9406 HyStart++, RFC 5682 F-RTO, RFC 2883 D-SACK).\n\n");
        sb.append("**").append(rows.size()).append(" rows:** ");
        List<String> parts = new ArrayList<>();
        counts.forEach((k, v) -> parts.add(v + " " + k));
        sb.append(String.join(", ", parts)).append(".\n\n");
        String group = null;
        for (Row r : rows) {
            if (!r.group().equals(group)) {
                group = r.group();
                sb.append("\n## ").append(group).append("\n\n");
                sb.append("| ID | Level | Feature | Status | Evidence | Note |\n");
                sb.append("|---|---|---|---|---|---|\n");
            }
            Set<String> tests = passed.getOrDefault(r.id(), Set.of());
            List<String> shown = new ArrayList<>();
            for (String t : tests) {
                if (shown.size() == 4) {
                    shown.add("+" + (tests.size() - 4) + " more");
                    break;
                }
                shown.add("`" + t + "`");
            }
            sb.append("| ").append(r.id()).append(" | ").append(r.level()).append(" | ").append(r.feature())
                    .append(" | ").append(r.status()).append(" | ").append(String.join("<br>", shown)).append(" | ")
                    .append(r.note().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }
}
