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

/** {@code jtcp bench tun-loss} with a tiny transfer: both directions measured, one ratio, no namespace left. */
@NeedsTools({"ip", "python3"})
class BenchTunLossCommandTest {
    @Test
    void measuresJtcpSendingAndTheKernelSendingThroughTheSameLossyLink() throws Exception {
        NetnsFixture.requireRoot();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute("bench",
                "tun-loss", "--loss", "2", "--cc", "reno", "--runs", "1", "--mb", "0.2");
        assertThat(code).as(err.toString()).isZero();
        String text = out.toString();
        Matcher m = Pattern.compile("(?m)^2%\\s+reno\\s+(\\d+\\.\\d+) MB/s\\s+(\\d+\\.\\d+) MB/s\\s+(\\d+\\.\\d+)").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as(text).isPositive();
        assertThat(Double.parseDouble(m.group(2))).as(text).isPositive();
        assertThat(text).contains("load average");
        assertThat(err.toString()).contains("jtcp sends", "kernel sends");
        assertThat(ExternalTools.run("ip", "netns", "list").stdout()).doesNotContain("jtcp-tunloss-"
                + ProcessHandle.current().pid());
    }
}
