package dev.jtcp.trace;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Draws a {@link Ladder} as text: one lifeline per column, time flowing down, each segment a
 * horizontal arrow on the row of the moment it was sent, labelled with flags, seq, ack, length and
 * key options; each state written beside its lifeline on the row where it changes, the edge
 * columns' outside, a middle column's on a row of its own. A lost segment's arrow stops midway at an
 * {@code X}; one its receiver discarded ends in {@code x}, with the reason underneath. Options that
 * do not fit on their arrow go on the row under it; whatever must be cut ends in {@code ...}, so nothing
 * disappears unmarked. Timer firings
 * and notes get rows of their own; long pauses show as dotted lifelines; explanations, when wanted,
 * follow each moment between the outer lifelines.
 *
 * <pre>
 *   time      client                                           server
 *             198.18.0.1:40000                                 198.18.0.2:80
 *             CLOSED       |                                      |  CLOSED
 *     0.0 ms               |                                      |  LISTEN
 *     0.0 ms  SYN-SENT     |--- SYN seq=0 &lt;mss 1460, TS&gt; -------->|
 *    10.0 ms               |&lt;-------- SYN,ACK seq=0 ack=1 ---------|  SYN-RECEIVED
 * </pre>
 *
 * <p>ASCII only, so it survives any terminal; ANSI colour when asked.
 *
 * <p>Thread-safe: stateless; each call renders independently.
 */
public final class TerminalLadder {
    /**
     * Rendering choices.
     *
     * @param color   whether to use ANSI colour
     * @param width   the width in columns to fit (what does not fit is cut with a mark)
     * @param explain whether to print explanations
     */
    public record Options(boolean color, int width, boolean explain) {
        public static final Options PLAIN = new Options(false, 100, true);
    }

    private static final long PAUSE_NS = 250_000_000L;

    // Styles, one byte per character.
    private static final byte PLAIN = 0;
    private static final byte DIM = 1;
    private static final byte STATE = 2;
    private static final byte SYN = 3;
    private static final byte FIN = 4;
    private static final byte RST = 5;
    private static final byte DATA = 6;
    private static final byte ACK = 7;
    private static final byte LOST = 8;
    private static final byte RETX = 9;
    private static final byte BOLD = 10;
    private static final byte TIMER = 11;
    private static final String[] ANSI = {"", "\u001b[2m", "\u001b[1;33m", "\u001b[32m", "\u001b[35m",
            "\u001b[31m", "\u001b[36m", "", "\u001b[1;31m", "\u001b[33m", "\u001b[1m", "\u001b[34m"};

    private final Ladder ladder;
    private final Options options;
    /** Whether times need microseconds (see {@link #isFine}). */
    private final boolean fine;
    /** Width of the time column. */
    private final int timeWidth;
    private final int n;
    private final int[] x;
    private final int width;
    private final int leftWidth;
    private final StringBuilder out = new StringBuilder(4096);

