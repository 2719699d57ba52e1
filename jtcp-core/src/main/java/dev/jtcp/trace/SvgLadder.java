package dev.jtcp.trace;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Draws a {@link Ladder} as SVG: lifelines down the page, each segment a slanted arrow from the
 * moment it was sent to the moment it arrived (so crossing segments cross), labelled above with
 * flags and numbers and below with its options; state boxes beside the lifelines; the RTO and 2MSL
 * timers as brackets along the lifeline from when they were set to when they fired; lost segments
 * stopping midway at a red cross. Time runs down but is not to scale: each moment gets a row, and a
 * long pause is drawn as a break.
 *
 * <p>Every item is a {@code <g>} with id {@code <prefix>i<n>} (n its index in {@link Ladder#items()})
 * and class {@code item}, so a page can highlight it; its explanation is its tooltip.
 *
 * <p>Thread-safe: stateless; each call renders independently.
 */
public final class SvgLadder {
    private static final int FONT = 12;
    private static final double CHAR = 6.6;
    private static final int TIME_AXIS = 78;
    private static final int STATE_AREA = 140;
    /** A white outline under text, so labels stay readable where lines cross them. */
    private static final String HALO = " stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\"";
    private static final int ROW = 40;
    private static final int LINE = 17;
    private static final int BREAK = 56;
    private static final long PAUSE_NS = 250_000_000L;

    private final Ladder ladder;
    private final String prefix;
    private final int n;
    private final double[] x;
    private final double width;
    private final TreeMap<Long, Double> y = new TreeMap<>();
    private final List<Long> breaks = new ArrayList<>();
    /** Each item's sub-row within its moment (see {@link #layout()}). */
    private int[] sub;
    private double height;
    private final StringBuilder out = new StringBuilder(16_384);

    private SvgLadder(Ladder ladder, String prefix) {
        this.ladder = ladder;
        this.prefix = prefix;
        this.n = Math.max(1, ladder.columns().size());
        int longest = 10;
        for (Ladder.Arrow a : ladder.arrows()) {
            int hops = Math.max(1, Math.abs(a.to() - a.from()));
            longest = Math.max(longest, Math.max(label(a).length(), a.options().length()) / hops);
        }
        double span = Math.max(360, Math.min(600, longest * CHAR + 90));
        x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = TIME_AXIS + STATE_AREA + i * span;
        }
        width = x[n - 1] + STATE_AREA + 20;
        layout();
    }

    /** A standalone SVG document of one ladder. */
    public static String render(Ladder ladder) {
        return document(List.of(ladder));
    }

    /** A standalone SVG document with the ladders one under the other. */
    public static String document(List<Ladder> ladders) {
        List<SvgLadder> parts = new ArrayList<>();
        double w = 0;
        double h = 0;
        for (int i = 0; i < ladders.size(); i++) {
            SvgLadder s = new SvgLadder(ladders.get(i), ladders.size() == 1 ? "" : "p" + i + "-");
            s.draw();
            parts.add(s);
            w = Math.max(w, s.width);
            h += s.height + 20;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
                + " viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"%d\">%n",
                w, h, w, h, FONT));
        sb.append(defs());
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        double top = 0;
        for (SvgLadder s : parts) {
            sb.append(String.format(Locale.ROOT, "<g transform=\"translate(0,%.0f)\">%n", top)).append(s.out)
                    .append("</g>\n");
            top += s.height + 20;
        }
        return sb.append("</svg>\n").toString();
    }

    /**
     * The ladder as an inline {@code <svg>} element (no XML declaration) for a web page; item ids are
     * prefixed with {@code prefix}.
     */
    public static String inline(Ladder ladder, String prefix) {
        SvgLadder s = new SvgLadder(ladder, prefix);
        s.draw();
        return String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
                + " viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"%d\">%n",
                s.width, s.height, s.width, s.height, FONT) + defs() + s.out + "</svg>\n";
    }

    /** Arrowheads, one per colour. */
    private static String defs() {
        StringBuilder sb = new StringBuilder("<defs>\n");
        for (Ladder.Kind k : Ladder.Kind.values()) {
            sb.append("<marker id=\"head-").append(k.name().toLowerCase(Locale.ROOT))
                    .append("\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\""
                            + " orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"")
                    .append(colour(k)).append("\"/></marker>\n");
        }
        return sb.append("</defs>\n").toString();
    }

    static String colour(Ladder.Kind k) {
        return switch (k) {
            case SYN, SYN_ACK -> "#2e7d32";
            case FIN -> "#6a1b9a";
            case RST -> "#c62828";
            case DATA -> "#1565c0";
            case ACK -> "#455a64";
        };
    }

    /**
     * Gives every moment (item times and arrival times) a y, and each item a sub-row within its
     * moment: arrows (and notes) of the same column at the same moment lie one under the other (and
     * arrive so), as do the states and timers of one column.
     */
    private void layout() {
        TreeSet<Long> times = new TreeSet<>();
        Map<Long, Integer> rows = new HashMap<>();
        Map<String, Integer> used = new HashMap<>();
        List<Ladder.Item> items = ladder.items();
        sub = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            Ladder.Item item = items.get(i);
            times.add(item.timeNs());
            int column = switch (item) {
                case Ladder.Arrow a -> a.from();
                case Ladder.StateMark m -> m.column();
                case Ladder.TimerMark m -> m.column();
                case Ladder.Note m -> m.column();
            };
            // Arrows and notes share rows (a note sits where an arrow would); states and timers, drawn
            // outside the lifeline, have rows of their own.
            boolean inside = item instanceof Ladder.Arrow || item instanceof Ladder.Note;
            String key = (inside ? "a" : "s") + item.timeNs() + "|" + column;
            sub[i] = used.merge(key, 1, Integer::sum) - 1;
            rows.merge(item.timeNs(), sub[i] + 1, Math::max);
            if (item instanceof Ladder.Arrow a && a.arriveNs() >= 0) {
                times.add(a.arriveNs());
                rows.merge(a.arriveNs(), sub[i] + 1, Math::max);
            }
        }
        double at = header() + 78;
        Long previous = null;
        for (long t : times) {
            if (previous != null) {
                at += ROW + LINE * (rows.getOrDefault(previous, 1) - 1);
                if (t - previous >= PAUSE_NS) {
                    breaks.add(t);
                    at += BREAK;
                }
            }
            y.put(t, at);
            previous = t;
        }
        height = at + LINE * (previous == null ? 0 : rows.getOrDefault(previous, 1) - 1) + 50;
    }

    private double yAt(long t) {
        Map.Entry<Long, Double> e = y.floorEntry(t);
        return e == null ? header() + 78 : e.getValue();
    }

    /** Baseline of the column names: below the title, if any. */
    private double header() {
        return ladder.title().isEmpty() ? 24 : 50;
    }

    private void draw() {
        if (!ladder.title().isEmpty()) {
            text(12, 22, ladder.title(), "font-size=\"16\" font-weight=\"bold\"");
        }
        double headerY = header();
        double bottom = height - 30;
        for (int i = 0; i < ladder.columns().size(); i++) {
            Ladder.Column c = ladder.columns().get(i);
            text(x[i], headerY, c.name(), "text-anchor=\"middle\" font-weight=\"bold\" font-size=\"14\"");
            text(x[i], headerY + 15, c.label(), "text-anchor=\"middle\" fill=\"#666\" font-size=\"11\"");
            line(x[i], headerY + 22, x[i], bottom, "stroke=\"#999\" stroke-width=\"1.5\"");
            TcpState s = ladder.initial().get(i);
            if (s != null) {
                stateBox(i, headerY + 44, s.toString(), "");
            }
        }
        for (long t : breaks) {
            double yb = yAt(t) - 30;
            out.append(String.format(Locale.ROOT, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"10\" fill=\"white\"/>%n",
                    x[0] - 12, yb - 5, x[n - 1] - x[0] + 24));
            for (int i = 0; i < n; i++) {
                line(x[i] - 8, yb + 3, x[i] + 8, yb - 3, "stroke=\"#999\"");
            }
            Long before = y.lowerKey(t);
            String gap = before == null ? "" : TerminalLadder.duration(t - before) + " later";
            text((x[0] + x[n - 1]) / 2, yb + 4, gap, "text-anchor=\"middle\" fill=\"#888\" font-style=\"italic\"");
        }
        long start = ladder.startNs();
        Long last = null;
        for (long t : y.keySet()) {
            text(8, y.get(t) + 4, TerminalLadder.clock(t - start), "fill=\"#888\" font-size=\"11\"");
            last = t;
        }
        List<Ladder.Item> items = ladder.items();
        for (int i = 0; i < items.size(); i++) {
            Ladder.Item item = items.get(i);
            double yi = yAt(item.timeNs()) + sub[i] * LINE;
            out.append("<g id=\"").append(prefix).append('i').append(i).append("\" class=\"item ")
                    .append(kindOf(item)).append("\">");
            if (item.explanation() != null) {
                out.append("<title>").append(escape(item.explanation())).append("</title>");
            }
            out.append('\n');
            switch (item) {
                case Ladder.Arrow a -> arrow(a, sub[i] * LINE);
                case Ladder.StateMark s -> stateBox(s.column(), yi, s.to().toString(), s.cause());
                case Ladder.TimerMark m -> timer(m, yi);
                case Ladder.Note note -> note(note, yi);
            }
            out.append("</g>\n");
        }
        if (last == null) {
            height = header() + 100;
        }
    }

    private static String kindOf(Ladder.Item item) {
        return switch (item) {
            case Ladder.Arrow a -> "arrow";
            case Ladder.StateMark s -> "state";
            case Ladder.TimerMark m -> "timer";
            case Ladder.Note note -> "note";
        };
    }

    private static String label(Ladder.Arrow a) {
        return a.tag() == null ? a.label() : a.label() + " [" + a.tag() + "]";
    }

    private void arrow(Ladder.Arrow a, double offset) {
        double x1 = x[a.from()];
        double x2 = x[a.to()];
        double y1 = yAt(a.timeNs()) + offset;
        double y2 = a.arriveNs() >= 0 ? yAt(a.arriveNs()) + offset : y1 + ROW;
        String colour = colour(a.kind());
        String kind = a.kind().name().toLowerCase(Locale.ROOT);
        if (a.fate() == Ladder.Fate.LOST) {
            double f = 0.55;
            x2 = x1 + (x2 - x1) * f;
            y2 = y1 + (y2 - y1) * f;
            line(x1, y1, x2, y2, "stroke=\"" + colour + "\" stroke-width=\"1.6\"");
            cross(x2, y2, 6);
        } else {
            String dash = a.fate() == Ladder.Fate.IN_FLIGHT ? " stroke-dasharray=\"5,4\"" : "";
            String head = a.fate() == Ladder.Fate.DROPPED ? "" : " marker-end=\"url(#head-" + kind + ")\"";
            line(x1, y1, x2, y2, "stroke=\"" + colour + "\" stroke-width=\"1.6\"" + dash + head);
            if (a.fate() == Ladder.Fate.DROPPED) {
                cross(x2 + (x2 > x1 ? -6 : 6), y2, 5);
            }
        }
        double mx = (x1 + x2) / 2;
        double my = (y1 + y2) / 2;
        double angle = Math.toDegrees(Math.atan2(y2 - y1, x2 - x1));
        if (angle > 90 || angle < -90) {
            angle += 180;
        }
        String rotate = String.format(Locale.ROOT, " transform=\"rotate(%.1f %.1f %.1f)\"", angle, mx, my);
        text(mx, my - 5, label(a), "text-anchor=\"middle\" fill=\"" + colour + "\"" + HALO + rotate
                + (a.isRetransmission() ? " font-style=\"italic\"" : ""));
        if (!a.options().isEmpty() && a.fate() != Ladder.Fate.LOST) {
            text(mx, my + 13, a.options(), "text-anchor=\"middle\" fill=\"#888\" font-size=\"10\"" + rotate);
        }
        if (a.detail() != null && a.fate() == Ladder.Fate.DROPPED) {
            double dx = x2 + (x2 > x1 ? -10 : 10);
            text(dx, y2 + 15, a.detail(), "fill=\"#c62828\" font-size=\"10\"" + (x2 > x1 ? " text-anchor=\"end\"" : ""));
        }
    }

    private void stateBox(int column, double yc, String state, String cause) {
        double w = state.length() * 7.2 + 14;
        double left;
        if (column == 0 && n > 1) {
            left = x[0] - 10 - w;
        } else if (column == n - 1) {
            left = x[column] + 10;
        } else {
            left = x[column] - w / 2;
        }
        out.append(String.format(Locale.ROOT, "<rect class=\"box\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\""
                + " rx=\"4\" fill=\"#fff8e1\" stroke=\"#f9a825\"/>", left, yc - 12, w));
        text(left + w / 2, yc + 1, state, "text-anchor=\"middle\" font-weight=\"bold\" fill=\"#5d4037\""
                + " font-size=\"11\"");
        if (cause != null && !cause.isEmpty()) {
            out.append("<desc>").append(escape(cause)).append("</desc>");
        }
        out.append('\n');
    }

    /** A timer firing (or TIME-WAIT starting) outside its lifeline, with a bracket back to when it was set. */
    private void timer(Ladder.TimerMark m, double yi) {
        int c = Math.max(0, m.column());
        boolean left = c == 0 && n > 1;
        double lx = x[c] + (left ? -14 : 14);
        String anchor = left ? " text-anchor=\"end\"" : "";
        if (m.action() == TraceEvent.TimerAction.FIRED && m.armedNs() >= 0) {
            double ya = yAt(m.armedNs());
            double bx = x[c] + (left ? -6 : 6);
            line(bx, ya, bx, yi, "stroke=\"#1e88e5\" stroke-width=\"3\" stroke-opacity=\"0.45\"");
        }
        String what = m.action() == TraceEvent.TimerAction.SET
                ? m.timer().label() + " set (" + TerminalLadder.duration(m.deadlineNs() - m.timeNs()) + ")"
                : m.timer().label() + (m.timer() == TimerKind.TIME_WAIT ? " over" : " fired")
                        + (m.armedNs() >= 0 ? " (" + TerminalLadder.duration(m.timeNs() - m.armedNs()) + ")" : "");
        text(lx, yi + 4, what, "fill=\"#1e88e5\" font-size=\"10\"" + HALO + anchor);
    }

    private void note(Ladder.Note note, double yi) {
        if (note.column() < 0) {
            text((x[0] + x[n - 1]) / 2, yi + 4, note.text(), "text-anchor=\"middle\" font-style=\"italic\""
                    + " font-weight=\"bold\" fill=\"#333\"" + HALO);
        } else {
            boolean rightSide = note.column() == n - 1 && n > 1;
            text(x[note.column()] + (rightSide ? -10 : 10), yi + 4, note.text(), "font-style=\"italic\" fill=\"#333\""
                    + HALO + (rightSide ? " text-anchor=\"end\"" : ""));
        }
    }

    private void cross(double cx, double cy, double r) {
        String style = "stroke=\"#c62828\" stroke-width=\"2.5\"";
        line(cx - r, cy - r, cx + r, cy + r, style);
        line(cx - r, cy + r, cx + r, cy - r, style);
    }

    private void line(double x1, double y1, double x2, double y2, String attributes) {
        out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" %s/>%n",
                x1, y1, x2, y2, attributes));
    }

    private void text(double tx, double ty, String s, String attributes) {
        out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" %s>", tx, ty, attributes))
                .append(escape(s)).append("</text>\n");
    }

    /** Escapes text for XML content and attribute values. */
    static String escape(String s) {
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
