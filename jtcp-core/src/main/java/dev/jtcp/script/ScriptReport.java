package dev.jtcp.script;

import dev.jtcp.trace.Xml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Totals and JUnit XML for a set of script results. */
public final class ScriptReport {
    private ScriptReport() {
    }

    /** {@code N passed, N failed, N skipped}, then the expected failures if there are any. */
    public static String totals(List<ScriptResult> results) {
        long passed = count(results, ScriptResult.Outcome.PASSED);
        long failed = results.stream().filter(r -> r.outcome().isFailure()).count();
        long skipped = count(results, ScriptResult.Outcome.SKIPPED);
        long xfailed = count(results, ScriptResult.Outcome.XFAILED);
        return passed + " passed, " + failed + " failed, " + skipped + " skipped"
                + (xfailed > 0 ? ", " + xfailed + " expected failure" + (xfailed == 1 ? "" : "s") : "");
    }

    private static long count(List<ScriptResult> results, ScriptResult.Outcome o) {
        return results.stream().filter(r -> r.outcome() == o).count();
    }

    /** One line per script: {@code PASS name}, {@code FAIL name: message}... */
    public static String line(ScriptResult r) {
        String tag = switch (r.outcome()) {
            case PASSED -> "PASS ";
            case FAILED -> "FAIL ";
            case SKIPPED -> "SKIP ";
            case XFAILED -> "XFAIL";
            case XPASSED -> "XPASS";
        };
        return tag + " " + r.name() + (r.message().isEmpty() ? "" : ": " + r.message());
    }

    /** Writes JUnit XML (one testsuite, a testcase per script; expected failures pass with a note). */
    public static void writeJUnitXml(Path file, String suite, List<ScriptResult> results) throws IOException {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        long failures = results.stream().filter(r -> r.outcome().isFailure()).count();
        double seconds = results.stream().mapToLong(ScriptResult::wallNanos).sum() / 1e9;
        sb.append(String.format(Locale.ROOT, "<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\">%n",
                Xml.escape(suite), results.size(), failures, count(results, ScriptResult.Outcome.SKIPPED), seconds));
        for (ScriptResult r : results) {
            sb.append(String.format(Locale.ROOT, "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\"",
                    Xml.escape(suite), Xml.escape(r.name()), r.wallNanos() / 1e9));
            switch (r.outcome()) {
                case PASSED -> sb.append("/>\n");
                case SKIPPED -> sb.append(">\n    <skipped message=\"").append(Xml.escape(firstLine(r.message()))).append("\"/>\n  </testcase>\n");
                case XFAILED -> sb.append(">\n    <system-out>").append(Xml.escape("expected failure: " + r.message()))
                        .append("</system-out>\n  </testcase>\n");
                default -> sb.append(">\n    <failure message=\"").append(Xml.escape(firstLine(r.message()))).append("\">")
                        .append(Xml.escape(r.message())).append("</failure>\n  </testcase>\n");
            }
        }
        sb.append("</testsuite>\n");
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
