package dev.jtcp.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input never crashes the parser: every case becomes a {@link ScriptSyntaxException} with a
 * line number (the fuzzer's findings, a {@code NullPointerException}, an {@code ArithmeticException:
 * Overflow} and a {@code NumberFormatException}, are among them).
 */
class ParserRobustnessTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 99999999999999999999999",
        "0 write(4, ..., 99999999999999999999) = 1",
        "99999999999999999999 close(3) = 0",
        "9999999999999.5 close(3) = 0",
        "+9223372036854.775807 close(3) = 0",
        "0 close(3) = 0\n+9223372036854 close(3) = 0\n+9223372036854 close(3) = 0",
        "0 < S 0:99999999999(99999999999) win 65535",
        "0 < S 0:0(0) win 0x",
        "0 < S 0:0(0) win 0xfffffffffffffffffff",
        "0 < S 0:0(0) win 65535 <mss 99999999999999999999>",
        "0 < S 0:0(0) win 65535 <sack 1:99999999999999999999>",
        "0 < S 0:0(0) win 65535 <TS val 99999999999999999999 ecr 0>",
        "0 < S 0:0(0) win 65535 <FO 0xzz>",
        "0 < S 0:0(0) win 65535 <FO abc>",
        "0 < S 0:0(0) win 65535 <",
        "0 < S 0:",
        "0 < S 0:0(",
        "0 <",
        "0 >",
        "0",
        "+",
        "0.5~",
        "0...",
        "0...1",
        "0 socket(",
        "0 socket(..., {",
        "0 socket(..., {a=",
        "0 socket(..., [",
        "0 socket(..., \"abc",
        "0 socket(..., \"a\\qb\") = 3",
        "0 socket(..., \"a\\x\") = 3",
        "0 socket(..., \"a\\",
        "0 socket(..., 'a') = 3",
        "0 close(3) = -1 E",
        "0 close(3) = -",
        "0 close(3) =",
        "0 close(3) = 0 (",
        "0 %{",
        "0 %{ assert }%",
        "0 `",
        "0 `sysctl -q net.ipv4.tcp_rmem=\"$((1/0))\"`",
        "0 `sysctl -q net.ipv4.tcp_rmem=$((`",
        "#ifdef",
        "#ifdef X\n0 close(3) = 0",
        "#endif",
        "#else",
        "--",
        "--tolerance_usecs",
        "--tolerance_usecs=abc\n0 close(3) = 0",
        "/*",
        "// only a comment",
        "0 < [",
        "0 < [ect0",
        "0 < [tos 99999999999999999999] S 0:0(0) win 1",
        "0 < icmp",
        "0 < icmp unreachable",
        "0 < udp (",
        "0 poll([{fd=3, events=POLLIN",
        "0 close(3) = 0 // ok\n0 < . 1:1(0) ack 99999999999999999999 win 1",
        "0 < . 1:1(0) ack 1 win 1 urg 99999999999",
        "0 < . 1:1(0) ack 1 win 99999999999999999999",
        "0 getsockopt(3, SOL_TCP, TCP_INFO, {tcpi_state=, }, [4]) = 0",
        "0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0 (",
        "0 < S 0:0(0) win 65535 <md5 0xq>",
        "0 < S 0:0(0) win 65535 <wscale 99999999999999999999>",
        "0 < S 0:0(0) win 65535 <nop,>",
        "0 < S 0:0(0) win 65535 <TS val>",
        "0 < S 0:0(0) win 65535 <TS val 1 ecr>",
        "0 < S 0:0(0) win 65535 <sack 1>",
        "0 < S 0:0(0) win 65535 <sack 1:>",
        "\u0000\u0001\u0002",
        "0 > S. 0:0(0) ack 1 <...> \u00ff",
        "1e999 close(3) = 0",
        "0.999999999999999999999 close(3) = 0",
    })
    void badInputIsASyntaxErrorWithALine(String text) {
        Throwable t = catchThrowable(() -> {
            Script s = Parser.parse("bad", text, Map.of(), Set.of());
            for (Script.Event e : s.events()) {
                if (e.action() instanceof Script.Command c) {
                    Shell.parse(c.text(), e.line());
                }
            }
            ScriptRunner.span(s);
        });
        if (t != null) {
            assertThat(t).isInstanceOfAny(ScriptSyntaxException.class, ScriptUnsupportedException.class);
            if (t instanceof ScriptSyntaxException e) {
                assertThat(e.line()).isGreaterThan(0);
            }
        }
    }
}
