package dev.jtcp.trace;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jtcp.pcap.CaptureReader;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Fuzzes what {@code jtcp trace FILE} does with a capture file: {@link CaptureReader} (pcap and
 * pcapng, both byte orders, every block type), {@link CaptureAnalyzer} (connections, states inferred
 * from segments), the report of every connection, and for the first connection the narration and
 * the terminal ladder. Malformed input must become skip reasons and text, never an exception.
 * Corpus: {@code src/test/resources/dev/jtcp/trace/CaptureFuzzTestInputs/captures}; how to run
 * it long: {@code docs/fuzzing.md}.
 */
class CaptureFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void captures(byte[] data) {
        CaptureAnalyzer.Analysis analysis;
        try (CaptureReader reader = CaptureReader.of(data)) {
            analysis = CaptureAnalyzer.analyze(reader, 0, progress -> {});
            reader.skippedSummary();
        } catch (IOException e) {
            // An in-memory capture does no I/O: an IOException here is a finding.
            throw new UncheckedIOException(e);
        }
        analysis.summary();
        for (ConnectionReport r : analysis.connections()) {
            r.row(analysis.startNs());
            r.format(analysis.startNs());
        }
        if (!analysis.connections().isEmpty()) {
            ConnectionReport r = analysis.connections().getFirst();
            var explanations = new Narrator().explain(analysis.collected());
            Ladder ladder = new LadderBuilder().title("fuzz").relative(true).explanations(explanations::get)
                    .column(r.aName(), r.a()).column(r.bName(), r.b()).build(analysis.collected());
            TerminalLadder.render(ladder, new TerminalLadder.Options(false, 100, true));
        }
    }
}
