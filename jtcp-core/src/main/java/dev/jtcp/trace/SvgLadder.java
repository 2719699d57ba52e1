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
    private static final int TIME_AXIS = 78;
    private static final int STATE_AREA = 140;
    /** A white outline under text, so labels stay readable where lines cross them. */
    private static final String HALO = " stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\"";
    private static final int ROW = 40;
    private static final int LINE = 17;
    /** How far apart rows are drawn, tried in turn until every label finds a free place. */
    private static final double[] SPREADS = {1, 1.4, 2, 3};
    /** Where along its arrow a label may sit, in order of preference (0.5 is the middle). */
    private static final double[] ALONG = {0.5, 0.36, 0.64, 0.26, 0.74, 0.18, 0.82};
    /** The same for an arrow that crosses another: near its sender first, where the other is not. */
    private static final double[] ALONG_CROSSING = {0.3, 0.24, 0.36, 0.18, 0.5, 0.64, 0.74};
    /** Vertical shifts tried for notes, timer labels and drop reasons that would cover another label. */
    private static final double[] NUDGE = {0, 10, -10, 20, -20, 30};
    private static final int BREAK = 56;
    private static final long PAUSE_NS = 250_000_000L;

    private final Ladder ladder;
    private final String prefix;
    /** Distance between moments. */
    private final double row;
    /** Distance between sub-rows of one moment. */
    private final double subRow;
    /** The boxes of every text placed so far. */
    private final Index boxes = new Index();
    /**
     * The lifelines and arrows as thin boxes: texts keep off them where they can, but may cross them
     * (a white halo keeps the text readable).
     */
    private final Index strokes = new Index();
    /** How many texts could not be placed clear of the others. */
    private int collisions;
    /** How many texts had to cross a line. */
    private int crossings;
    private final int n;
    private final double[] x;
    private final double width;
    private final TreeMap<Long, Double> y = new TreeMap<>();
    private final List<Long> breaks = new ArrayList<>();
    /** Each item's sub-row within its moment (see {@link #layout()}). */
    private int[] sub;
    /** The arrows that cross another arrow (between the same lifelines, the other way, at the same time). */
    private final java.util.Set<Ladder.Arrow> crossing = new java.util.HashSet<>();
    private double height;
    private StringBuilder out = new StringBuilder(16_384);

    private SvgLadder(Ladder ladder, String prefix, double spread) {
        this.ladder = ladder;
        this.prefix = prefix;
        this.row = ROW * spread;
        this.subRow = LINE * spread;
        this.n = Math.max(1, ladder.columns().size());
        double longest = 0;
        double crossed = 0;
        List<Ladder.Arrow> arrows = ladder.arrows();
        for (Ladder.Arrow a : arrows) {
            int hops = Math.max(1, Math.abs(a.to() - a.from()));
            double w = Math.max(TextBox.width(label(a), FONT), TextBox.width(a.options(), 10));
            longest = Math.max(longest, w / hops);
            for (Ladder.Arrow b : arrows) {
                if (crosses(a, b)) {
                    crossing.add(a);
                    crossed = Math.max(crossed, w / hops);
                }
            }
        }
        // Crossing arrows are labelled each near its sender, so two labels must fit side by side.
        double span = Math.max(Math.max(360, Math.min(600, longest + 90)), Math.min(800, 2 * crossed + 70));
        x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = TIME_AXIS + STATE_AREA + i * span;
        }
        width = x[n - 1] + STATE_AREA + 20;
        layout();
    }

    /**
     * Draws the ladder with rows as close as they can be while every label, note and state stays
     * clear of the others: if some text cannot be placed, the rows are spread further apart. Of the
     * spreads where all texts are clear, the one where the fewest texts cross a line wins.
     */
    private static SvgLadder drawn(Ladder ladder, String prefix) {
        SvgLadder best = null;
        for (double spread : SPREADS) {
            SvgLadder s = new SvgLadder(ladder, prefix, spread);
            s.draw();
            if (best == null || s.collisions < best.collisions
                    || s.collisions == best.collisions && s.crossings < best.crossings) {
                best = s;
            }
            if (best.collisions == 0 && best.crossings == 0) {
                break;
            }
        }
        return best;
    }

    /** The boxes of every text of the ladder as drawn, for checking that none overlap. */
    public static List<TextBox> textBoxes(Ladder ladder) {
        return List.copyOf(drawn(ladder, "").boxes.all);
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
            SvgLadder s = drawn(ladders.get(i), ladders.size() == 1 ? "" : "p" + i + "-");
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
        SvgLadder s = drawn(ladder, prefix);
        return String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
                + " viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"%d\">%n",
                s.width, s.height, s.width, s.height, FONT) + defs() + s.out + "</svg>\n";
    }

    /** Whether a and b run between the same two lifelines in opposite directions, in flight together. */
    private static boolean crosses(Ladder.Arrow a, Ladder.Arrow b) {
        if (a.from() != b.to() || a.to() != b.from() || a.arriveNs() < 0 || b.arriveNs() < 0) {
            return false;
        }
        return a.timeNs() < b.arriveNs() && b.timeNs() < a.arriveNs();
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
                at += row + subRow * (rows.getOrDefault(previous, 1) - 1);
                if (t - previous >= PAUSE_NS) {
                    breaks.add(t);
                    at += BREAK;
                }
            }
            y.put(t, at);
            previous = t;
        }
        height = at + subRow * (previous == null ? 0 : rows.getOrDefault(previous, 1) - 1) + 50;
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
            fixed(12, 22, ladder.title(), 16, TextBox.Anchor.START, "font-weight=\"bold\"");
        }
        double headerY = header();
        double bottom = height - 30;
        for (int i = 0; i < ladder.columns().size(); i++) {
            Ladder.Column c = ladder.columns().get(i);
            fixed(x[i], headerY, c.name(), 14, TextBox.Anchor.MIDDLE, "font-weight=\"bold\"");
            fixed(x[i], headerY + 15, c.label(), 11, TextBox.Anchor.MIDDLE, "fill=\"#666\"");
            line(x[i], headerY + 22, x[i], bottom, "stroke=\"#999\" stroke-width=\"1.5\"");
            strokes.add(stroke(x[i], headerY + 22, x[i], bottom));
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
            fixed((x[0] + x[n - 1]) / 2, yb + 4, gap, FONT, TextBox.Anchor.MIDDLE, "fill=\"#888\" font-style=\"italic\"");
        }
        long start = ladder.startNs();
        boolean fine = TerminalLadder.isFine(ladder);
        Long last = null;
        for (long t : y.keySet()) {
            fixed(8, y.get(t) + 4, TerminalLadder.clock(t - start, fine), 11, TextBox.Anchor.START, "fill=\"#888\"");
            last = t;
        }
        // Everything pinned to a lifeline is placed first; arrow labels, which can slide along their
        // arrows, then find room around them. Each item is written in its own buffer, then in order.
        List<Ladder.Item> items = ladder.items();
        TextBox[] own = new TextBox[items.size()];
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof Ladder.Arrow a) {
                double[] p = segment(a, sub[i] * subRow);
                own[i] = stroke(p[0], p[1], p[2], p[3]);
                strokes.add(own[i]);
            }
        }
        StringBuilder[] drawn = new StringBuilder[items.size()];
        StringBuilder main = out;
        for (boolean arrows : new boolean[] {false, true}) {
            for (int i = 0; i < items.size(); i++) {
                Ladder.Item item = items.get(i);
                if (item instanceof Ladder.Arrow != arrows) {
                    continue;
                }
                out = drawn[i] = new StringBuilder(256);
                double yi = yAt(item.timeNs()) + sub[i] * subRow;
                switch (item) {
                    case Ladder.Arrow a -> arrow(a, sub[i] * subRow, own[i]);
                    case Ladder.StateMark s -> stateBox(s.column(), yi, s.to().toString(), s.cause());
                    case Ladder.TimerMark m -> timer(m, yi);
                    case Ladder.Note note -> note(note, yi);
                }
            }
        }
        out = main;
        for (int i = 0; i < items.size(); i++) {
            Ladder.Item item = items.get(i);
            out.append("<g id=\"").append(prefix).append('i').append(i).append("\" class=\"item ")
                    .append(kindOf(item)).append("\">");
            if (item.explanation() != null) {
                out.append("<title>").append(Xml.escape(item.explanation())).append("</title>");
            }
            out.append('\n').append(drawn[i]).append("</g>\n");
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

    /** Where the arrow's line runs: x1, y1, x2, y2 (a lost segment's stops midway). */
    private double[] segment(Ladder.Arrow a, double offset) {
        double x1 = x[a.from()];
        double x2 = x[a.to()];
        double y1 = yAt(a.timeNs()) + offset;
        double y2 = a.arriveNs() >= 0 ? yAt(a.arriveNs()) + offset : y1 + row;
        if (a.fate() == Ladder.Fate.LOST) {
            double f = 0.55;
            x2 = x1 + (x2 - x1) * f;
            y2 = y1 + (y2 - y1) * f;
        }
        return new double[] {x1, y1, x2, y2};
    }

    /** A line as a box one and a half pixels wide. */
    private static TextBox stroke(double x1, double y1, double x2, double y2) {
        return new TextBox((x1 + x2) / 2, (y1 + y2) / 2, Math.hypot(x2 - x1, y2 - y1) / 2, 0.75,
                Math.atan2(y2 - y1, x2 - x1), "");
    }

    private void arrow(Ladder.Arrow a, double offset, TextBox own) {
        double[] p = segment(a, offset);
        double x1 = p[0];
        double y1 = p[1];
        double x2 = p[2];
        double y2 = p[3];
        String colour = colour(a.kind());
        String kind = a.kind().name().toLowerCase(Locale.ROOT);
        if (a.fate() == Ladder.Fate.LOST) {
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
        double angle = Math.toDegrees(Math.atan2(y2 - y1, x2 - x1));
        if (angle > 90 || angle < -90) {
            angle += 180;
        }
        String text = label(a);
        String options = a.options().isEmpty() || a.fate() == Ladder.Fate.LOST ? null : a.options();
        String labelStyle = "fill=\"" + colour + "\"" + HALO + (a.isRetransmission() ? " font-style=\"italic\"" : "");
        String optionStyle = "fill=\"#888\"" + HALO;
        // The label goes above the arrow and the options below, at the middle if that is free, else
        // slid along the arrow (crossing arrows then label their own halves), else the other way up;
        // first keeping off other lines too, then off other texts only.
        double length = Math.hypot(x2 - x1, y2 - y1);
        double[] chosen = null;
        for (int attempt = 0; attempt < 4 && chosen == null; attempt++) {
            boolean above = attempt % 2 == 0;
            boolean offLines = attempt < 2;
            for (double t : crossing.contains(a) ? ALONG_CROSSING : ALONG) {
                double px = x1 + (x2 - x1) * t;
                double py = y1 + (y2 - y1) * t;
                double ly = above ? py - 5 : py + 16;
                double oy = above ? py + 13 : py - 5;
                TextBox lb = box(text, px, ly, FONT, TextBox.Anchor.MIDDLE, labelStyle, angle, px, py);
                TextBox ob = options == null ? null : box(options, px, oy, 10, TextBox.Anchor.MIDDLE, "", angle, px, py);
                double half = Math.max(lb.halfW(), ob == null ? 0 : ob.halfW());
                if (t != 0.5 && half > Math.min(t, 1 - t) * length) {
                    continue;
                }
                if (isFree(lb, offLines ? own : null) && (ob == null || isFree(ob, offLines ? own : null))) {
                    chosen = new double[] {px, py, ly, oy};
                    crossings += offLines ? 0 : 1;
                    break;
                }
            }
        }
        if (chosen == null) {
            collisions++;
            double px = (x1 + x2) / 2;
            double py = (y1 + y2) / 2;
            chosen = new double[] {px, py, py - 5, py + 13};
        }
        double px = chosen[0];
        double py = chosen[1];
        String rotate = String.format(Locale.ROOT, " transform=\"rotate(%.1f %.1f %.1f)\"", angle, px, py);
        boxes.add(box(text, px, chosen[2], FONT, TextBox.Anchor.MIDDLE, labelStyle, angle, px, py));
        text(px, chosen[2], text, FONT, TextBox.Anchor.MIDDLE, labelStyle + rotate);
        if (options != null) {
            boxes.add(box(options, px, chosen[3], 10, TextBox.Anchor.MIDDLE, "", angle, px, py));
            text(px, chosen[3], options, 10, TextBox.Anchor.MIDDLE, optionStyle + rotate);
        }
        if (a.detail() != null && a.fate() == Ladder.Fate.DROPPED) {
            double dx = x2 + (x2 > x1 ? -10 : 10);
            nudged(dx, y2 + 15, a.detail(), 10, x2 > x1 ? TextBox.Anchor.END : TextBox.Anchor.START,
                    "fill=\"#c62828\"" + HALO);
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
        TextBox b = TextBox.rect(left, yc - 12, w, 18, state);
        if (!isFree(b, null)) {
            collisions++;
        }
        boxes.add(b);
        out.append(String.format(Locale.ROOT, "<rect class=\"box\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\""
                + " rx=\"4\" fill=\"#fff8e1\" stroke=\"#f9a825\"/>", left, yc - 12, w));
        text(left + w / 2, yc + 1, state, 11, TextBox.Anchor.MIDDLE, "font-weight=\"bold\" fill=\"#5d4037\"");
        if (cause != null && !cause.isEmpty()) {
            out.append("<desc>").append(Xml.escape(cause)).append("</desc>");
        }
        out.append('\n');
    }

    /** A timer firing (or TIME-WAIT starting) outside its lifeline, with a bracket back to when it was set. */
    private void timer(Ladder.TimerMark m, double yi) {
        int c = Math.max(0, m.column());
        boolean left = c == 0 && n > 1;
        double lx = x[c] + (left ? -14 : 14);
        if (m.action() == TraceEvent.TimerAction.FIRED && m.armedNs() >= 0) {
            double ya = yAt(m.armedNs());
            double bx = x[c] + (left ? -6 : 6);
            line(bx, ya, bx, yi, "stroke=\"#1e88e5\" stroke-width=\"3\" stroke-opacity=\"0.45\"");
        }
        String what = m.action() == TraceEvent.TimerAction.SET
                ? m.timer().label() + " set (" + TerminalLadder.duration(m.deadlineNs() - m.timeNs()) + ")"
                : m.timer().label() + (m.timer() == TimerKind.TIME_WAIT ? " over" : " fired")
                        + (m.armedNs() >= 0 ? " (" + TerminalLadder.duration(m.timeNs() - m.armedNs()) + ")" : "");
        nudged(lx, yi + 4, what, 10, left ? TextBox.Anchor.END : TextBox.Anchor.START, "fill=\"#1e88e5\"" + HALO);
    }

    private void note(Ladder.Note note, double yi) {
        if (note.column() < 0) {
            nudged((x[0] + x[n - 1]) / 2, yi + 4, note.text(), FONT, TextBox.Anchor.MIDDLE,
                    "font-style=\"italic\" font-weight=\"bold\" fill=\"#333\"" + HALO);
        } else {
            boolean rightSide = note.column() == n - 1 && n > 1;
            nudged(x[note.column()] + (rightSide ? -10 : 10), yi + 4, note.text(), FONT,
                    rightSide ? TextBox.Anchor.END : TextBox.Anchor.START, "font-style=\"italic\" fill=\"#333\"" + HALO);
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

    /** The box of text drawn with these attributes (bold is a little wider). */
    private static TextBox box(String s, double tx, double ty, int size, TextBox.Anchor anchor, String attributes,
                               double degrees, double px, double py) {
        return TextBox.of(s, tx, ty, attributes.contains("bold") ? size * 1.1 : size, anchor, degrees, px, py);
    }

    /**
     * Whether {@code b} is clear of every text placed so far and, unless {@code except} is null, of
     * every line but {@code except}.
     */
    private boolean isFree(TextBox b, TextBox except) {
        return !boxes.hits(b, null) && (except == null || !strokes.hits(b, except));
    }

    /**
     * Boxes filed under the bands of the page they reach, so that an overlap test looks only at its
     * neighbours: placing every text stays linear in the size of the ladder.
     */
    private static final class Index {
        private static final double BAND = 64;
        /** Every box, in the order added. */
        final List<TextBox> all = new ArrayList<>();
        private final Map<Integer, List<TextBox>> bands = new HashMap<>();

        void add(TextBox b) {
            all.add(b);
            for (int k = first(b); k <= last(b); k++) {
                bands.computeIfAbsent(k, key -> new ArrayList<>(4)).add(b);
            }
        }

        /** Whether {@code b} intersects a box other than {@code except}. */
        boolean hits(TextBox b, TextBox except) {
            for (int k = first(b); k <= last(b); k++) {
                List<TextBox> band = bands.get(k);
                if (band != null) {
                    for (TextBox o : band) {
                        if (o != except && b.intersects(o)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        private static int first(TextBox b) {
            return (int) Math.floor((b.cy() - b.halfHeightOnPage()) / BAND);
        }

        private static int last(TextBox b) {
            return (int) Math.floor((b.cy() + b.halfHeightOnPage()) / BAND);
        }
    }

    /** Text that stays where it is; a collision makes {@link #drawn} spread the rows and try again. */
    private void fixed(double tx, double ty, String s, int size, TextBox.Anchor anchor, String attributes) {
        TextBox b = box(s, tx, ty, size, anchor, attributes, 0, tx, ty);
        if (!isFree(b, null)) {
            collisions++;
        }
        boxes.add(b);
        text(tx, ty, s, size, anchor, attributes);
    }

    /**
     * Text that may move up or down a little to stay clear of what is already placed, and of lines if
     * it can.
     */
    private void nudged(double tx, double ty, String s, int size, TextBox.Anchor anchor, String attributes) {
        TextBox none = new TextBox(0, 0, 0, 0, 0, "");
        for (TextBox except : new TextBox[] {none, null}) {
            for (double dy : NUDGE) {
                TextBox b = box(s, tx, ty + dy, size, anchor, attributes, 0, tx, ty + dy);
                if (isFree(b, except)) {
                    crossings += except == null ? 1 : 0;
                    boxes.add(b);
                    text(tx, ty + dy, s, size, anchor, attributes);
                    return;
                }
            }
        }
        fixed(tx, ty, s, size, anchor, attributes);
    }

    private void text(double tx, double ty, String s, int size, TextBox.Anchor anchor, String attributes) {
        out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\"", tx, ty));
        if (size != FONT) {
            out.append(" font-size=\"").append(size).append('"');
        }
        if (anchor != TextBox.Anchor.START) {
            out.append(" text-anchor=\"").append(anchor == TextBox.Anchor.MIDDLE ? "middle" : "end").append('"');
        }
        out.append(' ').append(attributes).append('>').append(Xml.escape(s)).append("</text>\n");
    }
}
