package dev.jtcp.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runner end to end on jtcp: outcomes, and failure messages that give the line, what was
 * expected, what the stack did and its last trace events.
 */
class ScriptRunnerTest {
    private static final String LISTEN = """
            0    socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0   bind(3, ..., ...) = 0
            +0   listen(3, 1) = 0
            """;
    private static final String HANDSHAKE = LISTEN + """
            +0   < S 0:0(0) win 65535 <mss 1000>
            +0   > S. 0:0(0) ack 1 <mss 1460>
            +.1  < . 1:1(0) ack 1 win 65535
            +0   accept(3, ..., ...) = 4
            """;

    private static ScriptResult run(String text) {
        return run(ScriptRunner.Options.defaults().withStrictPackets(true).withTolerance(1000, 0), text);
    }

    private static ScriptResult run(ScriptRunner.Options o, String text) {
        return new ScriptRunner(o).run("test.pkt", text);
    }

    @Test
    void aHandshakePasses() {
        ScriptResult r = run(HANDSHAKE);
        assertThat(r.outcome()).as(r.message()).isEqualTo(ScriptResult.Outcome.PASSED);
        assertThat(r.scriptUs()).isEqualTo(100_000);
    }

    @Test
    void aWrongPacketNamesTheLineBothPacketsTheDifferencesAndTheTrace() {
        ScriptResult r = run(LISTEN + """
                +0   < S 0:0(0) win 65535 <mss 1000>
                +0   > R. 0:0(0) ack 2 win 10 <mss 1460>
                """);
        assertThat(r.outcome()).isEqualTo(ScriptResult.Outcome.FAILED);
        assertThat(r.message())
                .startsWith("line 5: outbound packet does not match")
                .contains("script: > R. 0:0(0) ack 2 win 10 <mss 1460>")
                .contains("actual: > S. 2179285133:2179285133(0) ack 1 win 65535 <mss 1460> at 0.000000 s")
                .contains("flags: expected R., got S.")
                .contains("seq: expected 0, got 2179285133")
                .contains("ack: expected 2, got 1")
                .contains("win: expected 10, got 65535")
                .contains("last trace events:")
                .contains("LISTEN -> SYN-RECEIVED (rcv SYN)");
    }

    @Test
    void aLatePacketIsATimingError() {
        ScriptResult r = run(HANDSHAKE + """
                +0   write(4, ..., 10) = 10
                +.5  > P. 1:11(10) ack 1
                """);
        assertThat(r.message()).contains("line 9").contains("time: expected 0.600000 s (±1 ms), sent at 0.100000 s");
    }

    @Test
    void aMissingPacketSaysNothingWasSentByTheDeadline() {
        ScriptResult r = run(HANDSHAKE + "+0 > P. 1:11(10) ack 1\n");
        assertThat(r.message()).contains("line 8: expected an outbound packet at 0.100000 s (±1 ms) but the stack sent"
                + " nothing by 0.101000 s").contains("script: > P. 1:11(10) ack 1");
    }

    @Test
    void strictPacketsRejectAPacketNoLineExpects() {
        String text = HANDSHAKE + "+0 write(4, ..., 10) = 10\n+.1 < . 1:1(0) ack 11 win 65535\n";
        ScriptResult r = run(text);
        assertThat(r.message()).contains("line 9: the stack sent a packet no line expects")
                .contains("actual: > P. 1:11(10) ack 1 win 65535 at 0.100000 s");
        ScriptResult lenient = run(ScriptRunner.Options.defaults(), text);
        assertThat(lenient.outcome()).isEqualTo(ScriptResult.Outcome.PASSED);
    }

