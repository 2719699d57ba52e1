package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./jtcp} launcher finds its checkout through symlinks and from any directory. It runs
 * on a copy of the checkout's launcher files whose "built CLI" is {@link LauncherProbe}, so that
 * the test neither builds nor depends on the real jar.
 */
class LauncherTest {
    @TempDir
    Path dir;

    @Test
    void worksThroughSymlinksFromAnyDirectory() throws Exception {
        Path checkout = Files.createDirectories(dir.resolve("checkout"));
        Files.copy(Path.of("..", "jtcp"), checkout.resolve("jtcp"));
        Files.createDirectories(checkout.resolve(".mvn"));
        Files.copy(Path.of("..", ".mvn", "jdk25.sh"), checkout.resolve(".mvn", "jdk25.sh"));
        writeProbeJar(Files.createDirectories(checkout.resolve("jtcp-cli", "target")).resolve("jtcp.jar"));

        Path bin = Files.createDirectories(dir.resolve("home", "bin"));
        Files.createSymbolicLink(bin.resolve("jtcp"), checkout.resolve("jtcp"));
        Path other = Files.createDirectories(dir.resolve("elsewhere"));
        Files.createSymbolicLink(other.resolve("j"), Path.of("..", "home", "bin", "jtcp")); // a relative link to a link
        Path cwd = Files.createDirectories(dir.resolve("somewhere", "else"));

        assertThat(run(cwd, bin.resolve("jtcp").toString(), "demo")).isEqualTo("probe demo in " + cwd);
        assertThat(run(cwd, "../../elsewhere/j", "--version")).isEqualTo("probe --version in " + cwd);
        assertThat(run(checkout, "./jtcp", "x")).isEqualTo("probe x in " + checkout);
    }

    private static String run(Path cwd, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static void writeProbeJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
        String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry(entry));
            try (var in = LauncherProbe.class.getClassLoader().getResourceAsStream(entry)) {
                in.transferTo(out);
            }
            out.closeEntry();
        }
    }
}
