package dev.jtcp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.tun.InterfaceConfig;
import dev.jtcp.link.tun.Netns;
import dev.jtcp.link.tun.TunDevice;
import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of docs/embedding.md run, and the document shows them exactly as they are here: the
 * echo example's source, an application's module-info.java, and the JVM options for the module path
 * and the class path, which a fresh JVM runs the example with against jtcp-core's compiled classes
 * (the module {@code dev.jtcp}), with nothing on stderr (a wrong module name in
 * {@code --enable-native-access} is a warning there).
 */
class EmbeddingExamplesTest {
    static final Path DOC = Path.of("..", "docs", "embedding.md");
    static final Path EXAMPLE = Path.of("src/test/java/dev/jtcp/examples/EchoOverMemoryLink.java");
    static final String MODULE_INFO = """
            module com.example.echo {
                requires dev.jtcp;
            }
            """;
    static final String MODULE_PATH_OPTION = "--enable-native-access=dev.jtcp";
    static final String CLASS_PATH_OPTION = "--enable-native-access=ALL-UNNAMED";

    @TempDir
    Path dir;

    @Test
    void theMemoryLinkEchoRoundTrips() throws Exception {
        assertThat(EchoOverMemoryLink.run("hello, jtcp")).isEqualTo("hello, jtcp");
    }

    @Test
    void theDocumentQuotesTheExampleSourceVerbatim() throws Exception {
        String source = Files.readString(EXAMPLE);
        String body = source.substring(source.indexOf("/** Two jtcp stacks"));
        assertThat(Files.readString(DOC)).as("docs/embedding.md quotes EchoOverMemoryLink.java").contains(body.strip());
    }

    @Test
    void theDocumentShowsTheModuleDeclarationAndBothJvmOptions() throws Exception {
        assertThat(Files.readString(DOC)).contains(MODULE_INFO.strip(), MODULE_PATH_OPTION, CLASS_PATH_OPTION);
    }

    @Test
    void theExampleRunsAsAModuleOnTheModulePath() throws Exception {
        Path classes = compileExampleModule();
        String modulePath = Path.of("target", "classes") + File.pathSeparator + classes;
        assertThat(java(MODULE_PATH_OPTION, "--module-path", modulePath,
                "--module", "com.example.echo/dev.jtcp.examples.EchoOverMemoryLink")).isEqualTo("hello, jtcp");
    }

    @Test
    void theExampleRunsOnTheClassPath() throws Exception {
        Path classes = compileExampleModule();
        String classPath = Path.of("target", "classes") + File.pathSeparator + classes;
        assertThat(java(CLASS_PATH_OPTION, "--class-path", classPath, "dev.jtcp.examples.EchoOverMemoryLink"))
                .isEqualTo("hello, jtcp");
    }

    /** The example and the document's module-info.java, compiled against the module {@code dev.jtcp}. */
    private Path compileExampleModule() throws IOException {
        Path src = Files.createDirectories(dir.resolve("src", "dev", "jtcp", "examples"));
        Files.copy(EXAMPLE, src.resolve(EXAMPLE.getFileName()));
        Files.writeString(dir.resolve("src", "module-info.java"), MODULE_INFO);
        Path out = dir.resolve("classes");
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(),
                "--module-path", Path.of("target", "classes").toString(),
                dir.resolve("src", "module-info.java").toString(), src.resolve(EXAMPLE.getFileName()).toString());
        assertThat(status).as("javac's exit status").isZero();
        return out;
    }

    /** Runs a JVM; returns its stdout after checking that it exited 0 and printed nothing on stderr. */
    private String java(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(args));
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the JVM exits within 60 s").isTrue();
        assertThat(Files.readString(err)).as("stderr of %s", command).isEmpty();
        assertThat(p.exitValue()).as("exit status of %s", command).isZero();
        return out;
    }

    @Test
    void theDocumentQuotesTheVpnExampleVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/jtcp/examples/VpnOnOwnTun.java"));
        String body = source.substring(source.indexOf("/** A VPN app's"));
        assertThat(Files.readString(Path.of("..", "docs", "embedding.md"))).as("docs/embedding.md quotes VpnOnOwnTun.java")
                .contains(body.strip());
    }

    /**
     * The VPN example on a TUN descriptor opened elsewhere (here by the test, in a namespace of its
     * own): its policy turns port 25 away, so the client's connection is refused, and nothing leaves
     * this machine (no flow is relayed: the test's JVM is outside the namespace). Needs root.
     */
    @Test
    @NeedsTools({"ip", "python3"})
    void theVpnExampleRunsOnAnAdoptedTunAndItsPolicyRefuses() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("vpnfd")) {
            TunDevice tun = Netns.call(ns.name(), () -> TunDevice.open("jtvpn0", false));
            InterfaceConfig.configure(ns.name(), "jtvpn0", 1500, List.of("198.18.0.1/24"));
            ns.exec("ip", "route", "add", "198.19.0.0/16", "dev", "jtvpn0").requireSuccess();
            try (VpnOnOwnTun vpn = VpnOnOwnTun.start(tun.fd(), 1500, new InetSocketAddress("198.18.0.9", 1080))) {
                ExternalTools.Result r = ns.exec(Duration.ofSeconds(30), "python3", "-c", """
                        import socket
                        try:
                            socket.create_connection(("198.19.0.10", 25), timeout=5)
                            print("connected")
                        except ConnectionRefusedError:
                            print("refused")
                        """).requireSuccess();
                assertThat(r.stdout().strip()).isEqualTo("refused");
                assertThat(vpn.forwarder().flowsRefused()).isEqualTo(1);
                assertThat(vpn.forwarder().flowsRelayed()).isZero();
            }
        }
    }
}
