package dev.jtcp.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.event.TcpState;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.wire.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellTest {
    @Test
    void sysctlLinesBecomeSettings() {
        assertThat(Shell.parse("sysctl -q net.ipv4.tcp_sack=0 net.ipv4.tcp_timestamps=1; "
                + "sysctl -w net/ipv4/tcp_fin_timeout=30 && echo 2 > /proc/sys/net/ipv4/tcp_syncookies", 1))
                .containsExactly(new Shell.Setting("net.ipv4.tcp_sack", "0"),
                        new Shell.Setting("net.ipv4.tcp_timestamps", "1"),
                        new Shell.Setting("net.ipv4.tcp_fin_timeout", "30"),
                        new Shell.Setting("net.ipv4.tcp_syncookies", "2"));
        assertThat(Shell.parse("sysctl -q -e net.ipv4.tcp_rmem=\"4096 131072 6291456\"", 1))
                .containsExactly(new Shell.Setting("net.ipv4.tcp_rmem", "4096 131072 6291456"));
    }

    @Test
    void arithmeticCommentsAndRedirectionsAreUnderstood() {
        assertThat(Shell.parse("# a comment\nsysctl -q net.ipv4.tcp_rmem=\"4096 540000 $((15*1024*1024))\" "
                + "> /dev/null 2>&1 # trailing comment", 1))
                .containsExactly(new Shell.Setting("net.ipv4.tcp_rmem", "4096 540000 15728640"));
        assertThat(Shell.Arithmetic.evaluate("(1 << 4) + 0x10 - 6 / 2 % 4", 1)).isEqualTo(29);
        assertThatThrownBy(() -> Shell.parse("sysctl -q x=$((1/0))", 1)).hasMessageContaining("division by zero");
    }

    @Test
    void setSysctlsHelperArgumentsAreSettingsAcrossContinuations() {
        assertThat(Shell.parse("../common/set_sysctls.py /proc/sys/net/ipv4/tcp_timestamps=0 \\\n"
                + "  /proc/sys/net/ipv4/tcp_wmem=\"4096 50000 4194304\"", 1))
                .containsExactly(new Shell.Setting("net.ipv4.tcp_timestamps", "0"),
                        new Shell.Setting("net.ipv4.tcp_wmem", "4096 50000 4194304"));
    }

    @Test
    void aSettingsFileRunsRelativeToTheScriptAndItsSettingsAreBaseline(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("common"));
        Files.writeString(dir.resolve("common/defaults.sh"), "#!/bin/bash\n# defaults\n"
                + "sysctl -q net.ipv4.tcp_sack=1\ntc qdisc add dev tun0 root pfifo\n");
        Files.createDirectories(dir.resolve("tests"));
        List<Shell.Step> steps = Shell.parse("../common/defaults.sh\nsysctl -q net.ipv4.tcp_ecn=1", 3,
                dir.resolve("tests"));
        assertThat(steps).hasSize(3);
        assertThat(steps.get(0)).isEqualTo(new Shell.Setting("net.ipv4.tcp_sack", "1", true));
        assertThat(steps.get(1)).isInstanceOf(Shell.NoOp.class);
        assertThat(steps.get(2)).isEqualTo(new Shell.Setting("net.ipv4.tcp_ecn", "1", false));
        assertThatThrownBy(() -> Shell.parse("../common/missing.sh", 3, dir.resolve("tests")))
                .isInstanceOf(ScriptUnsupportedException.class).hasMessageContaining("cannot read settings file");
    }

    @Test
    void deviceCommandsAreNotedNoOps() {
        for (String c : List.of("tc qdisc add dev tun0 root pfifo", "ethtool -K tun0 gso off tso off",
                "ip tcp_metrics flush all > /dev/null 2>&1", "nstat > /dev/null", "/tmp/sysctl_restore_${PPID}.sh",
                "true")) {
            assertThat(Shell.parse(c, 1)).as(c).singleElement().isInstanceOf(Shell.NoOp.class);
        }
    }

    @Test
    void otherCommandsAreUnsupportedWithTheCommandAsReason() {
        assertThatThrownBy(() -> Shell.parse("ip route change 192.0.2.1 via 192.168.0.2 dev tun0 advmss 600", 3))
                .isInstanceOf(ScriptUnsupportedException.class).hasMessageContaining("ip route change");
        assertThatThrownBy(() -> Shell.parse("/bin/rm -rf /tmp", 3)).isInstanceOf(ScriptUnsupportedException.class);
        assertThatThrownBy(() -> Shell.parse("dd if=/dev/urandom of=/tmp/f bs=1 count=5", 3))
                .hasMessageContaining("if=/dev/zero");
        assertThatThrownBy(() -> Shell.parse("ps aux | grep packetdrill", 3))
                .hasMessageContaining("only ss, netstat, sockstat, nstat and /proc/net/tcp");
        assertThatThrownBy(() -> Shell.parse("nstat -a | grep TcpExtOutOfWindowIcmps", 3))
                .hasMessageContaining("nstat arguments");
        assertThat(Shell.parse("nstat | grep TcpExtOutOfWindowIcmps > /dev/null", 3)).singleElement()
                .isInstanceOf(Shell.StateCheck.class);
        assertThatThrownBy(() -> Shell.parse("echo $HOME", 3)).hasMessageContaining("variables");
        // A queue of no packets emulates local congestion (the kernel's sends fail): no equivalent here.
        assertThatThrownBy(() -> Shell.parse("tc qdisc replace dev tun0 root pfifo limit 0", 3))
                .isInstanceOf(ScriptUnsupportedException.class).hasMessageContaining("no local queue");
    }

    @Test
    void filesForSendfileAreEmulatedNotWritten() {
        assertThat(Shell.parse("/bin/rm -f /tmp/testfile\n/bin/dd bs=1 count=5 if=/dev/zero of=/tmp/testfile status=none", 3))
                .containsExactly(new Shell.FileWrite("/tmp/testfile", -1), new Shell.FileWrite("/tmp/testfile", 5));
    }

    @Test
    void procNetTcpIsRenderedAsTheKernelWritesIt() {
        IpAddress local = IpAddress.parse("192.168.0.1");
        IpAddress remote = IpAddress.parse("192.0.2.1");
        StateChecks.Row listener = new StateChecks.Row(local, 8080, null, 0, TcpState.LISTEN);
        StateChecks.Row child = new StateChecks.Row(local, 8080, remote, 40000, TcpState.ESTABLISHED);
        assertThat(StateChecks.render(StateChecks.Tool.PROC, listener))
                .startsWith("   0: 0100A8C0:1F90 00000000:0000 0A ");
        assertThat(StateChecks.render(StateChecks.Tool.PROC_NAMED, child))
                .startsWith("/proc/net/tcp:   0: 0100A8C0:1F90 010200C0:9C40 01 ");
        assertThat(check("grep \" 0A \" /proc/net/tcp /proc/net/tcp6 | grep \":1F90\"", List.of(listener))).isTrue();
        assertThat(check("grep \" 0A \" /proc/net/tcp6", List.of(listener))).isFalse();
        assertThat(check("cat /proc/net/tcp | grep -v \" 0A \"", List.of(listener, child))).isTrue();
        assertThatThrownBy(() -> Shell.parse("grep x /etc/passwd", 3)).hasMessageContaining("/proc/net/tcp");
    }

    @Test
    void statePipelinesSelectSocketsAsTheToolsWouldShowThem() {
        IpAddress local = IpAddress.parse("192.168.0.1");
        IpAddress remote = IpAddress.parse("192.0.2.1");
        List<StateChecks.Row> rows = List.of(new StateChecks.Row(local, 8080, null, 0, TcpState.LISTEN),
                new StateChecks.Row(local, 8080, remote, 40000, TcpState.SYN_RECEIVED));
        assertThat(check("ss -4 -n state SYN-RECV | grep 192.168.0.1:8080 > /dev/null", rows)).isTrue();
        assertThat(check("ss -6 -n state SYN-RECV | grep 192.168.0.1:8080", rows)).isFalse();
        assertThat(check("ss -n state ESTAB | grep :8080", rows)).isFalse();
        assertThat(check("netstat -tn | grep LISTEN | grep -v 192.0.2.1", rows)).isTrue();
        assertThat(check("sockstat -4 -P tcp -s | grep -c SYN_RECEIVED", rows)).isTrue();
        assertThat(check("sockstat -4 -P tcp -s | grep 192.168.0.1.8080", rows)).isTrue();
        assertThat(check("ss -4 -n '( sport = :9090 )' | grep 192", rows)).isFalse();
    }

    private static boolean check(String command, List<StateChecks.Row> rows) {
        Shell.StateCheck c = (Shell.StateCheck) Shell.parse(command, 1).getFirst();
        return StateChecks.evaluate(c.check(), rows);
    }

    @Test
    void linuxSettingsMapOntoTheConfiguration() {
        TcpConfig.Builder b = TcpConfig.builder();
        for (Shell.Step s : Shell.parse("sysctl -q net.ipv4.tcp_sack=0 net.ipv4.tcp_syncookies=2 "
                + "net.ipv4.tcp_rmem='4096 8192 16777216' net.ipv4.tcp_wmem='4096 65536 4194304' "
                + "net.ipv4.tcp_keepalive_time=60 net.ipv4.tcp_syn_retries=2 net.ipv4.tcp_reordering=5 "
                + "net.ipv4.tcp_fastopen=0x70403 net.ipv4.tcp_dsack=1 jtcp.delayed_ack_ms=100", 1)) {
            assertThat(Sysctls.apply((Shell.Setting) s, b, 1)).isNull();
        }
        TcpConfig c = b.build();
        assertThat(c.sack()).isFalse();
        assertThat(c.synCookies()).isEqualTo(TcpConfig.SynCookieMode.ALWAYS);
        // The window scale follows the largest receive buffer, as Linux's tcp_select_initial_window.
        assertThat(c.receiveBufferBytes()).isEqualTo(16777216);
        assertThat(c.sendBufferBytes()).isEqualTo(65536);
        assertThat(c.keepAliveIdleNs()).isEqualTo(Duration.ofSeconds(60).toNanos());
        assertThat(c.synRetransmitTimeoutNs()).isEqualTo(Duration.ofSeconds(7).toNanos());
        assertThat(c.dupAckThreshold()).isEqualTo(5);
        assertThat(c.delayedAckNs()).isEqualTo(Duration.ofMillis(100).toNanos());
    }

    @Test
    void behaviourJtcpLacksIsACaveatFromASettingsFileAndASkipFromTheScript() {
        Shell.Setting fromFile = new Shell.Setting("net.ipv4.tcp_congestion_control", "vegas", true);
        assertThat(Sysctls.apply(fromFile, TcpConfig.builder(), 1)).contains("reno, cubic and bbr");
        TcpConfig.Builder cubic = TcpConfig.builder().congestionControl(TcpConfig.CongestionAlgorithm.RENO);
        assertThat(Sysctls.apply(new Shell.Setting("net.ipv4.tcp_congestion_control", "cubic", true), cubic, 1))
                .isNull();
        assertThat(cubic.build().congestionControl()).isEqualTo(TcpConfig.CongestionAlgorithm.CUBIC);
        TcpConfig.Builder noFrto = TcpConfig.builder();
        assertThat(Sysctls.apply(new Shell.Setting("net.ipv4.tcp_frto", "0"), noFrto, 1)).isNull();
        assertThat(noFrto.build().frto()).isFalse();
        assertThat(Sysctls.apply(new Shell.Setting("net.ipv4.tcp_early_retrans", "4"), TcpConfig.builder(), 1)).isNull();
        assertThatThrownBy(() -> Sysctls.apply(new Shell.Setting("net.core.somaxconn", "5"), TcpConfig.builder(), 3))
                .hasMessageContaining("no jtcp equivalent");
        assertThatThrownBy(() -> Sysctls.apply(new Shell.Setting("net.ipv4.tcp_ecn", "3"), TcpConfig.builder(), 3))
                .hasMessageContaining("not Accurate ECN");
    }

    @Test
    void freeBsdSettingsMapOntoTheConfiguration() {
        TcpConfig.Builder b = TcpConfig.builder();
        for (Shell.Step s : Shell.parse("sysctl net.inet.tcp.rfc1323=0 net.inet.tcp.sack.enable=0 "
                + "net.inet.tcp.recvspace=32768 net.inet.tcp.sendspace=16384 net.inet.tcp.rexmit_initial=3000 "
                + "net.inet.tcp.delacktime=100 net.inet.tcp.msl=15000 net.inet.tcp.ecn.enable=1 "
                + "net.inet.tcp.insecure_rst=0 kern.ipc.maxsockbuf=2097152", 1)) {
            assertThat(Sysctls.apply((Shell.Setting) s, b, 1)).isNull();
        }
        TcpConfig c = b.build();
        assertThat(c.windowScaling()).isFalse();
        assertThat(c.timestamps()).isFalse();
        assertThat(c.sack()).isFalse();
        assertThat(c.receiveBufferBytes()).isEqualTo(32768);
        assertThat(c.sendBufferBytes()).isEqualTo(16384);
        assertThat(c.initialRtoNs()).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(c.delayedAckNs()).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(c.mslNs()).isEqualTo(Duration.ofSeconds(15).toNanos());
        assertThat(c.ecn()).isEqualTo(TcpConfig.EcnMode.ON);
        assertThatThrownBy(() -> Sysctls.apply(new Shell.Setting("net.inet.tcp.insecure_rst", "1"), TcpConfig.builder(), 1))
                .hasMessageContaining("RFC 5961");
        assertThatThrownBy(() -> Sysctls.apply(new Shell.Setting("net.inet.tcp.drop_synfin", "1"), TcpConfig.builder(), 1))
                .hasMessageContaining("SYN+FIN");
    }
}
