package dev.jtcp.trace;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.TraceEvent.Direction;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Turns a trace (events in the order they happened) into a {@link Ladder}.
 *
 * <p>Columns are hosts: the ones declared with {@link #column}, in that order, then any other host
 * that sent or received a segment, in order of its first segment (so the side that opens is on the
 * left), then hosts that only changed state. A segment's sender column is the
 * host that traced sending it (so a spoofed source is drawn from the spoofer); its receiver column
 * is the host that owns the destination address: learnt from the hosts' own receptions first, then
 * from their sendings, then from {@link #alias}. An address nobody owns becomes a column of its own.
 *
 * <p>Each SENT event is paired with the RECEIVED, DROPPED or LOST event of the same segment (same
 * addresses, header and length, first in first out), which gives the arrow its arrival time and
 * fate. An arrival without a traced send (a corrupted copy, a router's duplicate) becomes an arrow
 * of its own at its arrival time.
 *
 * <p>Timers: by default every firing is shown, and the setting of the TIME-WAIT (2MSL) timer; each
 * firing knows when its timer was last set, so renderers can draw the interval.
 *
 * <p>Not thread-safe; a builder may build many ladders.
 */
public final class LadderBuilder {
    /** The default choice of timers: all firings, and the start of TIME-WAIT. */
    public static final Predicate<TraceEvent.TimerEvent> DEFAULT_TIMERS = t -> t.action() == TraceEvent.TimerAction.FIRED
            || (t.action() == TraceEvent.TimerAction.SET && t.timer() == TimerKind.TIME_WAIT);

    private String title = "";
    private final Map<String, String> declared = new LinkedHashMap<>();
    private final Map<IpAddress, String> aliases = new HashMap<>();
    private boolean relative = true;
    private Function<TraceEvent, String> explanations = e -> null;
    private Predicate<TraceEvent.TimerEvent> timers = DEFAULT_TIMERS;

    public LadderBuilder title(String title) {
        this.title = title == null ? "" : title;
        return this;
    }

    /** Declares a column for {@code host}, in order; {@code label} null to derive it from the trace. */
    public LadderBuilder column(String host, String label) {
        declared.put(host, label);
        return this;
    }

    /** Segments to {@code address} go to {@code host}'s column (e.g. spoofed sources to the spoofer). */
    public LadderBuilder alias(IpAddress address, String host) {
        aliases.put(address, host);
        return this;
    }

    /** Relative sequence numbers (the default) or absolute ones. */
    public LadderBuilder relative(boolean relative) {
        this.relative = relative;
        return this;
    }

    /** Where item explanations come from: called with each event an item is drawn from. */
    public LadderBuilder explanations(Function<TraceEvent, String> explanations) {
        this.explanations = explanations;
        return this;
    }

    /** Which timer events to show (default {@link #DEFAULT_TIMERS}). */
    public LadderBuilder timers(Predicate<TraceEvent.TimerEvent> timers) {
        this.timers = timers;
        return this;
    }

    /** A segment's identity for pairing its send with its arrival. */
    private record SegmentKey(IpAddress src, IpAddress dst, TcpHeader header, int payloadLength) {
        static SegmentKey of(TraceEvent.SegmentEvent s) {
            return new SegmentKey(s.src(), s.dst(), s.header(), s.payloadLength());
        }
    }

    /** An arrow whose fate is not known yet. */
    private static final class Pending {
        final TraceEvent.SegmentEvent sent;
        final int from;
        final int to;
        final String label;
        final String options;
        long arriveNs = -1;
        Ladder.Fate fate = Ladder.Fate.IN_FLIGHT;
        String detail;
        TraceEvent arrival;

        Pending(TraceEvent.SegmentEvent sent, int from, int to, String label, String options) {
            this.sent = sent;
            this.from = from;
            this.to = to;
            this.label = label;
            this.options = options;
        }
    }

    public Ladder build(List<? extends TraceEvent> events) {
        Map<IpAddress, String> owner = owners(events);
        List<String> hosts = new ArrayList<>(declared.keySet());
        for (TraceEvent e : events) {
            if (e instanceof TraceEvent.SegmentEvent s && s.direction() != Direction.LOST && !hosts.contains(s.host())) {
                hosts.add(s.host());
            }
        }
        for (TraceEvent e : events) {
            if (e instanceof TraceEvent.StateEvent && !hosts.contains(e.host())) {
                hosts.add(e.host());
            }
        }
        SegmentLabels labels = new SegmentLabels(relative);
        Map<SegmentKey, ArrayDeque<Pending>> inFlight = new HashMap<>();
        Map<String, Long> armed = new HashMap<>();
        List<Object> slots = new ArrayList<>();
        for (TraceEvent e : events) {
            switch (e) {
                case TraceEvent.SegmentEvent s when s.direction() == Direction.SENT -> {
                    Pending p = new Pending(s, column(hosts, s.host()), column(hosts, owner, s.dst()),
                            labels.label(s.src(), s.dst(), s.header(), s.payloadLength()),
                            labels.options(s.src(), s.dst(), s.header()));
                    inFlight.computeIfAbsent(SegmentKey.of(s), k -> new ArrayDeque<>()).add(p);
                    slots.add(p);
                }
                case TraceEvent.SegmentEvent s -> {
                    ArrayDeque<Pending> q = inFlight.get(SegmentKey.of(s));
                    Pending p = q == null ? null : q.poll();
                    if (p == null) {
                        int to = s.direction() == Direction.LOST ? column(hosts, owner, s.dst()) : column(hosts, s.host());
                        p = new Pending(s, column(hosts, owner, s.src()), to,
                                labels.label(s.src(), s.dst(), s.header(), s.payloadLength()),
                                labels.options(s.src(), s.dst(), s.header()));
                        slots.add(p);
                    }
                    p.arrival = s;
                    switch (s.direction()) {
                        case RECEIVED -> {
                            p.fate = Ladder.Fate.DELIVERED;
                            p.arriveNs = s.timeNs();
                        }
                        case DROPPED -> {
                            p.fate = Ladder.Fate.DROPPED;
                            p.arriveNs = s.timeNs();
                            p.detail = "dropped by " + s.host() + ": "
                                    + (s.dropReason() == null ? "discarded" : s.dropReason().description());
                        }
                        default -> {
                            p.fate = Ladder.Fate.LOST;
                            p.detail = s.note() == null ? "lost" : s.note();
                        }
                    }
                }
                case TraceEvent.StateEvent s -> slots.add(new Ladder.StateMark(s.timeNs(), column(hosts, s.host()),
                        s.from(), s.to(), s.cause(), explanations.apply(s)));
                case TraceEvent.TimerEvent t -> {
                    String key = t.host() + '|' + t.connection() + '|' + t.timer();
                    Long armedNs = armed.get(key);
                    if (t.action() == TraceEvent.TimerAction.SET) {
                        armed.put(key, t.timeNs());
                    } else {
                        armed.remove(key);
                    }
                    if (timers.test(t)) {
                        slots.add(new Ladder.TimerMark(t.timeNs(), column(hosts, t.host()), t.timer(), t.action(),
                                t.action() == TraceEvent.TimerAction.SET ? t.timeNs() : armedNs == null ? -1 : armedNs,
                                t.deadlineNs(), explanations.apply(t)));
                    }
                }
                case TraceEvent.NoteEvent n -> slots.add(new Ladder.Note(n.timeNs(), hosts.indexOf(n.host()), n.text(),
                        explanations.apply(n)));
                default -> {
                }
            }
        }
        List<Ladder.Item> items = new ArrayList<>(slots.size());
        for (Object o : slots) {
            items.add(o instanceof Pending p ? arrow(p) : (Ladder.Item) o);
        }
        List<Ladder.Column> columns = new ArrayList<>();
        List<TcpState> initial = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i);
            String label = declared.get(host);
            columns.add(new Ladder.Column(host, label != null ? label : deriveLabel(host, events)));
            initial.add(null);
        }
        for (Ladder.Item item : items) {
            if (item instanceof Ladder.StateMark s && initial.get(s.column()) == null) {
                initial.set(s.column(), s.from());
            }
        }
        return new Ladder(title, columns, initial, items);
    }

    private Ladder.Arrow arrow(Pending p) {
        TraceEvent.SegmentEvent s = p.sent;
        TcpHeader h = s.header();
        Ladder.Kind kind = h.has(TcpFlags.RST) ? Ladder.Kind.RST
                : h.has(TcpFlags.SYN) ? (h.has(TcpFlags.ACK) ? Ladder.Kind.SYN_ACK : Ladder.Kind.SYN)
                : h.has(TcpFlags.FIN) ? Ladder.Kind.FIN
                : s.payloadLength() > 0 ? Ladder.Kind.DATA : Ladder.Kind.ACK;
        String tag = s.direction() == Direction.SENT ? s.note() : null;
        String explanation = join(explanations.apply(s), p.arrival == null || p.arrival == s ? null
                : explanations.apply(p.arrival));
        long time = s.direction() == Direction.SENT ? s.timeNs() : p.arriveNs >= 0 ? p.arriveNs : s.timeNs();
        return new Ladder.Arrow(time, p.from, p.to, p.arriveNs, p.fate, kind, p.label, p.options, tag, p.detail, s,
                explanation);
    }

    private static String join(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + " " + b;
    }

    /** Which host owns each address: receivers first, then senders, then the declared aliases. */
    private Map<IpAddress, String> owners(List<? extends TraceEvent> events) {
        Map<IpAddress, String> owner = new HashMap<>();
        for (TraceEvent e : events) {
            if (e instanceof TraceEvent.SegmentEvent s
                    && (s.direction() == Direction.RECEIVED || s.direction() == Direction.DROPPED)) {
                owner.putIfAbsent(s.dst(), s.host());
            }
        }
        for (TraceEvent e : events) {
            if (e instanceof TraceEvent.SegmentEvent s && s.direction() == Direction.SENT) {
                owner.putIfAbsent(s.src(), s.host());
            }
        }
        owner.putAll(aliases);
        return owner;
    }

    private static int column(List<String> hosts, String host) {
        int i = hosts.indexOf(host);
        if (i < 0) {
            hosts.add(host);
            i = hosts.size() - 1;
        }
        return i;
    }

    private static int column(List<String> hosts, Map<IpAddress, String> owner, IpAddress address) {
        String host = owner.get(address);
        return column(hosts, host != null ? host : address.toString());
    }

    /** The host's one endpoint ({@code addr:port}) if it used one, else its one address, else "". */
    private static String deriveLabel(String host, List<? extends TraceEvent> events) {
        Set<String> endpoints = new LinkedHashSet<>();
        Set<IpAddress> addresses = new LinkedHashSet<>();
        for (TraceEvent e : events) {
            if (e instanceof TraceEvent.SegmentEvent s && s.host().equals(host)) {
                if (s.direction() == Direction.SENT) {
                    endpoints.add(ConnectionKey.endpoint(s.src(), s.header().srcPort()));
                    addresses.add(s.src());
                } else if (s.direction() != Direction.LOST) {
                    endpoints.add(ConnectionKey.endpoint(s.dst(), s.header().dstPort()));
                    addresses.add(s.dst());
                }
            }
        }
        if (endpoints.size() == 1) {
            return endpoints.iterator().next();
        }
        return addresses.size() == 1 ? addresses.iterator().next().toString() : "";
    }
}