    private TerminalLadder(Ladder ladder, Options options) {
        this.ladder = ladder;
        this.options = options;
        this.n = Math.max(1, ladder.columns().size());
        this.fine = isFine(ladder);
        this.timeWidth = fine ? 12 : 10;
        this.leftWidth = Math.max(12, stateWidth(0));
        int rightWidth = 0;
        if (n > 1) {
            Ladder.Column last = ladder.columns().get(n - 1);
            rightWidth = Math.max(Math.max(12, stateWidth(n - 1)), Math.max(last.name().length(), last.label().length()));
        }
        int fixed = timeWidth + 1 + leftWidth + 2 + 3 + rightWidth;
        int wanted = 24;
        for (Ladder.Arrow a : ladder.arrows()) {
            int hops = Math.max(1, Math.abs(a.to() - a.from()));
            wanted = Math.max(wanted, (text(a, true).length() + 10 + hops - 1) / hops);
        }
        int span = n > 1 ? Math.max(14, Math.min(wanted, (options.width() - fixed) / (n - 1))) : 0;
        x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = timeWidth + 1 + leftWidth + 2 + i * span;
        }
        width = x[n - 1] + 3 + rightWidth;
    }

    /** The diagram as lines of text, each ending in a newline. */
    public static String render(Ladder ladder, Options options) {
        TerminalLadder t = new TerminalLadder(ladder, options);
        t.draw();
        return t.out.toString();
    }

    private int stateWidth(int column) {
        int w = 0;
        if (column < ladder.columns().size() && ladder.initial().get(column) != null) {
            w = ladder.initial().get(column).toString().length();
        }
        for (Ladder.StateMark s : ladder.states(column)) {
            w = Math.max(w, s.to().toString().length());
        }
        return w;
    }

    private void draw() {
        if (!ladder.title().isEmpty()) {
            Row title = new Row();
            title.put(0, ladder.title(), BOLD);
            emit(title);
        }
        Row names = new Row();
        Row labels = new Row();
        names.put(0, "time", DIM);
        for (int i = 0; i < ladder.columns().size(); i++) {
            Ladder.Column c = ladder.columns().get(i);
            names.put(headerAt(i, c.name()), c.name(), BOLD);
            labels.put(headerAt(i, c.label()), c.label(), DIM);
        }
        emit(names);
        if (!labels.isBlank()) {
            emit(labels);
        }
        Row initial = lifelines('|');
        boolean anyInitial = false;
        for (int i = 0; i < ladder.columns().size(); i++) {
            TcpState s = ladder.initial().get(i);
            if (s != null) {
                putState(initial, i, s.toString());
                anyInitial = true;
            }
        }
        if (anyInitial) {
            emit(initial);
        }
        List<Ladder.Item> items = ladder.items();
        long previous = Long.MIN_VALUE;
        int i = 0;
        while (i < items.size()) {
            long t = items.get(i).timeNs();
            int j = i;
            while (j < items.size() && items.get(j).timeNs() == t) {
                j++;
            }
            if (previous != Long.MIN_VALUE && t - previous >= PAUSE_NS) {
                Row pause = lifelines(':');
                putCentred(pause, "~ " + duration(t - previous) + " pass ~", DIM);
                emit(pause);
            }
            moment(t, items.subList(i, j));
            previous = t;
            i = j;
        }
    }

    /** Where a column's name starts: above the outer state labels for the edge columns, centred otherwise. */
    private int headerAt(int column, String text) {
        if (column == 0) {
            return timeWidth + 1;
        }
        if (column == n - 1) {
            return x[column] + 3;
        }
        return x[column] - text.length() / 2;
    }

    /**
     * All rows of one moment, in the order things happened: each arrow on a row of its own, with the
     * edge columns' latest state changes written beside it; state changes after the last arrow, timers
     * and notes on rows of their own; then the explanations.
     */
    private void moment(long t, List<Ladder.Item> items) {
        time = pad(time(t));
        List<List<Ladder.StateMark>> pending = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            pending.add(new ArrayList<>());
        }
        Set<String> explanations = new LinkedHashSet<>();
        for (Ladder.Item item : items) {
            if (item.explanation() != null) {
                explanations.add(item.explanation());
            }
            switch (item) {
                case Ladder.Arrow a -> {
                    flushStates(pending, a.from() == 0 ? 1 : 0, a.from() == n - 1 ? 1 : 0);
                    Row row = lifelines('|');
                    stamp(row);
                    putPending(row, pending);
                    boolean withOptions = drawArrow(row, a);
                    emit(row);
                    if (!withOptions) {
                        optionsRow(a);
                    }
                    if (a.detail() != null) {
                        Row detail = lifelines('|');
                        int at = Math.min(x[a.from()], x[a.to()]) + 3;
                        detail.put(at, (a.fate() == Ladder.Fate.LOST ? "X " : "x ") + a.detail(), DIM);
                        emit(detail);
                    }
                }
                case Ladder.StateMark s when s.column() == 0 || s.column() == n - 1 -> pending.get(s.column()).add(s);
                default -> {
                    flushStates(pending, 0, 0);
                    switch (item) {
                        case Ladder.StateMark s -> {
                            Row row = lifelines('|');
                            stamp(row);
                            row.put(x[s.column()] + 2, "[" + s.to() + "]", STATE);
                            emit(row);
                        }
                        case Ladder.TimerMark m -> remark(m.column(), timerText(m), TIMER);
                        case Ladder.Note note -> remark(note.column(), note.text(), BOLD);
                        default -> {
                        }
                    }
                }
            }
        }
        flushStates(pending, 0, 0);
        if (options.explain()) {
            for (String e : explanations) {
                explain(e);
            }
        }
    }

    /** The time of the moment being drawn, until its first row takes it. */
    private String time;

    private void stamp(Row row) {
        if (time != null) {
            row.put(0, time, DIM);
            time = null;
        }
    }

    /**
     * Writes state-only rows until at most {@code keepLeft} and {@code keepRight} pending states remain
     * in the first and last columns: a state stays for an arrow's row only if that column sends it.
     */
    private void flushStates(List<List<Ladder.StateMark>> pending, int keepLeft, int keepRight) {
        List<Ladder.StateMark> left = pending.getFirst();
        List<Ladder.StateMark> right = pending.getLast();
        int keepR = n == 1 ? keepLeft : keepRight;
        while (left.size() > keepLeft || right.size() > keepR) {
            Row row = lifelines('|');
            stamp(row);
            if (left.size() > keepLeft) {
                putState(row, 0, left.removeFirst().to().toString());
            }
            if (n > 1 && right.size() > keepR) {
                putState(row, n - 1, right.removeFirst().to().toString());
            }
            emit(row);
        }
    }

    private void putPending(Row row, List<List<Ladder.StateMark>> pending) {
        for (int c : new int[] {0, n - 1}) {
            if (!pending.get(c).isEmpty()) {
                putState(row, c, pending.get(c).removeFirst().to().toString());
            }
        }
    }

    /**
     * A timer or note on rows of its own: beside its column's lifeline (left of the last one), or
     * centred when it concerns no column; wrapped to the room there is.
     */
    private void remark(int column, String text, byte style) {
        int room;
        if (column < 0) {
            text = "~ " + text + " ~";
            room = n > 1 ? x[n - 1] - x[0] - 4 : options.width() - x[0] - 3;
        } else if (column == n - 1 && n > 1) {
            room = x[column] - x[column - 1] - 4;
        } else {
            room = Math.max(options.width(), width) - x[column] - 3;
        }
        for (String line : wrap(text, Math.max(20, room))) {
            Row row = lifelines('|');
            stamp(row);
            if (column < 0) {
                putCentred(row, line, style);
            } else {
                putBeside(row, column, line, style);
            }
            emit(row);
        }
    }

    private void putCentred(Row row, String text, byte style) {
        int mid = n > 1 ? (x[0] + x[n - 1]) / 2 : x[0] + 2 + text.length() / 2;
        row.put(Math.max(x[0] + 2, mid - text.length() / 2), text, style);
    }

    private static String timerText(Ladder.TimerMark m) {
        if (m.action() == TraceEvent.TimerAction.SET) {
            return m.timer().label() + " timer started: " + duration(m.deadlineNs() - m.timeNs());
        }
        String after = m.armedNs() >= 0 ? " after " + duration(m.timeNs() - m.armedNs()) : "";
        return m.timer().label() + " timer fired" + after;
    }

    private void putBeside(Row row, int column, String text, byte style) {
        if (column < 0) {
            column = 0;
        }
        if (column == n - 1 && n > 1) {
            row.put(Math.max(x[column - 1] + 2, x[column] - 2 - text.length()), text, style);
        } else {
            row.put(x[column] + 2, text, style);
        }
    }

    private void putState(Row row, int column, String state) {
        if (column == 0) {
            row.put(x[0] - 2 - state.length(), state, STATE);
        } else if (column == n - 1) {
            row.put(x[column] + 3, state, STATE);
        } else {
            row.put(x[column] + 2, "[" + state + "]", STATE);
        }
    }

    private static String text(Ladder.Arrow a, boolean withOptions) {
        StringBuilder sb = new StringBuilder(a.label());
        if (withOptions && !a.options().isEmpty()) {
            sb.append(" <").append(a.options()).append('>');
        }
        if (a.tag() != null) {
            sb.append(" [").append(a.tag()).append(']');
        }
        return sb.toString();
    }

    /**
     * Draws the arrow on its row; returns false if its options did not fit on it (they then go on a
     * row of their own, see {@link #optionsRow}).
     */
    private boolean drawArrow(Row row, Ladder.Arrow a) {
        if (a.from() == a.to()) {
            putBeside(row, a.from(), "(to itself) " + text(a, false), styleOf(a));
            return a.options().isEmpty();
        }
        boolean right = a.from() < a.to();
        int start = Math.min(x[a.from()], x[a.to()]) + 1;
        int end = Math.max(x[a.from()], x[a.to()]) - 1;
        int length = end - start + 1;
        String label = text(a, true);
        boolean withOptions = true;
        if (label.length() + 8 > length) {
            label = text(a, false);
            withOptions = a.options().isEmpty();
        }
        label = cut(label, length - 8);
        byte style = styleOf(a);
        char fill = a.fate() == Ladder.Fate.IN_FLIGHT ? '.' : '-';
        int drawn = length;
        if (a.fate() == Ladder.Fate.LOST) {
            drawn = Math.min(length - 2, Math.max(length * 3 / 5, label.length() + 8));
        }
        int from = right ? start : end - drawn + 1;
        int to = right ? start + drawn - 1 : end;
        for (int i = from; i <= to; i++) {
            row.put(i, String.valueOf(fill), style);
        }
        String body = " " + label + " ";
        int labelAt = from + 3 + Math.max(0, (drawn - 6 - body.length()) / 2);
        row.put(labelAt, body, style);
        if (a.tag() != null && a.isRetransmission()) {
            int tagAt = labelAt + body.indexOf(" [" + a.tag());
            if (tagAt > labelAt) {
                row.put(tagAt + 1, "[" + a.tag() + "]", RETX);
            }
        }
        char head = switch (a.fate()) {
            case LOST -> 'X';
            case DROPPED -> 'x';
            default -> right ? '>' : '<';
        };
        byte headStyle = a.fate() == Ladder.Fate.LOST || a.fate() == Ladder.Fate.DROPPED ? LOST : style;
        if (right) {
            row.put(to, String.valueOf(head), headStyle);
            if (a.fate() == Ladder.Fate.DROPPED) {
                row.put(to - 1, ">", style);
            }
        } else {
            row.put(from, String.valueOf(head), headStyle);
            if (a.fate() == Ladder.Fate.DROPPED) {
                row.put(from + 1, "<", style);
            }
        }
        return withOptions;
    }

    /** An arrow's options on the row under it, when they did not fit on the arrow; cut with a mark if need be. */
    private void optionsRow(Ladder.Arrow a) {
        Row row = lifelines('|');
        int left = Math.min(x[a.from()], x[a.to()]) + 2;
        int right = a.from() == a.to() ? Math.max(options.width(), width) - 1 : Math.max(x[a.from()], x[a.to()]) - 2;
        String text = cut("<" + a.options() + ">", right - left + 1);
        row.put(left + Math.max(0, (right - left + 1 - text.length()) / 2), text, DIM);
        emit(row);
    }

    /** {@code s} if it fits in {@code room} characters, else as much as fits followed by {@code ...}. */
    static String cut(String s, int room) {
        if (s.length() <= room) {
            return s;
        }
        return room <= 3 ? "...".substring(0, Math.max(0, room)) : s.substring(0, room - 3) + "...";
    }

    private static byte styleOf(Ladder.Arrow a) {
        return switch (a.kind()) {
            case SYN, SYN_ACK -> SYN;
            case FIN -> FIN;
            case RST -> RST;
            case DATA -> DATA;
            case ACK -> ACK;
        };
    }

    private void explain(String text) {
        int left = x[0] + 3;
        int right = n > 1 ? x[n - 1] - 2 : Math.max(left + 40, options.width() - 1);
        for (String line : wrap(text, Math.max(20, right - left))) {
            Row row = new Row();
            row.put(x[0], "|", PLAIN);
            if (n > 1) {
                row.put(x[n - 1], "|", PLAIN);
            }
            row.put(left, line, DIM);
            emit(row);
        }
    }

    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    private Row lifelines(char c) {
        Row row = new Row();
        for (int i = 0; i < n; i++) {
            row.put(x[i], String.valueOf(c), PLAIN);
        }
        return row;
    }

    private String time(long t) {
        return clock(t - ladder.startNs(), fine);
    }

    /**
     * Whether the ladder's times need microseconds: some moment is not a whole number of tenths of a
     * millisecond from the start (a capture on a LAN, where a whole exchange takes under a
     * millisecond), as opposed to the simulator's round numbers.
     */
    static boolean isFine(Ladder ladder) {
        long start = ladder.startNs();
        for (Ladder.Item item : ladder.items()) {
            if ((item.timeNs() - start) % 100_000 != 0
                    || item instanceof Ladder.Arrow a && a.arriveNs() >= 0 && (a.arriveNs() - start) % 100_000 != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A time since the start of a diagram: {@code 10.0 ms} below ten seconds, {@code 120.070 s} above;
     * with {@code fine}, to the microsecond: {@code 0.137 ms}, {@code 120.070412 s}.
     */
    static String clock(long ns, boolean fine) {
        if (ns < 10_000_000_000L) {
            return String.format(Locale.ROOT, fine ? "%.3f ms" : "%.1f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, fine ? "%.6f s" : "%.3f s", ns / 1e9);
    }

    /** A duration for humans: {@code 40 ms}, {@code 1.5 s}, {@code 2 min}. */
    static String duration(long ns) {
        if (ns < 1_000_000L) {
            return String.format(Locale.ROOT, "%.0f us", ns / 1e3);
        }
        if (ns < 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.0f ms", ns / 1e6);
        }
        if (ns < 120_000_000_000L) {
            return trim(String.format(Locale.ROOT, "%.3f", ns / 1e9)) + " s";
        }
        return trim(String.format(Locale.ROOT, "%.2f", ns / 6e10)) + " min";
    }

    private static String trim(String decimal) {
        String s = decimal.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private String pad(String s) {
        return " ".repeat(Math.max(0, timeWidth - s.length())) + s;
    }

    private void emit(Row row) {
        int last = row.lastUsed();
        byte current = PLAIN;
        for (int i = 0; i <= last; i++) {
            byte s = row.styles[i];
            if (options.color() && s != current) {
                out.append("\u001b[0m").append(ANSI[s]);
                current = s;
            }
            out.append(row.chars[i]);
        }
        if (options.color() && current != PLAIN) {
            out.append("\u001b[0m");
        }
        out.append('\n');
    }

    /** One line of characters with a style each; grows as needed. */
    private final class Row {
        char[] chars = new char[width + 1];
        byte[] styles = new byte[width + 1];

        Row() {
            Arrays.fill(chars, ' ');
        }

        void put(int at, String s, byte style) {
            if (at < 0) {
                s = s.substring(Math.min(s.length(), -at));
                at = 0;
            }
            if (at + s.length() > chars.length) {
                int size = at + s.length();
                int old = chars.length;
                chars = Arrays.copyOf(chars, size);
                styles = Arrays.copyOf(styles, size);
                Arrays.fill(chars, old, size, ' ');
            }
            for (int i = 0; i < s.length(); i++) {
                chars[at + i] = s.charAt(i);
                styles[at + i] = style;
            }
        }

        int lastUsed() {
            int i = chars.length - 1;
            while (i >= 0 && chars[i] == ' ') {
                i--;
            }
            return i;
        }

        boolean isBlank() {
            return lastUsed() < 0;
        }
    }
}
