package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.cli.Main;
import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code jtcp bench tun} with tiny sizes: it runs, prints five ratios (push, pull, lifecycles with
 * handlers on the loop and with a thread per connection, and the in-process bulk beside the veth push), and leaves no namespace behind.
 */
@NeedsTools("ip")
class BenchTunCommandTest {
    @Test
    void measuresKernelAndJtcpInOneRunAndPrintsTheFiveRatios() throws Exception {
        NetnsFixture.requireRoot();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute("bench", "tun",
                "--mb", "3", "--warmup-mb", "1", "--runs", "1", "--lifecycle-ms", "300", "--offload", "on");
        assertThat(code).as(err.toString()).isZero();
        String text = out.toString();
        Matcher m = Pattern.compile("ratio (\\d+\\.\\d+)").matcher(text);
        int ratios = 0;
        while (m.find()) {
            assertThat(Double.parseDouble(m.group(1))).as(text).isPositive();
            ratios++;
        }
        assertThat(ratios).as(text).isEqualTo(5);
        assertThat(text).contains("push (client sends 3 MB", "pull (server sends 3 MB", "lifecycles (connect",
                "load average", "TUN offloads: virtio-net header", "TUN link:",
                "event-loop thread per second of its CPU time", "in-process bulk, MSS 1460, vs the veth push",
                "B per MB pushed", "B per lifecycle", "with the thread-per-connection server:");
        assertThat(ExternalTools.run("ip", "netns", "list").stdout()).doesNotContain("jtcp-bench-"
                + ProcessHandle.current().pid());
    }
}
