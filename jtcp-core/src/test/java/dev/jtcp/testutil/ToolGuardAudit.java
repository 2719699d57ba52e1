package dev.jtcp.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a module's test sources and finds every outside program they run, so that a test which
 * starts {@code ping} without declaring it in {@link NeedsTools} fails the build instead of failing
 * on the first machine without ping. A program counts as run when a string literal is its name
 * followed by more arguments ({@code "ping", "-c"}), starts with it and an option as a shell
 * command ({@code "nc -N ..."}), or pipes into it ({@code "... | nc -N "}). A test file needs what it runs
 * plus what the helper classes it names (non-test files of the same tree) run, less the optional
 * programs it checks for itself ({@code ExternalTools.isInstalled("editcap")}).
 *
 * <p>Thread-safety: stateless.
 */
public final class ToolGuardAudit {
    /** Test files that hold command text only to parse it, never to run it. */
    private static final Set<String> PARSES_ONLY = Set.of("ShellTest.java", "ParserTest.java", "LexerTest.java",
            "ParserRobustnessTest.java");
    /** The guard itself. */
    private static final Set<String> INFRASTRUCTURE = Set.of("ExternalTools.java", "NetnsFixture.java",
            "NeedsTools.java", "ToolGuardAudit.java", "ExternalToolsTest.java", "ToolGuardAuditTest.java");
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");

    private ToolGuardAudit() {
    }

    /** The programs {@code source} runs, judged from its string literals. */
    public static Set<String> toolsRun(String source) {
        Set<String> tools = new TreeSet<>();
        Matcher m = LITERAL.matcher(source);
        while (m.find()) {
            String text = m.group(1);
            String after = source.substring(m.end()).stripLeading();
            for (String tool : ExternalTools.PACKAGES.keySet()) {
                boolean asArgument = text.equals(tool) && after.startsWith(",");
                boolean asShell = Pattern.compile("(^|[|;&]\\s*)" + Pattern.quote(tool) + "\\s+-").matcher(text).find();
                if (asArgument || asShell) {
                    tools.add(tool);
                }
            }
        }
        return tools;
    }

    /**
     * For every test class under {@code testSources} (a {@code src/test/java} directory) that runs
     * a program it does not declare in {@link NeedsTools} (on the class or one of its methods), the
     * class name and the undeclared programs.
     */
    public static Map<String, Set<String>> undeclared(Path testSources) {
        Map<String, String> sources = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(testSources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                sources.put(testSources.relativize(f).toString(), Files.readString(f, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Set<String>> helpers = new LinkedHashMap<>();
        sources.forEach((file, text) -> {
            if (!isTest(text) && !INFRASTRUCTURE.contains(fileName(file))) {
                helpers.put(fileName(file).replace(".java", ""), toolsRun(text));
            }
        });
        Map<String, Set<String>> problems = new LinkedHashMap<>();
        sources.forEach((file, text) -> {
            String name = fileName(file);
            if (!isTest(text) || PARSES_ONLY.contains(name) || INFRASTRUCTURE.contains(name)) {
                return;
            }
            Set<String> needed = new TreeSet<>(toolsRun(text));
            helpers.forEach((helper, tools) -> {
                if (Pattern.compile("\\b" + helper + "\\b").matcher(text).find()) {
                    needed.addAll(tools);
                }
            });
            String className = file.replace(".java", "").replace('/', '.');
            needed.removeAll(declared(className));
            // A test may also look for an optional program itself and do without it.
            needed.removeIf(tool -> text.contains("ExternalTools.isInstalled(\"" + tool + "\")"));
            if (!needed.isEmpty()) {
                problems.put(className, needed);
            }
        });
        return problems;
    }

    /** Each test class under {@code testSources} that declares programs, with those programs. */
    public static Map<String, Set<String>> guarded(Path testSources) {
        Map<String, Set<String>> guarded = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(testSources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String relative = testSources.relativize(f).toString();
                if (!INFRASTRUCTURE.contains(fileName(relative))
                        && Files.readString(f, StandardCharsets.UTF_8).contains("@NeedsTools")) {
                    String className = relative.replace(".java", "").replace('/', '.');
                    guarded.put(className, declared(className));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return guarded;
    }

    /** Every tool named by {@link NeedsTools} on {@code className} or its methods. */
    public static Set<String> declared(String className) {
        Class<?> type;
        try {
            type = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("test source without its class: " + className, e);
        }
        Set<String> tools = new TreeSet<>();
        List<NeedsTools> found = new ArrayList<>();
        found.add(type.getAnnotation(NeedsTools.class));
        for (Method m : type.getDeclaredMethods()) {
            found.add(m.getAnnotation(NeedsTools.class));
        }
        found.stream().filter(n -> n != null).forEach(n -> tools.addAll(Arrays.asList(n.value())));
        return tools;
    }

    private static boolean isTest(String source) {
        return source.contains("@Test") || source.contains("@ParameterizedTest") || source.contains("@TestFactory");
    }

    private static String fileName(String relative) {
        return relative.substring(relative.lastIndexOf('/') + 1);
    }
}
