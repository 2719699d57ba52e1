package dev.jtcp.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.script.Script.Expr;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParserTest {
    private static Script parse(String s) {
        return Parser.parse("t.pkt", s, Map.of(), Set.of());
    }

    private static Script.Event only(String s) {
        return parse(s).events().getFirst();
    }

    @Test
    void optionsInitEventsAndCleanup() {
        Script s = parse("""
                --ip_version=ipv6
                --strict_segments
                `sysctl -q a=1`
                0 close(3) = 0
                `echo done`
                """);
        assertThat(s.options()).containsEntry("ip_version", "ipv6").containsEntry("strict_segments", "");
        assertThat(s.init()).isEqualTo("sysctl -q a=1");
        assertThat(s.cleanup()).isEqualTo("echo done");
        assertThat(s.events()).hasSize(1);
        assertThat(s.events().getFirst().line()).isEqualTo(4);
    }

    @Test
    void timeForms() {
        assertThat(only("1.5 close(3) = 0").time()).isEqualTo(Script.Time.point(1_500_000, false));
        assertThat(only("+.25 close(3) = 0").time()).isEqualTo(Script.Time.point(250_000, true));
        assertThat(only("* > . 1:1(0) ack 1").time().kind()).isEqualTo(Script.Time.Kind.ANY);
        assertThat(only("0.1~0.3 > . 1:1(0) ack 1").time())
                .isEqualTo(new Script.Time(Script.Time.Kind.RANGE, 100_000, false, 300_000, false));
        assertThat(only("+0~+0.2 > . 1:1(0) ack 1").time())
                .isEqualTo(new Script.Time(Script.Time.Kind.RANGE, 0, true, 200_000, true));
        assertThat(only("+.1...0.2 accept(3, ..., ...) = 4").time())
                .isEqualTo(new Script.Time(Script.Time.Kind.BLOCKING, 100_000, true, 200_000, true));
    }

    @Test
    void inboundPacketWithEveryField() {
        Script.Packet p = (Script.Packet) only(
                "0 < [ect0] 40001>8080 SEW 0:10(10) ack 5 win 1000 urg 3 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>")
                .action();
        assertThat(p.inbound()).isTrue();
        assertThat(p.ip().ecn()).isEqualTo(2);
        assertThat(p.srcPort()).isEqualTo(40001);
        assertThat(p.dstPort()).isEqualTo(8080);
        assertThat(p.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR);
        assertThat(p.start()).isZero();
        assertThat(p.length()).isEqualTo(10);
        assertThat(p.ack()).isEqualTo(5);
        assertThat(p.window()).isEqualTo(1000);
        assertThat(p.urgent()).isEqualTo(3);
        assertThat(p.options()).containsExactly(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(100, 0), new TcpOption.Nop(), new TcpOption.WindowScale(7));
    }

    @Test
    void flagsAreAdjacentTokens() {
        assertThat(((Script.Packet) only("0 > S. 0:0(0) ack 1 <...>").action()).flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(((Script.Packet) only("0 > FP. 1:1(0) ack 1").action()).flags())
                .isEqualTo(TcpFlags.FIN | TcpFlags.PSH | TcpFlags.ACK);
        assertThat(((Script.Packet) only("0 > - 1:1(0)").action()).flags()).isZero();
        assertThat(((Script.Packet) only("0 > R 1:1(0)").action()).flags()).isEqualTo(TcpFlags.RST);
    }

    @Test
    void outboundOptionsAbsentListedOrAny() {
        Script.Packet none = (Script.Packet) only("0 > . 1:1(0) ack 1").action();
        assertThat(none.options()).isNull();
        assertThat(none.anyOptions()).isFalse();
        assertThat(none.window()).isEqualTo(-1);
        assertThat(((Script.Packet) only("0 > . 1:1(0) ack 1 <...>").action()).anyOptions()).isTrue();
        Script.Packet sack = (Script.Packet) only("0 > . 1:1(0) ack 1 <nop,nop,sack 1:2 3:4,eol,eol,eol,eol>").action();
        assertThat(sack.options().get(2)).isEqualTo(new TcpOption.Sack(new int[] {1, 2, 3, 4}));
        Script.Packet fo = (Script.Packet) only("0 < S 0:0(0) win 1 <FO abcd,FOEXP,nop,nop,nop,nop>").action();
        assertThat(fo.options().getFirst()).isEqualTo(new TcpOption.Unknown(34, new byte[] {(byte) 0xab, (byte) 0xcd}));
        assertThat(fo.options().get(1)).isEqualTo(new TcpOption.Unknown(254, new byte[] {(byte) 0xF9, (byte) 0x89}));
    }

    @Test
    void systemCallArgumentsResultErrnoAndNote() {
        Script.Syscall s = (Script.Syscall) only(
                "0 connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"1.2.3.4\")}, 16) "
                        + "= -1 EINPROGRESS (Operation now in progress)").action();
        assertThat(s.name()).isEqualTo("connect");
        assertThat(s.result()).isEqualTo(-1);
        assertThat(s.errno()).isEqualTo("EINPROGRESS");
        Expr.Struct addr = (Expr.Struct) s.args().get(1);
        assertThat(addr.fields().get("sin_port")).isEqualTo(new Expr.Call("htons", List.of(new Expr.Num(8080))));
        Script.Syscall f = (Script.Syscall) only("0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0x0 (flags)").action();
        assertThat(f.args().get(2)).isEqualTo(new Expr.Or(List.of(new Expr.Sym("O_RDWR"), new Expr.Sym("O_NONBLOCK"))));
        Script.Syscall p = (Script.Syscall) only("0 poll([{fd=4, events=POLLIN, revents=0}], 1, 0) = 0").action();
        assertThat(p.args().getFirst()).isInstanceOf(Expr.Array.class);
        Script.Syscall w = (Script.Syscall) only("0 write(4, ..., 10) = 10").action();
        assertThat(w.args().get(1)).isEqualTo(new Expr.Ellipsis());
    }

    @Test
    void commandsAndCodeWithTimes() {
        Script s = parse("0 `sysctl -q net.ipv4.tcp_sack=0`\n+0 %{ assert tcpi_state == 1 }%\n%{ assert 1 }%");
        assertThat(s.events().get(0).action()).isEqualTo(new Script.Command("sysctl -q net.ipv4.tcp_sack=0"));
        assertThat(s.events().get(1).action()).isEqualTo(new Script.Code("assert tcpi_state == 1"));
        assertThat(s.events().get(2).time()).isEqualTo(Script.Time.point(0, true));
    }

    @Test
    void syntaxErrorsSayWhereAndWhat() {
        assertThatThrownBy(() -> parse("0 < S 0:5(4) win 1")).isInstanceOf(ScriptSyntaxException.class)
                .hasMessageContaining("line 1").hasMessageContaining("not start 0 + length 4");
        assertThatThrownBy(() -> parse("0 < S 0:0(0)")).hasMessageContaining("must give its window");
        assertThatThrownBy(() -> parse("0 > S 0:0(0) <mss 1460,nop>")).hasMessageContaining("not a multiple of 4");
        assertThatThrownBy(() -> parse("* < S 0:0(0) win 1")).hasMessageContaining("only allowed on outbound");
        assertThatThrownBy(() -> parse("0...1 > S 0:0(0)")).hasMessageContaining("only allowed on system calls");
        assertThatThrownBy(() -> parse("0 < S 0:0(0) win 1 <...>")).hasMessageContaining("only allowed on outbound");
        assertThatThrownBy(() -> parse("0 close(3)")).hasMessageContaining("expected '= result'");
        assertThatThrownBy(() -> parse("\n  0 hello")).hasMessageContaining("line 2:5")
                .hasMessageContaining("expected a packet");
        assertThatThrownBy(() -> parse("0 close(3) = 0\n--mss=1000")).hasMessageContaining("before the first event");
        assertThatThrownBy(() -> parse("0 > X 0:0(0)")).hasMessageContaining("expected TCP flags");
    }

    @Test
    void unsupportedConstructsAreSkipsNotSyntaxErrors() {
        assertThatThrownBy(() -> parse("0 < gre (10)")).isInstanceOf(ScriptUnsupportedException.class)
                .hasMessageContaining("gre packet lines");
        assertThatThrownBy(() -> parse("0 < S 0:0(0) win 1 <exp 1,nop>")).isInstanceOf(ScriptUnsupportedException.class);
    }

    @Test
    void directivesIncludingContinuationLines() {
        Script.Directives d = Parser.directives("""
                // A comment.
                // requirement: MUST-10, MUST-11
                // requirements: SHLD-2
                // xfail: the engine does X
                //   and also Y.
                // linux-differs: Linux says Z.
                0 close(3) = 0
                """);
        assertThat(d.requirements()).containsExactly("MUST-10", "MUST-11", "SHLD-2");
        assertThat(d.xfail()).isEqualTo("the engine does X and also Y.");
        assertThat(d.linuxDiffers()).isEqualTo("Linux says Z.");
    }

    @Test
    void icmpAndUdpLinesParseAsOtherPackets() {
        assertThat(only("+0 < icmp unreachable frag_needed mtu 840 [0:1000(1000)]"))
                .extracting(Script.Event::action)
                .isEqualTo(new Script.OtherPacket(true, "icmp", "icmp unreachable frag_needed mtu 840 [0:1000(1000)]"));
        assertThat(only("+0 < icmp packet_too_big mtu 1400 [0:1440(1440)]").action()).isInstanceOf(Script.OtherPacket.class);
        assertThat(only("0.45 < icmp type_255 code_0").action()).isInstanceOf(Script.OtherPacket.class);
        assertThat(parse("0 < icmp echo_reply\n0.1 close(3) = 0").events()).hasSize(2);
        assertThat(only("0 > udp (100)").action()).isEqualTo(new Script.OtherPacket(false, "udp", "udp (100)"));
        assertThat(only("0.25 < [1:1461(1460)] icmp unreachable frag_needed mtu 1200").action())
                .isEqualTo(new Script.OtherPacket(true, "icmp", "icmp unreachable frag_needed mtu 1200 [1:1461(1460)]"));
        assertThat(only("+0.05 < icmp unreachable frag_needed mtu 1300 [udp(1400)]").action())
                .isEqualTo(new Script.OtherPacket(true, "icmp", "icmp unreachable frag_needed mtu 1300 [udp (1400)]"));
        assertThatThrownBy(() -> parse("0 < icmp [1:2(1)]")).isInstanceOf(ScriptSyntaxException.class);
        assertThatThrownBy(() -> parse("0 < icmp unreachable [1:2(1)")).isInstanceOf(ScriptSyntaxException.class);
    }
}
