package dev.jtcp.trace;

/**
 * The box a piece of drawn text occupies: a rectangle, possibly rotated, estimated from the text's
 * position, anchor, font size and the advance widths of Helvetica (the SVG's first font; Arial has the
 * same metrics). {@link SvgLadder} places labels so that no two boxes intersect, and tests check it
 * the same way, without a browser.
 *
 * <p>Immutable.
 *
 * @param cx     the centre, x
 * @param cy     the centre, y
 * @param halfW  half the width, along the text
 * @param halfH  half the height, across the text
 * @param angle  the rotation in radians, clockwise as SVG draws it
 * @param text   what is written, for messages
 */
public record TextBox(double cx, double cy, double halfW, double halfH, double angle, String text) {
    /** Space kept clear around text (its white halo is 1.5 px wide). */
    static final double PAD = 1.5;

    /** Where the x of a {@code <text>} lies on its box. */
    enum Anchor { START, MIDDLE, END }

    /**
     * The box of {@code s} written at baseline point (tx, ty) in {@code size} px with {@code anchor},
     * then rotated by {@code degrees} about (px, py).
     */
    static TextBox of(String s, double tx, double ty, double size, Anchor anchor, double degrees, double px,
                      double py) {
        double w = width(s, size);
        double left = switch (anchor) {
            case START -> tx;
            case MIDDLE -> tx - w / 2;
            case END -> tx - w;
        };
        // Ascender about 0.75 em above the baseline, descender 0.22 em below.
        double top = ty - 0.75 * size;
        double bottom = ty + 0.22 * size;
        double ux = left + w / 2;
        double uy = (top + bottom) / 2;
        double a = Math.toRadians(degrees);
        double cos = Math.cos(a);
        double sin = Math.sin(a);
        double cx = px + (ux - px) * cos - (uy - py) * sin;
        double cy = py + (ux - px) * sin + (uy - py) * cos;
        return new TextBox(cx, cy, w / 2 + PAD, (bottom - top) / 2 + PAD, a, s);
    }

    /** An unrotated rectangle (a state box). */
    static TextBox rect(double left, double top, double w, double h, String s) {
        return new TextBox(left + w / 2, top + h / 2, w / 2, h / 2, 0, s);
    }

    /** Estimated advance width of {@code s} in {@code size} px Helvetica. */
    static double width(String s, double size) {
        double em = 0;
        for (int i = 0; i < s.length(); i++) {
            em += advance(s.charAt(i));
        }
        return em * size;
    }

    /** Helvetica's advance widths in em, rounded up to a few classes. */
    private static double advance(char c) {
        return switch (c) {
            case 'i', 'j', 'l', '.', ',', ':', ';', '\'', '|', '!' -> 0.23;
            case 'I', 'f', 't', 'r', '[', ']', '(', ')', ' ', '/', '-', '\u2026' -> 0.34;
            case 'm', 'M', 'w' -> 0.84;
            case 'W' -> 0.95;
            case '=', '+', '<', '>', '~' -> 0.59;
            default -> {
                if (c >= 'A' && c <= 'Z') {
                    yield c == 'J' ? 0.5 : 0.73;
                }
                if (c > 0x7e) {
                    yield 1.0;
                }
                yield 0.56;
            }
        };
    }

    /** Half the height of the box's upright bounding rectangle. */
    double halfHeightOnPage() {
        return halfW * Math.abs(Math.sin(angle)) + halfH * Math.abs(Math.cos(angle));
    }

    /** Whether the two boxes overlap (separating axis test on two rectangles). */
    public boolean intersects(TextBox o) {
        return !separates(angle, o) && !separates(angle + Math.PI / 2, o)
                && !separates(o.angle, o) && !separates(o.angle + Math.PI / 2, o);
    }

    /** Whether the boxes' projections onto the axis at angle {@code a} are disjoint. */
    private boolean separates(double a, TextBox o) {
        double ax = Math.cos(a);
        double ay = Math.sin(a);
        double distance = Math.abs((o.cx - cx) * ax + (o.cy - cy) * ay);
        return distance >= extent(ax, ay) + o.extent(ax, ay);
    }

    /** Half the length of this box's projection onto the unit axis (ax, ay). */
    private double extent(double ax, double ay) {
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        return halfW * Math.abs(cos * ax + sin * ay) + halfH * Math.abs(-sin * ax + cos * ay);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "'%s' at (%.1f, %.1f) %.0fx%.0f rotated %.0f deg", text, cx, cy,
                2 * halfW, 2 * halfH, Math.toDegrees(angle));
    }
}
