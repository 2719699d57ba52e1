package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ctrl-C or SIGTERM ends {@code jtcp serve} quietly, with the signal's exit status, and the TUN gone. */
@NeedsTools("ip")
class SignalsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "SIG{0}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSignalEndsServeQuietlyAndRemovesTheInterface(String signal, int status) throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("signal");
             Jtcp server = Jtcp.start(ns, dir, null, "serve", "echo")) {
            server.awaitStderr("serving echo on 198.18.0.2:7, [fd00::2]:7", Duration.ofSeconds(30));
            assertThat(ns.exec("ip", "link", "show", "jtcp0").succeeded()).isTrue();

            int exit = server.signal(signal, Duration.ofSeconds(20));

            assertThat(exit).isEqualTo(status);
            assertThat(server.stderr()).doesNotContain("Exception", "\tat ", "Socket closed");
            assertThat(ns.exec("ip", "link", "show", "jtcp0").succeeded()).isFalse();
        }
    }
}