    @Test
    void wrongResultsAndErrnos() {
        assertThat(run(HANDSHAKE + "+0 recv(4, ..., 10, MSG_DONTWAIT) = 10\n").message())
                .contains("line 8: recv() returned -1 EAGAIN, expected 10");
        assertThat(run(HANDSHAKE + "+0 read(4, ..., 10) = 10\n").message())
                .contains("line 8: read() blocked; a call that blocks needs a start and an end time");
        assertThat(run(LISTEN + "+0 accept(3, ..., ...) = 4\n").message())
                .contains("line 4: accept() blocked; a call that blocks needs a start and an end time");
        assertThat(run("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 read(3, ..., 1) = -1 EPIPE\n").message())
                .contains("read() returned -1 ENOTCONN, expected -1 EPIPE");
        assertThat(run("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                + "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0\n").message())
                .contains("getsockopt() wrote [0], expected [ECONNRESET]");
    }

    @Test
    void blockingCallsAreCheckedWhenTheyReturn() {
        assertThat(run(LISTEN + """
                +0...0.1 accept(3, ..., ...) = 4
                +.1  < S 0:0(0) win 65535 <mss 1000>
                +0   > S. 0:0(0) ack 1 <mss 1460>
                +.1  < . 1:1(0) ack 1 win 65535
                """).message()).contains("line 4: timing error: accept() should return at 0.100000 s (±1 ms) but "
                + "returned at 0.200000 s with 4");
        assertThat(run(LISTEN + "+0...0.1 accept(3, ..., ...) = 4\n").message())
                .contains("blocking accept() should have returned at 0.100000 s but never did");
    }

    @Test
    void failingAssertionsShowTheValues() {
        assertThat(run(HANDSHAKE + "+0 %{ assert tcpi_state == TCPI_CLOSE_WAIT, tcpi_state }%\n").message())
                .contains("line 8: assert tcpi_state == TCPI_CLOSE_WAIT, tcpi_state failed (tcpi_state = 1) with tcpi_state=1");
    }

    @Test
    void unsupportedThingsSkipWithAReason() {
        assertThat(run("--speaker=x\n0 close(3) = 0\n").message()).isEqualTo("option --speaker is not supported");
        ScriptResult cmd = run("0 `ip link set dev lo up`\n");
        assertThat(cmd.outcome()).isEqualTo(ScriptResult.Outcome.SKIPPED);
        assertThat(cmd.message()).contains("line 1").contains("`ip link set dev lo up` is not supported");
        assertThat(run(HANDSHAKE + "+0 %{ assert tcpi_rcv_ooopack == 0 }%\n").message())
                .contains("'tcpi_rcv_ooopack' is not available on this stack");
        assertThat(run(HANDSHAKE + "+0 %{ import os }%\n").outcome()).isEqualTo(ScriptResult.Outcome.SKIPPED);
        assertThat(run("0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n").message())
                .contains("only SOCK_STREAM sockets are supported");
        assertThat(run(HANDSHAKE + "+0 setsockopt(4, SOL_TCP, TCP_CONGESTION, \"bbr\", 3) = 0\n").outcome())
                .isEqualTo(ScriptResult.Outcome.SKIPPED);
    }

    @Test
    void syntaxErrorsFail() {
        ScriptResult r = run("0 < S 0:0(0)\n");
        assertThat(r.outcome()).isEqualTo(ScriptResult.Outcome.FAILED);
        assertThat(r.message()).startsWith("syntax error at line 1");
    }

    @Test
    void expectedFailuresAndStaleOnes() {
        ScriptResult xfail = run("// xfail: the SYN,ACK is wrong on purpose\n" + LISTEN
                + "+0 < S 0:0(0) win 65535 <mss 1000>\n+0 > R 0:0(0)\n");
        assertThat(xfail.outcome()).isEqualTo(ScriptResult.Outcome.XFAILED);
        assertThat(xfail.message()).startsWith("xfail: the SYN,ACK is wrong on purpose\nline 6");
        ScriptResult xpass = run("// xfail: nothing is wrong\n" + HANDSHAKE);
        assertThat(xpass.outcome()).isEqualTo(ScriptResult.Outcome.XPASSED);
        assertThat(xpass.outcome().isFailure()).isTrue();
        ScriptResult linux = run("// linux-differs: only against Linux\n" + HANDSHAKE);
        assertThat(linux.outcome()).isEqualTo(ScriptResult.Outcome.PASSED);
    }

    @Test
    void requirementsComeFromTheHeader() {
        assertThat(run("// requirement: MUST-10, MUST-11\n" + HANDSHAKE).requirements()).containsExactly("MUST-10", "MUST-11");
    }

    @Test
    void optionsOrderAnyIgnoresOrderAndPadding() {
        String text = LISTEN + """
                +0   < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 1 ecr 0,nop,wscale 7>
                +0   > S. 0:0(0) ack 1 <wscale 7,TS val 1 ecr 1,sackOK,mss 1460,nop>
                """;
        assertThat(run(text).message()).contains("options: expected <wscale 7,TS val 1 ecr 1,sackOK,mss 1460,nop>, got "
                + "<mss 1460,sackOK,TS val").contains("(compared in order)");
        assertThat(run(ScriptRunner.Options.defaults().withStrictPackets(true).withOptionsOrder(OptionsOrder.ANY), text)
                .outcome()).isEqualTo(ScriptResult.Outcome.PASSED);
        assertThat(run("--options_order=any\n" + text).outcome()).isEqualTo(ScriptResult.Outcome.PASSED);
    }

    @Test
    void consecutiveSegmentsMergeUnlessStrictSegments() {
        String text = HANDSHAKE + "+0 write(4, ..., 3000) = 3000\n+0 > P. 1:3001(3000) ack 1\n";
        assertThat(run(text).outcome()).isEqualTo(ScriptResult.Outcome.PASSED);
        assertThat(run("--strict_segments\n" + text).message()).contains("payload length: expected 3000, got 1000");
    }

    @Test
    void timestampValuesAreCheckedOnlyWithATick() {
        String text = """
                0    socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0   bind(3, ..., ...) = 0
                +0   listen(3, 1) = 0
                +0   < S 0:0(0) win 65535 <mss 1000,nop,nop,TS val 10 ecr 0>
                +0   > S. 0:0(0) ack 1 <mss 1460,nop,nop,TS val 100 ecr 10>
                +.5  < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 20 ecr 100>
                +0   accept(3, ..., ...) = 4
                +0   write(4, ..., 10) = 10
                +0   > P. 1:11(10) ack 1 <nop,nop,TS val %d ecr 20>
                """;
        assertThat(run(String.format(text, 100)).outcome()).isEqualTo(ScriptResult.Outcome.PASSED);
        assertThat(run("--tcp_ts_tick_usecs=1000\n" + String.format(text, 600)).outcome())
                .isEqualTo(ScriptResult.Outcome.PASSED);
        assertThat(run("--tcp_ts_tick_usecs=1000\n" + String.format(text, 100)).message())
                .contains("TS val: expected 100, got a value 500 ticks away from it");
    }

    @Test
    void anEchoOfAnUnknownTimestampIsAnError() {
        assertThat(run(LISTEN + "+0 < S 0:0(0) win 65535 <mss 1000,nop,nop,TS val 10 ecr 0>\n"
                + "+0 > S. 0:0(0) ack 1 <...>\n"
                + "+0 < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 11 ecr 77>\n").message())
                .contains("TS ecr 77 echoes no TS val an outbound line has matched");
    }

    @Test
    void aSynsEchoIsSentAsWrittenAsPacketdrillDoes() {
        // RFC 7323 §3.2: TSecr is only meaningful with ACK; packetdrill maps it only then.
        assertThat(run(LISTEN + "+0 < S 0:0(0) win 65535 <mss 1000,nop,nop,TS val 10 ecr 77>\n"
                + "+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,TS val 0 ecr 10>\n").outcome())
                .isEqualTo(ScriptResult.Outcome.PASSED);
    }

    @Test
    void definesAndIfdefs() {
        String text = """
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                #ifdef jtcp
                +0 bind(3, ..., ...) = 0
                #endif
                #ifdef linux
                +0 bind(3, ..., ...) = -1 EINVAL
                #endif
                +0 listen(3, BACKLOG) = 0
                """;
        ScriptRunner.Options o = ScriptRunner.Options.defaults().withDefines(Map.of("BACKLOG", "5"));
        assertThat(run(o, text).outcome()).isEqualTo(ScriptResult.Outcome.PASSED);
    }

    @Test
    void ipv6AndProfilesWork() {
        assertThat(run("--ip_version=ipv6\n--profile=linux\n" + LISTEN + """
                +0   < S 0:0(0) win 65535 <mss 1440,sackOK,TS val 1 ecr 0,nop,wscale 7>
                +0   > S. 0:0(0) ack 1 <mss 1440,sackOK,TS val 1 ecr 1,nop,wscale 7>
                """).outcome()).isEqualTo(ScriptResult.Outcome.PASSED);
    }

    @Test
    void anOversizedInboundPacketIsRefused() {
        assertThat(run(HANDSHAKE + "+0 < . 1:65501(65500) ack 1 win 65535\n").message())
                .contains("more than an IP packet can carry (65535)");
    }

    @Test
    void totalsAndJUnitXml() throws Exception {
        var results = java.util.List.of(run(HANDSHAKE), run("0 < S 0:0(0)\n"), run("--speaker=1\n0 close(3) = 0\n"),
                run("// xfail: x\n" + LISTEN + "+0 > S 0:0(0)\n"));
        assertThat(ScriptReport.totals(results)).isEqualTo("1 passed, 1 failed, 1 skipped, 1 expected failure");
        assertThat(ScriptReport.line(results.get(1))).startsWith("FAIL  test.pkt: syntax error");
        java.nio.file.Path xml = java.nio.file.Files.createTempFile("scripts", ".xml");
        try {
            ScriptReport.writeJUnitXml(xml, "scripts", results);
            String s = java.nio.file.Files.readString(xml);
            assertThat(s).contains("<testsuite name=\"scripts\" tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\"")
                    .contains("<failure message=\"syntax error at line 1:5: an inbound packet must give its window")
                    .contains("<skipped message=\"option --speaker is not supported\"/>")
                    .contains("<system-out>expected failure: xfail: x");
        } finally {
            java.nio.file.Files.delete(xml);
        }
    }
}
