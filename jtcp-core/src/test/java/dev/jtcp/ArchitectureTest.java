package dev.jtcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers hold: no main source file of jtcp-core, jtcp-cli or jtcp-bench refers to a package it
 * may not use, the packages form no cycle, ARCHITECTURE.md's layer table says the same as {@link
 * #USES}, and no two classes share a simple name.
 *
 * <p>What counts as a use: an {@code import} (static or not, single or on demand) and a fully
 * qualified name in code ({@code dev.jtcp.tcp.TcpConnection c = ...}). Comments and string
 * literals do not count, so javadoc may name a package above.
 */
class ArchitectureTest {

    /**
     * The rule, written once: each package (below {@code dev.jtcp}) and the packages it uses
     * directly. A package may refer to those and, through them, to whatever they may use; to
     * nothing else. Bottom layer first.
     */
    static final Map<String, List<String>> USES = table(
            "wire", "",
            "pcap", "",
            "event", "wire",
            "link.impair", "wire",
            "tcp", "event",
            "link", "link.impair, pcap",
            "trace", "event, pcap",
            "stack", "tcp, link",
            "link.sim", "link, event",
            "link.tun", "link",
            "api", "stack, link.tun",
            "sim", "stack, link.sim",
            "script", "stack, trace",
            "scenario", "sim, trace",
            "forward", "api",
            "cli", "api, forward, scenario, script",
            "bench", "api, scenario, script");

    /** The main source roots of the three modules (tests run in jtcp-core's directory). */
    static final List<Path> SOURCE_ROOTS = List.of(
            Path.of("src", "main", "java"),
            Path.of("..", "jtcp-cli", "src", "main", "java"),
            Path.of("..", "jtcp-bench", "src", "main", "java"));

    static final Path ARCHITECTURE_MD = Path.of("..", "ARCHITECTURE.md");

    private static final String ROOT = "dev.jtcp.";
    /** A reference to a type ({@code dev.jtcp.a.b.Type}) or a whole package ({@code dev.jtcp.a.b.*}). */
    private static final Pattern REFERENCE =
            Pattern.compile("\\bdev\\.jtcp\\.((?:[a-z][a-z0-9_]*\\.)*[a-z][a-z0-9_]*)\\s*\\.\\s*(?:[A-Z]|\\*)");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+dev\\.jtcp\\.([a-z0-9_.]+)\\s*;", Pattern.MULTILINE);

    @Test
    void everyPackageHasARowInTheTable() {
        Set<String> found = new TreeSet<>();
        for (SourceFile f : sources()) {
            found.add(f.pkg());
        }
        assertThat(found).as("packages in the sources; a new one needs a row in USES and in ARCHITECTURE.md")
                .containsExactlyInAnyOrderElementsOf(USES.keySet());
    }

    @Test
    void theTableHasNoCycleAndNamesOnlyItsOwnRows() {
        for (var row : USES.entrySet()) {
            assertThat(USES.keySet()).as("what %s uses", row.getKey()).containsAll(row.getValue());
        }
        assertThat(cycle(USES)).as("a cycle in the table").isEmpty();
    }

    @Test
    void noSourceFileRefersToAPackageItMayNotUse() {
        Map<String, Set<String>> mayUse = closure(USES);
        List<String> violations = new ArrayList<>();
        for (SourceFile f : sources()) {
            for (Reference r : references(f.text())) {
                if (!r.pkg().equals(f.pkg()) && !mayUse.getOrDefault(f.pkg(), Set.of()).contains(r.pkg())) {
                    violations.add(f.path() + ": " + f.pkg() + " -> " + r.pkg() + " (" + r.text() + ")");
                }
            }
        }
        assertThat(violations).as("references running up or across the layers (see USES)").isEmpty();
    }

    @Test
    void thePackagesFormNoCycle() {
        Map<String, List<String>> graph = new TreeMap<>();
        for (SourceFile f : sources()) {
            Set<String> to = new TreeSet<>(graph.getOrDefault(f.pkg(), List.of()));
            for (Reference r : references(f.text())) {
                if (!r.pkg().equals(f.pkg())) {
                    to.add(r.pkg());
                }
            }
            graph.put(f.pkg(), List.copyOf(to));
        }
        assertThat(cycle(graph)).as("a cycle among the packages' references").isEmpty();
    }

