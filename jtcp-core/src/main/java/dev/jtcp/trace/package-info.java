/**
 * Making TCP visible: the one-line text and JSON Lines forms of trace events ({@link
 * dev.jtcp.trace.EventText}, {@link dev.jtcp.trace.JsonLines}), ladder diagrams built from events
 * ({@link dev.jtcp.trace.Ladder}, {@link dev.jtcp.trace.LadderBuilder}) and drawn for a terminal, as
 * SVG or as a self-contained HTML page ({@link dev.jtcp.trace.TerminalLadder}, {@link
 * dev.jtcp.trace.SvgLadder}, {@link dev.jtcp.trace.HtmlLadder}), and the analysis of captured TCP
 * connections ({@link dev.jtcp.trace.CaptureAnalyzer}).
 *
 * <p>Depends on {@code wire}, {@code event} and {@code pcap} only: it never sees the engine, so it
 * draws a capture of Linux exactly as it draws jtcp.
 *
 * <p>Read first: {@link dev.jtcp.trace.EventText}, then {@link dev.jtcp.trace.LadderBuilder} and
 * {@link dev.jtcp.trace.Ladder}.
 *
 * <p>Thread-safety: the renderers ({@code EventText}, {@code JsonLines}, {@code SvgLadder}, {@code
 * HtmlLadder}) are stateless; builders, the narrator and the analyser belong to one thread, and
 * {@code LiveLadder} to the thread that drives the host it watches.
 */
package dev.jtcp.trace;
