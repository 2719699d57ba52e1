package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.ExternalTools;
import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without CAP_NET_ADMIN, every TUN command says what to do and exits 77 (EX_NOPERM). */
@NeedsTools({"ip", "setpriv"})
class NotRootTest {
    @TempDir
    Path dir;

    @Test
    void withoutCapNetAdminTheCommandsExplainAndExit77() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("noperm")) {
            for (String[] args : new String[][] {{"serve", "echo"}, {"connect", "198.18.0.1", "7"},
                    {"get", "http://198.18.0.1/"}}) {
                // Root without CAP_NET_ADMIN: what an unprivileged user meets.
                List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-net_admin",
                        "--inh-caps=-net_admin"));
                cmd.addAll(Jtcp.javaCommand(args));
                ExternalTools.Result r = ns.exec(Duration.ofSeconds(60), cmd.toArray(String[]::new));
                assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(77);
                assertThat(r.stderr()).contains("operation not permitted (EPERM)")
                        .contains("run as root or grant CAP_NET_ADMIN");
            }
        }
    }
}
