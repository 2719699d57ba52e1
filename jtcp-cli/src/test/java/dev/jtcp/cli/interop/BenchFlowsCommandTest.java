package dev.jtcp.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.testutil.NeedsTools;
import dev.jtcp.testutil.NetnsFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtcp bench flows} at a CI-sized count (the 10,000-flow figure comes from bench/flows.sh):
 * 300 relayed connections open at once through the forwarder, every one released after close
 * (the forwarder's table empty, the heap back where it was), and a SYN flood that leaves the heap
 * flat. Needs root.
 */
@NeedsTools({"ip", "python3"})
class BenchFlowsCommandTest {
    @TempDir
    Path dir;

    @Test
    void relayedFlowsAreReleasedAfterCloseAndASynFloodKeepsMemoryFlat() throws Exception {
        try (NetnsFixture client = NetnsFixture.create("flc"); NetnsFixture server = NetnsFixture.create("fls")) {
            server.exec("ip", "addr", "add", "198.19.0.10/32", "dev", "lo").requireSuccess();
            try (Jtcp bench = Jtcp.start(server, dir, null, "bench", "flows", "--netns", client.name(),
                    "--flows", "300", "--syn-flood", "5000", "--max-flows", "256")) {
                assertThat(bench.waitFor(Duration.ofSeconds(180))).as(bench.stderr()).isZero();
                String out = bench.stdout();
                System.out.println(out);
                assertThat(out).contains("300 flows in the forwarder's table").contains("flows left 0");
                long perFlow = number(out, "open \\(([\\d,]+) B per flow\\), [\\d,]+ KiB after close");
                long heapLeft = number(out, "released after close: heap (-?[\\d,]+) KiB above before");
                assertThat(perFlow).as("heap per open flow").isBetween(1_000L, 200_000L);
                assertThat(heapLeft).as("KiB of heap not given back, of %d KiB open", perFlow * 300 / 1024)
                        .isLessThan(Math.max(1024, perFlow * 300 / 1024 / 5));
                long floodGrowth = number(out, "during the flood: at most [\\d,]+ KiB \\(\\+?(-?[\\d,]+) KiB on before\\)");
                assertThat(floodGrowth).as("heap growth during the flood, KiB").isLessThan(16 * 1024);
            }
        }
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex + " in\n" + text).isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
