package dev.jtcp.trace;

import dev.jtcp.event.TcpState;
import dev.jtcp.event.TraceEvent;
import java.util.List;

/**
 * One self-contained HTML page (inline CSS and script, nothing fetched) with, for each section, the
 * {@link SvgLadder} diagram, a step-through control (previous/next, or the arrow keys), a state
 * table per endpoint, and the list of events. Stepping highlights the current item in the diagram,
 * dims what has not happened yet, marks each endpoint's current state in its table and shows the
 * item's explanation.
 *
 * <p>Opened with {@code #selftest} at the end of its URL, the page checks itself when it loads: it
 * steps forward to the first segment, on to the next one, and back, and writes the outcome into the
 * element {@code #selftest} ("selftest: PASS ..." or "selftest: FAIL ..."); any script error is
 * written into {@code #errors}. Tests load it in headless Chromium and read the resulting DOM.
 *
 * <p>Thread-safe: stateless.
 */
public final class HtmlLadder {
    /**
     * One diagram with its words.
     *
     * @param heading the section's heading
     * @param intro   a paragraph before the diagram
     * @param ladder  the diagram
     * @param facts   short facts listed after it
     */
    public record Section(String heading, String intro, Ladder ladder, List<String> facts) {}

    private HtmlLadder() {}

