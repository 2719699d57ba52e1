package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ScriptCommandTest {
    private static final String PASSES = """
            0    socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0   bind(3, ..., ...) = 0
            +0   listen(3, 1) = 0
            +0   < S 0:0(0) win 65535 <mss 1000>
            +0   > S. 0:0(0) ack 1 <mss 1460>
            """;

    private record Run(int exit, String out) {}

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        int exit = cl.execute(args);
        return new Run(exit, out.toString());
    }

    @Test
    void runsADirectoryPrintsEachScriptAndTheTotalsAndWritesJUnitXml(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a-pass.pkt"), PASSES);
        Files.writeString(dir.resolve("b-fail.pkt"), PASSES.replace("S. 0:0(0) ack 1", "R. 0:0(0) ack 1"));
        Files.writeString(dir.resolve("c-skip.pkt"), "0 `ip link`\n");
        Path xml = dir.resolve("out/results.xml");
        Run r = run("script", "--junit", xml.toString(), dir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("PASS  " + dir.resolve("a-pass.pkt"))
                .contains("FAIL  " + dir.resolve("b-fail.pkt") + ": line 5: outbound packet does not match")
                .contains("SKIP  " + dir.resolve("c-skip.pkt") + ": line 1: shell command `ip link` is not supported")
                .contains("1 passed, 1 failed, 1 skipped");
        assertThat(Files.readString(xml)).contains("tests=\"3\" failures=\"1\"");
    }

    @Test
    void exitsZeroWhenNothingFailsAndHonoursProfileAndDefines(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("t.pkt"), "--mtu=1000\n" + PASSES.replace("<mss 1460>", "<mss MSS>"));
        Run r = run("script", "-q", "-D", "MSS=960", "--profile=rfc", "--strict", dir.resolve("t.pkt").toString());
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out().strip()).isEqualTo("1 passed, 0 failed, 0 skipped");
    }

    @Test
    void verboseRunsPrintTheNoOpsAndTheSettingsJtcpDoesNotHonour(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("defaults.sh"), "sysctl net.ipv4.tcp_mtu_probing=1\n"
                + "tc qdisc add dev tun0 root pfifo\n");
        Files.writeString(dir.resolve("t.pkt"), "`./defaults.sh`\n" + PASSES);
        Run r = run("script", "-v", "--sysctl", "net.ipv4.tcp_sack=1", dir.resolve("t.pkt").toString());
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("note: not honoured: net.ipv4.tcp_mtu_probing=1")
                .contains("note: line 0: no-op `tc qdisc add dev tun0 root pfifo`");
    }
}
