package dev.jtcp.trace;

/**
 * Escaping text for XML and HTML, content and attribute values alike: the ladders' SVG and HTML and
 * the script runner's JUnit report use this one helper.
 *
 * <p>It lives in {@code trace}, the lowest package that writes markup; {@code script} already
 * depends on {@code trace} (it prints events with {@link EventText}), while {@code trace} may not
 * see {@code script}. Stateless and thread-safe.
 */
public final class Xml {

    private Xml() {}

    /**
     * Returns {@code s} with {@code < > & "} replaced by entities and the control characters XML 1.0
     * forbids dropped (tab and newline are kept).
     */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
