package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command runs as the module {@code dev.jtcp.cli} on the module path, beside the modules
 * {@code dev.jtcp} and {@code info.picocli}: picocli reaches the commands' fields through the
 * {@code opens}, the demo and the script runner through the core's qualified exports, and the
 * version through the module's own resource. The tests (and the launcher's shaded jar) otherwise
 * run on the class path, where module descriptors do not apply.
 */
class ModulePathTest {
    @TempDir
    Path dir;

    @Test
    void theDemoDrawsOnTheModulePath() throws Exception {
        assertThat(jtcp("demo", "handshake", "--no-explain", "--color", "never"))
                .contains("SYN-SENT", "ESTABLISHED", "SYN seq=0");
    }

    @Test
    void theScriptRunnerAndTheVersionWorkOnTheModulePath() throws Exception {
        Path script = Path.of("..", "conformance", "scripts", "handshake").toAbsolutePath();
        String firstScript;
        try (var files = Files.list(script)) {
            firstScript = files.filter(p -> p.toString().endsWith(".pkt")).sorted().findFirst().orElseThrow().toString();
        }
        assertThat(jtcp("script", firstScript)).contains("PASS");
        assertThat(jtcp("--version")).contains("jtcp");
    }

    /** Runs {@code java -p ... -m dev.jtcp.cli}; returns stdout after checking exit 0 and an empty stderr. */
    private String jtcp(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=dev.jtcp", "--module-path", modulePath(), "--module", "dev.jtcp.cli/dev.jtcp.cli.Main"));
        command.addAll(Arrays.asList(args));
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the JVM exits within 60 s").isTrue();
        assertThat(Files.readString(err)).as("stderr of %s", command).isEmpty();
        assertThat(p.exitValue()).as("exit status of %s", command).isZero();
        return out;
    }

    /**
     * The three modules from this test's class path: jtcp-core's classes or jar (Maven hands over either,
     * by phase), the command's classes, and picocli's jar, each found by the name in its descriptor.
     */
    private static String modulePath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (MODULES.contains(moduleName(Path.of(entry)))) {
                entries.add(entry);
            }
        }
        assertThat(entries).as("%s on %s", MODULES, System.getProperty("java.class.path")).hasSize(MODULES.size());
        return String.join(File.pathSeparator, entries);
    }

    static final Set<String> MODULES = Set.of("dev.jtcp", "dev.jtcp.cli", "info.picocli");

    /** The name a directory's or a jar's module-info.class declares, or "" (picocli's is versioned). */
    private static String moduleName(Path entry) throws IOException {
        if (Files.isDirectory(entry)) {
            Path info = entry.resolve("module-info.class");
            if (!Files.exists(info)) {
                return "";
            }
            try (InputStream in = Files.newInputStream(info)) {
                return ModuleDescriptor.read(in).name();
            }
        }
        if (!Files.isRegularFile(entry)) {
            return "";
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            for (String name : List.of("module-info.class", "META-INF/versions/9/module-info.class")) {
                JarEntry info = jar.getJarEntry(name);
                if (info != null) {
                    try (InputStream in = jar.getInputStream(info)) {
                        return ModuleDescriptor.read(in).name();
                    }
                }
            }
        }
        return "";
    }
}