    @Test
    void architectureMdHasTheSameLayers() throws IOException {
        Map<String, List<String>> drawn = new LinkedHashMap<>();
        Map<String, Integer> drawnLayer = new HashMap<>();
        for (String line : layerTable(Files.readString(ARCHITECTURE_MD))) {
            String[] cells = line.trim().split("\\s{2,}");
            String uses = cells.length < 3 || cells[2].equals("-") ? "" : cells[2];
            drawn.put(cells[1], split(uses));
            drawnLayer.put(cells[1], Integer.parseInt(cells[0]));
        }
        assertThat(drawn).as("ARCHITECTURE.md's layer table").isEqualTo(USES);
        for (String pkg : USES.keySet()) {
            int expected = USES.get(pkg).stream().mapToInt(u -> drawnLayer.get(u) + 1).max().orElse(0);
            assertThat(drawnLayer.get(pkg)).as("layer of %s (one above the highest it uses)", pkg).isEqualTo(expected);
        }
    }

    /** So that no file needs a fully qualified name, and a name says which class it is (STYLE.md). */
    @Test
    void noTwoMainClassesShareASimpleName() {
        Map<String, List<String>> byName = new TreeMap<>();
        for (SourceFile f : sources()) {
            String name = f.path().getFileName().toString().replace(".java", "");
            if (!name.equals("package-info")) {
                byName.computeIfAbsent(name, k -> new ArrayList<>()).add(f.pkg());
            }
        }
        byName.values().removeIf(pkgs -> pkgs.size() == 1);
        assertThat(byName).as("simple names used in more than one package").isEmpty();
    }

    // ---- the checker checks ----

    @Test
    void findsImportsAndQualifiedNamesButNotCommentsOrStrings() {
        String text = """
                package dev.jtcp.wire;

                import dev.jtcp.tcp.TcpConnection;
                import static dev.jtcp.event.TcpState.CLOSED;
                import dev.jtcp.link.impair.*;

                /** Used by {@link dev.jtcp.api.TcpSocket}. */
                final class X {
                    // dev.jtcp.stack.Host in a comment
                    String s = "dev.jtcp.script.Script";
                    dev.jtcp.link.sim.SimPort port;
                    Object o = dev.jtcp.pcap . PcapWriter.class;
                }
                """;
        assertThat(references(text)).extracting(Reference::pkg)
                .containsExactly("tcp", "event", "link.impair", "link.sim", "pcap");
    }

    @Test
    void findsACycle() {
        Map<String, List<String>> graph = new TreeMap<>(Map.of("a", List.of("b"), "b", List.of("c"), "c", List.of("a")));
        assertThat(cycle(graph)).containsExactly("a", "b", "c", "a");
        assertThat(cycle(Map.of("a", List.of("b"), "b", List.of()))).isEmpty();
    }

    @Test
    void theClosureLetsALayerUseWhatItsLayersBelowUse() {
        Map<String, Set<String>> mayUse = closure(USES);
        assertThat(mayUse.get("stack")).contains("tcp", "link", "event", "wire", "link.impair").doesNotContain("api", "sim");
        assertThat(mayUse.get("trace")).containsExactlyInAnyOrder("event", "pcap", "wire");
        assertThat(mayUse.get("link")).doesNotContain("stack", "tcp", "event");
    }

    // ---- reading sources ----

    record SourceFile(Path path, String pkg, String text) {}

    record Reference(String pkg, String text) {}

    private static List<SourceFile> sources() {
        List<SourceFile> files = new ArrayList<>();
        for (Path root : SOURCE_ROOTS) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.filter(ArchitectureTest::isPackageSource).sorted().toList()) {
                    String text = Files.readString(p);
                    Matcher m = PACKAGE.matcher(text);
                    assertThat(m.find()).as("package line of %s", p).isTrue();
                    files.add(new SourceFile(p, m.group(1), text));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(files).as("main sources under %s", SOURCE_ROOTS).isNotEmpty();
        return files;
    }

