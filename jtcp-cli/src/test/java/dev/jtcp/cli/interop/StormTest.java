package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.cli.Main;
import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * A connection storm over TUN ({@code jtcp bench storm}): 20,000 kernel connections from four source
 * addresses started at once against jtcp's echo server must all establish, echo and close, with no
 * reset and no time-out, no client socket left in the kernel and the stack empty afterwards. Before
 * the listener's fixes a storm of this size lost connections (a peer that completed a SYN cookie's
 * handshake was reset by the child its retransmitted SYN made, or by the listener for a duplicate
 * ACK), and TUN's 500-packet queue dropped most of the burst. Needs root; about half a minute.
 */
@NeedsTools({"ip", "ss"})
class StormTest {
    @Test
    void twentyThousandConnectionsAtOnceAllEstablishEchoAndClose() throws Exception {
        NetnsFixture.requireRoot();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute("bench",
                "storm", "--connections", "20000", "--sources", "4", "--timeout", "60s");
        String text = out.toString();
        assertThat(text).as(err.toString()).contains("20,000 of 20,000 established, 20,000 echoed, 20,000 closed cleanly;"
                + " reset 0, refused 0, timed out 0, other 0");
        assertThat(text).contains("PASS");
        assertThat(code).as(text).isZero();
        assertThat(ExternalTools.run("ip", "netns", "list").stdout()).doesNotContain("jtcp-storm-"
                + ProcessHandle.current().pid());
    }
}