    public static String page(String title, List<Section> sections) {
        StringBuilder sb = new StringBuilder(65_536);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(Xml.escape(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n");
        sb.append("<body>\n<h1>").append(Xml.escape(title)).append("</h1>\n");
        sb.append("<pre id=\"errors\" hidden></pre>\n<pre id=\"selftest\" hidden></pre>\n");
        sb.append("<p class=\"help\">Step through with the buttons or the \u2190 and \u2192 keys. Hover over"
                + " a segment in the diagram for its explanation.</p>\n");
        for (int s = 0; s < sections.size(); s++) {
            section(sb, s, sections.get(s));
        }
        sb.append("<script>\n").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static void section(StringBuilder sb, int index, Section section) {
        Ladder ladder = section.ladder();
        String prefix = "s" + index + "-";
        sb.append("<section class=\"ladder\" id=\"s").append(index).append("\">\n");
        sb.append("<h2>").append(Xml.escape(section.heading())).append("</h2>\n");
        if (section.intro() != null && !section.intro().isEmpty()) {
            sb.append("<p class=\"intro\">").append(Xml.escape(section.intro())).append("</p>\n");
        }
        sb.append("<div class=\"controls\"><button class=\"first\">Start</button>"
                + "<button class=\"prev\">\u25C0 Previous</button><button class=\"next\">Next \u25B6</button>"
                + "<button class=\"all\">Show all</button> <span class=\"where\"></span></div>\n");
        sb.append("<div class=\"explain\"></div>\n");
        sb.append("<div class=\"layout\">\n<div class=\"diagram\">\n").append(SvgLadder.inline(ladder, prefix))
                .append("</div>\n<div class=\"side\">\n");
        for (int c = 0; c < ladder.columns().size(); c++) {
            stateTable(sb, ladder, c);
        }
        sb.append("</div>\n</div>\n");
        if (!section.facts().isEmpty()) {
            sb.append("<ul class=\"facts\">\n");
            for (String f : section.facts()) {
                sb.append("<li>").append(Xml.escape(f)).append("</li>\n");
            }
            sb.append("</ul>\n");
        }
        sb.append("<h3>Events</h3>\n<ol class=\"events\" start=\"1\">\n");
        List<Ladder.Item> items = ladder.items();
        long start = ladder.startNs();
        boolean fine = TerminalLadder.isFine(ladder);
        for (int i = 0; i < items.size(); i++) {
            Ladder.Item item = items.get(i);
            sb.append("<li data-step=\"").append(i).append("\"><span class=\"t\">")
                    .append(TerminalLadder.clock(item.timeNs() - start, fine)).append("</span> ")
                    .append(Xml.escape(describe(ladder, item)));
            if (item.explanation() != null) {
                sb.append("<div class=\"why\">").append(Xml.escape(item.explanation())).append("</div>");
            }
            sb.append("</li>\n");
        }
        sb.append("</ol>\n</section>\n");
    }

    private static void stateTable(StringBuilder sb, Ladder ladder, int column) {
        Ladder.Column c = ladder.columns().get(column);
        List<Ladder.StateMark> marks = ladder.states(column);
        TcpState initial = ladder.initial().get(column);
        if (marks.isEmpty() && initial == null) {
            return;
        }
        sb.append("<table class=\"states\"><caption>").append(Xml.escape(c.name())).append(" <small>")
                .append(Xml.escape(c.label())).append("</small></caption>\n");
        if (initial != null) {
            sb.append("<tr data-step=\"-1\"><td></td><td class=\"st\">").append(initial)
                    .append("</td><td></td></tr>\n");
        }
        long start = ladder.startNs();
        boolean fine = TerminalLadder.isFine(ladder);
        for (Ladder.StateMark m : marks) {
            sb.append("<tr data-step=\"").append(ladder.items().indexOf(m)).append("\"><td class=\"t\">")
                    .append(TerminalLadder.clock(m.timeNs() - start, fine)).append("</td><td class=\"st\">").append(m.to())
                    .append("</td><td class=\"cause\">").append(Xml.escape(m.cause() == null ? "" : m.cause()))
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n");
    }

    /** One line for the event list. */
    static String describe(Ladder ladder, Ladder.Item item) {
        List<Ladder.Column> cols = ladder.columns();
        return switch (item) {
            case Ladder.Arrow a -> {
                StringBuilder sb = new StringBuilder();
                sb.append(cols.get(a.from()).name()).append(" \u2192 ").append(cols.get(a.to()).name()).append(": ")
                        .append(a.label());
                if (!a.options().isEmpty()) {
                    sb.append(" <").append(a.options()).append('>');
                }
                if (a.tag() != null) {
                    sb.append(" [").append(a.tag()).append(']');
                }
                switch (a.fate()) {
                    case LOST -> sb.append(" \u2014 ").append(a.detail() == null ? "lost" : a.detail());
                    case DROPPED -> sb.append(" \u2014 ").append(a.detail());
                    case IN_FLIGHT -> sb.append(" \u2014 fate unknown");
                    case DELIVERED -> {
                    }
                }
                yield sb.toString();
            }
            case Ladder.StateMark s -> cols.get(s.column()).name() + ": " + s.from() + " \u2192 " + s.to()
                    + (s.cause() == null ? "" : " (" + s.cause() + ")");
            case Ladder.TimerMark m -> (m.column() >= 0 ? cols.get(m.column()).name() + ": " : "") + m.timer().label()
                    + (m.action() == TraceEvent.TimerAction.SET
                            ? " timer set for " + TerminalLadder.duration(m.deadlineNs() - m.timeNs())
                            : " timer fired" + (m.armedNs() >= 0 ? " after "
                                    + TerminalLadder.duration(m.timeNs() - m.armedNs()) : ""));
            case Ladder.Note n -> (n.column() >= 0 ? cols.get(n.column()).name() + ": " : "") + n.text();
        };
    }

    private static final String CSS = """
            body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
            h1 { font-size: 1.5em; } h2 { margin-top: 2em; } .help { color: #666; }
            .intro { max-width: 60em; line-height: 1.4; }
            .controls { margin: 0.8em 0; position: sticky; top: 0; background: white; padding: 0.3em 0; z-index: 1; }
            .controls button { font-size: 1em; margin-right: 0.3em; }
            .where { color: #555; margin-left: 0.5em; }
            .explain { min-height: 2.8em; max-width: 60em; background: #f5f5f5; border-left: 4px solid #1e88e5;
                       padding: 0.4em 0.8em; line-height: 1.4; }
            .layout { display: flex; gap: 1.5em; align-items: flex-start; flex-wrap: wrap; }
            .diagram { overflow-x: auto; }
            .side { min-width: 18em; }
            table.states { border-collapse: collapse; margin-bottom: 1em; font-size: 0.9em; }
            table.states caption { text-align: left; font-weight: bold; padding: 0.2em 0; }
            table.states td { border-bottom: 1px solid #ddd; padding: 0.15em 0.5em; }
            table.states td.st { font-weight: bold; font-family: monospace; }
            table.states td.cause { color: #666; }
            table.states tr.current { background: #fff3c4; }
            .t { color: #888; font-family: monospace; }
            ol.events li { padding: 0.15em 0.3em; }
            ol.events li.current { background: #e3f2fd; }
            ol.events .why { color: #555; font-size: 0.9em; margin: 0.1em 0 0.3em 1em; }
            svg .item.future { opacity: 0.12; }
            svg .item.current line { stroke-width: 3.5; }
            svg .item.current text { font-weight: bold; }
            svg .item.current rect.box { stroke-width: 3; }
            #errors { color: #c62828; }
            """;

    private static final String SCRIPT = """
            (function () {
              'use strict';
              var errors = document.getElementById('errors');
              window.onerror = function (message, source, line) {
                errors.hidden = false;
                errors.textContent += 'error: ' + message + ' (line ' + line + ')\\n';
              };
              function Section(el) {
                this.el = el;
                this.items = el.querySelectorAll('svg .item');
                this.rows = el.querySelectorAll('ol.events li');
                this.tables = el.querySelectorAll('table.states');
                this.step = -1;
                var self = this;
                el.querySelector('.next').onclick = function () { self.show(self.step + 1); };
                el.querySelector('.prev').onclick = function () { self.show(self.step - 1); };
                el.querySelector('.first').onclick = function () { self.show(-1); };
                el.querySelector('.all').onclick = function () { self.show(self.items.length - 1); };
                for (var i = 0; i < this.rows.length; i++) {
                  this.rows[i].onclick = (function (k) { return function () { self.show(k); }; })(i);
                }
              }
              Section.prototype.show = function (step) {
                step = Math.max(-1, Math.min(step, this.items.length - 1));
                this.step = step;
                for (var k = 0; k < this.items.length; k++) {
                  this.items[k].classList.toggle('future', step >= 0 && k > step);
                  this.items[k].classList.toggle('current', k === step);
                  this.rows[k].classList.toggle('current', k === step);
                }
                for (var t = 0; t < this.tables.length; t++) {
                  var trs = this.tables[t].querySelectorAll('tr');
                  var best = null;
                  for (var r = 0; r < trs.length; r++) {
                    trs[r].classList.remove('current');
                    if (Number(trs[r].dataset.step) <= step) { best = trs[r]; }
                  }
                  if (best) { best.classList.add('current'); }
                }
                var where = this.el.querySelector('.where');
                where.textContent = step < 0 ? 'before the first event' : 'event ' + (step + 1) + ' of ' + this.items.length;
                var explain = this.el.querySelector('.explain');
                if (step < 0) {
                  explain.textContent = 'Press Next to follow the exchange one event at a time.';
                } else {
                  var why = this.rows[step].querySelector('.why');
                  explain.textContent = this.rows[step].textContent.replace(why ? why.textContent : '', '')
                      + (why ? ' \\u2014 ' + why.textContent : '');
                }
              };
              Section.prototype.current = function () {
                return this.step < 0 ? null : this.items[this.step];
              };
              Section.prototype.nextArrow = function (direction) {
                var s = this.step + direction;
                while (s >= 0 && s < this.items.length) {
                  if (this.items[s].classList.contains('arrow')) { this.show(s); return this.items[s]; }
                  s += direction;
                }
                return null;
              };
              var sections = [];
              var els = document.querySelectorAll('section.ladder');
              for (var i = 0; i < els.length; i++) {
                sections.push(new Section(els[i]));
                sections[i].show(-1);
              }
              document.addEventListener('keydown', function (e) {
                if (!sections.length) { return; }
                var s = sections[0];
                for (var j = 0; j < sections.length; j++) {
                  if (sections[j].el.getBoundingClientRect().top <= window.innerHeight / 2) { s = sections[j]; }
                }
                if (e.key === 'ArrowRight' || e.key === ' ') { s.show(s.step + 1); e.preventDefault(); }
                if (e.key === 'ArrowLeft') { s.show(s.step - 1); e.preventDefault(); }
              });
              if (location.hash === '#selftest') {
                var out = document.getElementById('selftest');
                out.hidden = false;
                var problems = [];
                var s = sections[0];
                if (!s) { problems.push('no section'); }
                var first = s && s.nextArrow(1);
                var firstId = first && first.id;
                var states1 = s && s.el.querySelectorAll('table.states tr.current').length;
                var second = s && s.nextArrow(1);
                var secondId = second && second.id;
                var back = s && s.nextArrow(-1);
                var backId = back && back.id;
                if (!firstId) { problems.push('no first segment'); }
                if (!secondId) { problems.push('no second segment'); }
                if (firstId && firstId === secondId) { problems.push('stepping did not move'); }
                if (backId !== firstId) { problems.push('stepping back did not return to ' + firstId); }
                if (first && !first.classList.contains('current')) { problems.push('no highlight'); }
                if (second && !second.classList.contains('future')) { problems.push('later segment not dimmed'); }
                if (!states1) { problems.push('no current state in the tables'); }
                out.textContent = (problems.length ? 'selftest: FAIL ' + problems.join('; ') : 'selftest: PASS')
                    + ' first=' + firstId + ' second=' + secondId + ' back=' + backId + ' states=' + states1;
              }
            })();
            """;
}