    /** A class or package-info source; module-info.java declares no package (ModuleDescriptorTest reads it). */
    private static boolean isPackageSource(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".java") && !name.equals("module-info.java");
    }

    /** The packages {@code text} refers to in code, in order, each once per mention. */
    static List<Reference> references(String text) {
        String code = withoutCommentsAndLiterals(text);
        List<Reference> refs = new ArrayList<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            int lineStart = code.lastIndexOf('\n', m.start()) + 1;
            if (code.startsWith("package ", lineStart)) {
                continue;
            }
            int lineEnd = code.indexOf('\n', m.end());
            refs.add(new Reference(m.group(1), code.substring(lineStart, lineEnd < 0 ? code.length() : lineEnd).trim()));
        }
        return refs;
    }

    /** {@code text} with comments, string, text-block and character literals blanked (newlines kept). */
    static String withoutCommentsAndLiterals(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (text.startsWith("//", i)) {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                i = blank(text, i, end < 0 ? n : end + 2, out);
            } else if (text.startsWith("\"\"\"", i)) {
                int end = text.indexOf("\"\"\"", i + 3);
                while (end > 0 && text.charAt(end - 1) == '\\') {
                    end = text.indexOf("\"\"\"", end + 1);
                }
                i = blank(text, i, end < 0 ? n : end + 3, out);
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && text.charAt(j) != c && text.charAt(j) != '\n') {
                    j += text.charAt(j) == '\\' ? 2 : 1;
                }
                i = blank(text, i, Math.min(n, j + 1), out);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int blank(String text, int from, int to, StringBuilder out) {
        for (int k = from; k < to; k++) {
            out.append(text.charAt(k) == '\n' ? '\n' : ' ');
        }
        return to;
    }

    // ---- the table ----

    private static Map<String, List<String>> table(String... rows) {
        Map<String, List<String>> t = new LinkedHashMap<>();
        for (int i = 0; i < rows.length; i += 2) {
            t.put(rows[i], split(rows[i + 1]));
        }
        return t;
    }

    private static List<String> split(String list) {
        return list.isBlank() ? List.of() : Arrays.stream(list.split(",")).map(String::trim).toList();
    }

    /** For each package, everything it may use: what it uses and, recursively, what those use. */
    static Map<String, Set<String>> closure(Map<String, List<String>> uses) {
        Map<String, Set<String>> all = new HashMap<>();
        for (String pkg : uses.keySet()) {
            Set<String> seen = new TreeSet<>();
            Deque<String> todo = new ArrayDeque<>(uses.get(pkg));
            while (!todo.isEmpty()) {
                String next = todo.pop();
                if (seen.add(next)) {
                    todo.addAll(uses.getOrDefault(next, List.of()));
                }
            }
            all.put(pkg, seen);
        }
        return all;
    }

    /** A cycle in {@code graph} as the packages along it (first repeated at the end), or empty. */
    static List<String> cycle(Map<String, List<String>> graph) {
        Map<String, Integer> state = new HashMap<>(); // absent: unvisited, 1: on the path, 2: done
        Deque<String> path = new ArrayDeque<>();
        for (String start : new TreeSet<>(graph.keySet())) {
            List<String> found = visit(start, graph, state, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> visit(String node, Map<String, List<String>> graph, Map<String, Integer> state,
                                      Deque<String> path) {
        Integer s = state.get(node);
        if (s != null && s == 2) {
            return List.of();
        }
        if (s != null) {
            List<String> loop = new ArrayList<>();
            boolean in = false;
            for (var it = path.descendingIterator(); it.hasNext(); ) {
                String p = it.next();
                in |= p.equals(node);
                if (in) {
                    loop.add(p);
                }
            }
            loop.add(node);
            return loop;
        }
        state.put(node, 1);
        path.push(node);
        for (String next : graph.getOrDefault(node, List.of())) {
            List<String> found = visit(next, graph, state, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.pop();
        state.put(node, 2);
        return List.of();
    }

    /**
     * The rows of the first fenced block after the "## Layers" heading that look like {@code LAYER
     * PACKAGE USES [NOTE]}, the columns at least two spaces apart ({@code -} for no uses); the header
     * line and anything else in the block are skipped.
     */
    private static List<String> layerTable(String markdown) {
        List<String> lines = markdown.lines().toList();
        int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("## Layers")).findFirst().orElseThrow(
                () -> new AssertionError("ARCHITECTURE.md has no \"## Layers\" section")));
        while (at < lines.size() && !lines.get(at).startsWith("```")) {
            at++;
        }
        List<String> rows = new ArrayList<>();
        for (int i = at + 1; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
            if (lines.get(i).matches("\\s*\\d+\\s+[a-z][a-z.]*(\\s+.*)?")) {
                rows.add(lines.get(i));
            }
        }
        assertThat(rows).as("rows of ARCHITECTURE.md's layer table").isNotEmpty();
        return rows;
    }
}
