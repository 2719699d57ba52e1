package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtcp forward --socks5} between two namespaces ({@link ForwardRig}) through a real SOCKS5
 * server, Dante's danted: TCP through CONNECT (download, half-closes, refused, unreachable as the
 * proxy reports them) and UDP through UDP ASSOCIATE (RFC 1928 §7: the echo, and DNS against
 * dnsmasq). Needs root.
 */
@NeedsTools({"ip", "ss", "curl", "python3", "danted"})
class ForwardSocksInteropTest {
    @TempDir
    static Path dir;
    static ForwardRig rig;

    @BeforeAll
    static void setUp() throws Exception {
        rig = ForwardRig.create("fws", dir);
        Danted.start(rig);
        rig.forward("--socks5", ForwardRig.PROXY + ":1080");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void curlDownloadsThroughTheProxy() throws Exception {
        Path got = dir.resolve("got");
        ExternalTools.Result r = rig.client.exec(Duration.ofSeconds(60), "curl", "-sS", "--fail", "--max-time", "50",
                "-o", got.toString(), "http://" + ForwardRig.SERVER + ":8000/f4m");
        r.requireSuccess();
        assertThat(TestFiles.sha256(got)).isEqualTo(TestFiles.sha256(rig.served.resolve("f4m")));
        assertThat(rig.forward.stderr()).contains("relayed via socks5 /" + ForwardRig.PROXY + ":1080");
    }

    @Test
    void halfClosesRefusalsUnreachablesAndUdpCrossTheProxy() throws Exception {
        ForwardInteropTest.assertClientScript(rig);
        assertThat(rig.forward.stderr()).as("the echo went through a UDP association")
                .containsPattern("udp /198\\.18\\.0\\.1:\\d+ -> /" + ForwardRig.SERVER.replace(".", "\\.")
                        + ":9002: relayed via socks5 .* \\(relay /" + ForwardRig.PROXY.replace(".", "\\.") + ":\\d+\\)");
    }

    @Test
    @NeedsTools("dnsmasq")
    void dnsLookupsGoThroughAUdpAssociation() throws Exception {
        rig.startDnsmasq();
        ForwardInteropTest.assertDns(rig);
    }
}
