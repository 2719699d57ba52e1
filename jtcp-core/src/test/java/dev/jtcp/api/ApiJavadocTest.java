package dev.jtcp.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket API, where an embedder starts, is documented completely: doclint's every group,
 * "missing" included (a comment, each {@code @param}, {@code @return} and {@code @throws} on every
 * public and protected member), reports nothing for {@code dev.jtcp.api}; javac runs doclint as
 * javadoc does, without writing HTML. The build's javadoc jar checks every package with all groups
 * but "missing" (the parent pom says why).
 */
class ApiJavadocTest {
    @TempDir
    Path out;

    @Test
    void theSocketApiHasNoJavadocWarnings() throws IOException {
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-Xdoclint:all/protected", "-proc:none",
                "-classpath", Path.of("target", "classes").toString()));
        try (Stream<Path> files = Files.list(Path.of("src", "main", "java", "dev", "jtcp", "api"))) {
            files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(p -> args.add(p.toString()));
        }
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int status = ToolProvider.getSystemJavaCompiler().run(null, report, report, args.toArray(String[]::new));
        assertThat(report.toString(StandardCharsets.UTF_8)).as("doclint's report on dev.jtcp.api").isEmpty();
        assertThat(status).as("javac's exit status").isZero();
    }
}
