package dev.jtcp.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.tcp.TcpConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ShellCommandsTest {
    @Test
    void sysctlFormsBecomeSettings() {
        assertThat(ShellCommands.parse("sysctl -q net.ipv4.tcp_sack=0 net.ipv4.tcp_timestamps=1; "
                + "sysctl -w net/ipv4/tcp_fin_timeout=30 && echo 2 > /proc/sys/net/ipv4/tcp_syncookies", 1))
                .containsExactly(new ShellCommands.Setting("net.ipv4.tcp_sack", "0"),
                        new ShellCommands.Setting("net.ipv4.tcp_timestamps", "1"),
                        new ShellCommands.Setting("net.ipv4.tcp_fin_timeout", "30"),
                        new ShellCommands.Setting("net.ipv4.tcp_syncookies", "2"));
        assertThat(ShellCommands.parse("sysctl -q net.ipv4.tcp_rmem=\"4096 131072 6291456\"", 1))
                .containsExactly(new ShellCommands.Setting("net.ipv4.tcp_rmem", "4096 131072 6291456"));
    }

    @Test
    void settingsMapOntoTheConfiguration() {
        TcpConfig.Builder b = TcpConfig.builder();
        for (ShellCommands.Setting s : ShellCommands.parse("sysctl -q net.ipv4.tcp_sack=0 net.ipv4.tcp_syncookies=2 "
                + "net.ipv4.tcp_rmem='4096 8192 16384' net.ipv4.tcp_keepalive_time=60 net.ipv4.tcp_syn_retries=2 "
                + "jtcp.delayed_ack_ms=100", 1)) {
            ShellCommands.apply(s, b, 1);
        }
        TcpConfig c = b.build();
        assertThat(c.sack()).isFalse();
        assertThat(c.synCookies()).isEqualTo(TcpConfig.SynCookieMode.ALWAYS);
        assertThat(c.receiveBufferBytes()).isEqualTo(8192);
        assertThat(c.keepAliveIdleNs()).isEqualTo(Duration.ofSeconds(60).toNanos());
        assertThat(c.synRetransmitTimeoutNs()).isEqualTo(Duration.ofSeconds(7).toNanos());
        assertThat(c.delayedAckNs()).isEqualTo(Duration.ofMillis(100).toNanos());
    }

    @Test
    void otherCommandsAndSettingsAreUnsupported() {
        assertThatThrownBy(() -> ShellCommands.parse("tc qdisc add dev tun0 root netem", 3))
                .isInstanceOf(ScriptUnsupportedException.class).hasMessageContaining("only sysctl settings are");
        assertThatThrownBy(() -> ShellCommands.parse("ss -tn | grep -c 8080", 3)).isInstanceOf(ScriptUnsupportedException.class);
        assertThatThrownBy(() -> ShellCommands.apply(new ShellCommands.Setting("net.core.somaxconn", "5"),
                TcpConfig.builder(), 3)).hasMessageContaining("no jtcp equivalent");
        assertThatThrownBy(() -> ShellCommands.apply(new ShellCommands.Setting("net.ipv4.tcp_ecn", "3"),
                TcpConfig.builder(), 3)).hasMessageContaining("not Accurate ECN");
        assertThatThrownBy(() -> ShellCommands.apply(new ShellCommands.Setting("net.ipv4.tcp_fastopen", "1"),
                TcpConfig.builder(), 3)).hasMessageContaining("no TCP Fast Open");
    }
}
