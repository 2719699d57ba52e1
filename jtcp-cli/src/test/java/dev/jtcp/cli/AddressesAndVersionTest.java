package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AddressesAndVersionTest {
    @Test
    void endpointsPrintWithoutSlashAndIpv6Compressed() throws Exception {
        assertThat(Addresses.format(new InetSocketAddress(InetAddress.getByName("198.18.0.2"), 8080)))
                .isEqualTo("198.18.0.2:8080");
        assertThat(Addresses.format(new InetSocketAddress(InetAddress.getByName("fd00:0:0:0:0:0:0:1"), 80)))
                .isEqualTo("[fd00::1]:80");
        assertThat(Addresses.format("fd00::2/64", 7)).isEqualTo("[fd00::2]:7");
        assertThat(Addresses.format("198.18.0.2/24", 7)).isEqualTo("198.18.0.2:7");
    }

    @Test
    void versionNamesTheCommitItWasBuiltFrom() {
        String props = "version=1.2.3\ncommit=0123456789ab\ndirty=false\n";
        assertThat(Main.Version.describe(new ByteArrayInputStream(props.getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("jtcp 1.2.3 (commit 0123456789ab)");
        assertThat(Main.Version.describe(new ByteArrayInputStream((props + "dirty=true\n").getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("jtcp 1.2.3 (commit 0123456789ab with local changes)");
        assertThat(Main.Version.describe(new ByteArrayInputStream("version=1.2.3\ncommit=unknown\n".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("jtcp 1.2.3 (commit unknown: not built from a git checkout)");
        assertThat(Main.Version.describe(null)).isEqualTo("jtcp (development build) (commit unknown: not built from a git checkout)");
    }

    @Test
    void theBuildRecordsVersionAndCommit() {
        String[] lines = new Main.Version().getVersion();
        assertThat(lines[0]).startsWith("jtcp ").doesNotContain("development build").contains("commit ");
    }
}
