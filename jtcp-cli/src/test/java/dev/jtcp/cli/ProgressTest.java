package dev.jtcp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void progressLineWithAKnownSizeHasPercentRateAndEta() {
        assertThat(Progress.line(500_000_000L, 0, 1_000_000_000L, false, 4_000_000_000L))
                .isEqualTo("received 500.0 MB of 1.0 GB (50%), 125.0 MB/s, ETA 4 s");
        assertThat(Progress.line(0, 3_000_000, 6_000_000, true, 2_000_000_000L))
                .isEqualTo("sent 3.0 MB of 6.0 MB (50%), 1.5 MB/s, ETA 2 s");
        assertThat(Progress.line(100, 0, 100, false, 1_000_000_000L)).isEqualTo("received 100 B of 100 B (100%), 0.0 MB/s");
    }

    @Test
    void progressLineWithoutASizeCountsBothWays() {
        assertThat(Progress.line(3_000_000, 1000, -1, false, 1_000_000_000L))
                .isEqualTo("received 3.0 MB, sent 1.0 kB, 3.0 MB/s");
    }

    @Test
    void summarySaysBytesTimeAndRate() {
        assertThat(Progress.summary(1L << 30, 0, 3_215_000_000L)).isEqualTo("1073741824 bytes received in 3.215 s (334.0 MB/s)");
        assertThat(Progress.summary(0, 5_000_000, 1_000_000_000L)).isEqualTo("5000000 bytes sent in 1.000 s (5.0 MB/s)");
        assertThat(Progress.summary(10, 20, 1_000_000_000L)).isEqualTo("10 bytes received, 20 bytes sent in 1.000 s (0.0 MB/s)");
        assertThat(Progress.summary(0, 0, 0)).isEqualTo("0 bytes received in 0.000 s (0.0 MB/s)");
        assertThat(Progress.took(1 << 20, 512_000_000L)).isEqualTo("1048576 bytes in 0.512 s (2.0 MB/s)");
    }

    @Test
    void unitsAndEtas() {
        assertThat(Progress.bytes(999)).isEqualTo("999 B");
        assertThat(Progress.bytes(1500)).isEqualTo("1.5 kB");
        assertThat(Progress.bytes(200_000_000)).isEqualTo("200.0 MB");
        assertThat(Progress.bytes(Long.MAX_VALUE)).isEqualTo("9.2 EB");
        assertThat(Progress.duration(59_000_000_000L)).isEqualTo("59 s");
        assertThat(Progress.duration(125_000_000_000L)).isEqualTo("2 min 5 s");
        assertThat(Progress.duration(3_780_000_000_000L)).isEqualTo("1 h 3 min");
    }

    @Test
    void notOnATerminalOnlyTheSummaryIsPrinted() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long[] now = {0};
        Progress p = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), false, () -> now[0]).start();
        try (OutputStream body = p.receivedInto(OutputStream.nullOutputStream())) {
            body.write(new byte[4096]);
            body.write(new byte[904]);
        }
        p.sentFrom(new java.io.ByteArrayInputStream(new byte[100])).readAllBytes();
        now[0] = 2_000_000_000L;
        p.finish("HTTP/1.1 200 OK, ");

        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("jtcp: HTTP/1.1 200 OK, 5000 bytes received, 100 bytes sent in 2.000 s (0.0 MB/s)"
                        + System.lineSeparator());
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndClearedBeforeTheSummary() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long[] now = {0};
        Progress p = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), true, () -> now[0]);
        p.expect(1000, false);
        p.start();
        p.receivedInto(OutputStream.nullOutputStream()).write(new byte[500]);
        now[0] = 1_000_000_000L;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!err.toString(StandardCharsets.UTF_8).contains("(50%)") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        p.finish("");

        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\rreceived 500 B of 1.0 kB (50%), 0.0 MB/s, ETA 1 s")
                .endsWith("\rjtcp: 500 bytes received in 1.000 s (0.0 MB/s)" + System.lineSeparator());
    }
}
