package dev.jtcp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.link.tun.InterfaceConfig;
import dev.jtcp.link.tun.Netns;
import dev.jtcp.link.tun.TunDevice;
import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples of docs/embedding.md run, and the document shows them exactly as they are here. */
class EmbeddingExamplesTest {
    @Test
    void theMemoryLinkEchoRoundTrips() throws Exception {
        assertThat(EchoOverMemoryLink.run("hello, jtcp")).isEqualTo("hello, jtcp");
    }

    @Test
    void theDocumentQuotesTheExampleSourceVerbatim() throws Exception {
        Path doc = Path.of("..", "docs", "embedding.md");
        String source = Files.readString(Path.of("src/test/java/dev/jtcp/examples/EchoOverMemoryLink.java"));
        String body = source.substring(source.indexOf("/** Two jtcp stacks"));
        assertThat(Files.readString(doc)).as("docs/embedding.md quotes EchoOverMemoryLink.java").contains(body.strip());
    }

    @Test
    void theDocumentQuotesTheVpnExampleVerbatim() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/jtcp/examples/VpnOnOwnTun.java"));
        String body = source.substring(source.indexOf("/** A VPN app's"));
        assertThat(Files.readString(Path.of("..", "docs", "embedding.md"))).as("docs/embedding.md quotes VpnOnOwnTun.java")
                .contains(body.strip());
    }

    /**
     * The VPN example on a TUN descriptor opened elsewhere (here by the test, in a namespace of its
     * own): its policy turns port 25 away, so the client's connection is refused, and nothing leaves
     * this machine (no flow is relayed: the test's JVM is outside the namespace). Needs root.
     */
    @Test
    @NeedsTools({"ip", "python3"})
    void theVpnExampleRunsOnAnAdoptedTunAndItsPolicyRefuses() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("vpnfd")) {
            TunDevice tun = Netns.call(ns.name(), () -> TunDevice.open("jtvpn0", false));
            InterfaceConfig.configure(ns.name(), "jtvpn0", 1500, List.of("198.18.0.1/24"));
            ns.exec("ip", "route", "add", "198.19.0.0/16", "dev", "jtvpn0").requireSuccess();
            try (VpnOnOwnTun vpn = VpnOnOwnTun.start(tun.fd(), 1500, new InetSocketAddress("198.18.0.9", 1080))) {
                ExternalTools.Result r = ns.exec(Duration.ofSeconds(30), "python3", "-c", """
                        import socket
                        try:
                            socket.create_connection(("198.19.0.10", 25), timeout=5)
                            print("connected")
                        except ConnectionRefusedError:
                            print("refused")
                        """).requireSuccess();
                assertThat(r.stdout().strip()).isEqualTo("refused");
                assertThat(vpn.forwarder().flowsRefused()).isEqualTo(1);
                assertThat(vpn.forwarder().flowsRelayed()).isZero();
            }
        }
    }
}
