package dev.jtcp.script;

import dev.jtcp.script.Script.Expr;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link Script} against a {@link Target}, event by event, with packetdrill's timing rules:
 *
 * <ul>
 *   <li>A relative time ({@code +0.1}) counts from when the previous event finished: the time an
 *       outbound packet was sent, or a call returned (a blocking call: when it started); consecutive
 *       inbound packets count from the previous one's scheduled time.
 *   <li>Tolerance is {@code max(tolerance_usecs, tolerance_percent × (t − previous scheduled t))}.
 *       An outbound packet must be sent within {@code [t − tol, t + tol]} ({@code [a − tol, b + tol]}
 *       for a range, any time for {@code *}); every other event must not start later than {@code t +
 *       tol}; a blocking call must return within tolerance of its end time.
 *   <li>Each {@code >} line takes the next packet the stack sent; consecutive segments are merged
 *       while the line expects more payload (unless {@code --strict_segments}). With strict packets
 *       a packet no line took before the next inbound packet, call, command or the end fails the
 *       script.
 * </ul>
 *
 * <p>Failures carry the line, what was expected, what the stack did and its last trace events.
 * Not thread-safe; one interpreter per run.
 */
final class Interpreter {
    /** Settings that come from the script's options and the run. */
    record Settings(long toleranceUs, double tolerancePercent, OptionsOrder order, long tsTickUs,
                    boolean ecrScaled, boolean strictSegments, boolean strictPackets, long maxWaitUs,
                    List<Shell.Setting> baseline) {}

    /** A blocking call in flight. */
    private record Blocking(int line, Script.Syscall call, PendingCall pending, long endUs, long toleranceUs) {}

    private final Script script;
    private final Target target;
    private final Settings settings;
    private final Endpoints ends;
    private final SequenceMap seqs = new SequenceMap();
    private final PacketMatcher matcher;
    private final Map<Long, Long> fds = new HashMap<>();
    /** Names assigned in the script's code blocks ({@code NAME = EXPR}), for its later blocks. */
    private final Map<String, Long> codeVariables = new HashMap<>();
    /** Relative times count from here. */
    private long baseUs;
    private long lastScheduledUs;
    private boolean lastWasInbound;
    private Blocking blocking;
    /** Where settings files named by commands are looked up (the script's directory), or null. */
    private final java.nio.file.Path dir;
    /** Commands run as no-ops and baseline settings the stack does not honour, for the report. */
    private final List<String> notes = new ArrayList<>();
    /** The stack's ports of the connections tested so far (packetdrill ignores packets of sockets no longer under test). */
    /** Calls that give the socket under test its port. */
    private static final java.util.Set<String> PORT_CALLS = java.util.Set.of("bind", "connect", "accept", "sendto",
            "sendmsg", "listen");
    private final java.util.Set<Integer> testedPorts = new java.util.HashSet<>();
    /** The port of the socket the script left by creating another (packetdrill's socket_under_test moves), until the new one has a port; else -1. */
    private int leftPort = -1;

    Interpreter(Script script, Target target, Settings settings, Endpoints ends, java.nio.file.Path dir) {
        this.dir = dir;
        this.script = script;
        this.target = target;
        this.settings = settings;
        this.ends = ends;
        this.matcher = new PacketMatcher(seqs, ends, settings.order(), settings.tsTickUs());
    }

    /** Runs every event; throws {@link ScriptFailure} or {@link ScriptUnsupportedException}. */
    void run() {
        for (Shell.Setting s : settings.baseline()) {
            String caveat = target.apply(s, 0);
            if (caveat != null) {
                notes.add("not honoured: " + caveat);
            }
        }
        if (script.init() != null) {
            shell(script.init(), 0);
        }
        target.startClock();
        int lastLine = 0;
        for (Script.Event e : script.events()) {
            lastLine = e.line();
            switch (e.action()) {
                case Script.Packet p when p.inbound() -> inbound(e, p);
                case Script.Packet p -> outbound(e, p);
                case Script.Syscall s -> syscall(e, s);
                case Script.Command c -> command(e, c);
                case Script.Code c -> code(e, c);
                case Script.OtherPacket o when o.inbound() && o.protocol().equals("icmp") -> icmpInbound(e, o);
                case Script.OtherPacket o -> throw new ScriptUnsupportedException(e.line(), o.protocol()
                        + " packet lines are parsed but not yet run (" + (o.inbound() ? "< " : "> ") + o.text() + ")");
            }
            checkBlockingDone();
        }
        finish(lastLine);
    }

    // =============================================================================================
    // Time
    // =============================================================================================

    private long scheduled(Script.Event e) {
        Script.Time t = e.time();
        boolean inbound = e.action() instanceof Script.Packet p && p.inbound();
        long base = inbound && lastWasInbound ? lastScheduledUs : baseUs;
        return t.startRelative() ? base + t.startUs() : t.startUs();
    }

    private long tolerance(long scheduledUs, long previousUs) {
        long pct = (long) (settings.tolerancePercent() / 100.0 * Math.max(0, scheduledUs - previousUs));
        return Math.max(settings.toleranceUs(), pct);
    }

    /** Brings the stack to the event's time; fails if the runner is already past it by more than the tolerance. */
    private long reach(Script.Event e, String what) {
        long t = scheduled(e);
        long tol = tolerance(t, lastScheduledUs);
        long now = target.nowUs();
        if (now > t + tol + target.startSlackUs()) {
            throw fail(e.line(), "timing error: " + what + " should start at " + sec(t) + " s (±" + ms(tol)
                    + ") but the previous events ended at " + sec(now) + " s");
        }
        target.runUntil(t, () -> false);
        return t;
    }

    // =============================================================================================
    // Packets
    // =============================================================================================

    private void inbound(Script.Event e, Script.Packet p) {
        long t = reach(e, "inbound packet");
        checkNothingUnexpected(e.line());
        if (ends.localPort >= 0) {
            testedPorts.add(ends.localPort);
        }
        boolean syn = (p.flags() & TcpFlags.SYN) != 0;
        if (syn) {
            seqs.remoteSyn(p.start(), (p.flags() & TcpFlags.ACK) != 0);
        }
        int ack = (p.flags() & TcpFlags.ACK) != 0 ? seqs.local(p.ack(), syn) : (int) p.ack();
        List<TcpOption> options = p.options() == null ? List.of()
                : inboundOptions(e.line(), p.options(), (p.flags() & TcpFlags.ACK) != 0);
        PacketBuilder.Fields f = new PacketBuilder.Fields(ends.remote, ends.local, p.ip().tos() >= 0 ? p.ip().tos()
                : Math.max(p.ip().ecn(), 0), p.ip().ttl(), p.ip().flowLabel(),
                p.srcPort() >= 0 ? p.srcPort() : ends.remotePort, p.dstPort() >= 0 ? p.dstPort() : ends.localPort,
                seqs.remote(p.start(), syn), ack, p.flags(), p.window(), p.urgent(), options, p.length());
        // IPv4's total length and IPv6's payload length (which excludes its header) are 16 bits.
        int counted = p.length() + options.stream().mapToInt(TcpOption::wireLength).sum() + 20 + (ends.isV4() ? 20 : 0);
        if (counted > 65535) {
            throw fail(e.line(), "the segment needs " + counted + " bytes of IP length, more than an IP packet "
                    + "can carry (65535); split it");
        }
        target.inject(PacketBuilder.build(f));
        lastScheduledUs = t;
        baseUs = target.nowUs();
        lastWasInbound = true;
    }

    /** An inbound ICMP error quoting a segment of the connection under test ({@link IcmpLine}). */
    private void icmpInbound(Script.Event e, Script.OtherPacket o) {
        IcmpLine icmp = IcmpLine.parse(e.line(), o.text(), ends.isV4());
        long t = reach(e, "inbound packet");
        checkNothingUnexpected(e.line());
        target.inject(icmp.build(ends, seqs.local(icmp.start(), false)));
        lastScheduledUs = t;
        baseUs = target.nowUs();
        lastWasInbound = true;
    }

    /** Maps an inbound option list: TS ecr to the live value it echoes (with ACK), SACK blocks to live numbers. */
    private List<TcpOption> inboundOptions(int line, List<TcpOption> options, boolean ack) {
        List<TcpOption> out = new ArrayList<>(options.size());
        for (TcpOption o : options) {
            // As packetdrill: the echo is only mapped on segments with ACK (RFC 7323 §3.2: TSecr is only
            // valid then); a SYN's is sent as written.
            if (o instanceof TcpOption.Timestamps ts && ts.tsEcr() != 0 && ack) {
                Integer live = seqs.liveTimestamp(Integer.toUnsignedLong(ts.tsEcr()));
                if (live == null && !settings.ecrScaled()) {
                    throw fail(line, "TS ecr " + Integer.toUnsignedString(ts.tsEcr())
                            + " echoes no TS val an outbound line has matched (write the val of an earlier '>' line)");
                }
                out.add(new TcpOption.Timestamps(ts.tsVal(), live == null ? ts.tsEcr() : live));
            } else if (o instanceof TcpOption.Sack s) {
                int[] edges = new int[2 * s.blocks()];
                for (int b = 0; b < s.blocks(); b++) {
                    edges[2 * b] = seqs.local(Integer.toUnsignedLong(s.left(b)), false);
                    edges[2 * b + 1] = seqs.local(Integer.toUnsignedLong(s.right(b)), false);
                }
                out.add(new TcpOption.Sack(edges));
            } else {
                out.add(o);
            }
        }
        return out;
    }

    private void outbound(Script.Event e, Script.Packet p) {
        Script.Time time = e.time();
        long t;
        long lo;
        long hi;
        long tol;
        switch (time.kind()) {
            case ANY -> {
                t = -1;
                tol = 0;
                lo = Long.MIN_VALUE;
                hi = target.nowUs() + settings.maxWaitUs();
            }
            case RANGE -> {
                t = time.startRelative() ? baseUs + time.startUs() : time.startUs();
                long end = time.endRelative() ? baseUs + time.endUs() : time.endUs();
                tol = tolerance(t, lastScheduledUs);
                lo = t - tol;
                hi = end + tol;
            }
            default -> {
                t = scheduled(e);
                tol = tolerance(t, lastScheduledUs);
                lo = t - tol;
                hi = t + tol;
            }
        }
        LivePacket got = nextForSocketUnderTest(p, hi);
        if (got == null) {
            throw fail(e.line(), "expected an outbound packet" + (t >= 0 ? " at " + sec(t) + " s (±" + ms(tol) + ")" : "")
                    + " but the stack sent nothing by " + sec(hi) + " s\n  script: " + PacketMatcher.lineText(p));
        }
        got = aggregate(p, got, hi);
        List<String> diffs = new ArrayList<>();
        if (got.timeUs() < lo || got.timeUs() > hi) {
            diffs.add("time: expected " + (time.kind() == Script.Time.Kind.RANGE ? "between " + sec(lo) + " and "
                    + sec(hi) : sec(t) + " s (±" + ms(tol) + ")") + ", sent at " + sec(got.timeUs()) + " s");
        }
        diffs.addAll(matcher.compare(p, got, Math.max(tol, settings.toleranceUs())));
        if (!diffs.isEmpty()) {
            throw fail(e.line(), "outbound packet does not match\n  script: " + PacketMatcher.lineText(p)
                    + "\n  actual: " + matcher.liveText(got, p) + " at " + sec(got.timeUs()) + " s\n  differences:\n    "
                    + String.join("\n    ", diffs));
        }
        baseUs = got.timeUs();
        lastScheduledUs = t >= 0 ? t : got.timeUs();
        lastWasInbound = false;
    }

    /**
     * The next packet the stack sends by {@code hiUs} for the socket under test. As packetdrill
     * ({@code find_socket_for_live_packet}), packets of a connection the script tested before and has
     * left (a FIN after its close(), say) are passed over when the line names no ports.
     */
    private LivePacket nextForSocketUnderTest(Script.Packet p, long hiUs) {
        while (true) {
            target.runUntil(hiUs, () -> !target.sent().isEmpty());
            LivePacket got = target.sent().poll();
            if (got == null || p.srcPort() >= 0 || !ofConnectionLeft(got)) {
                if (ends.localPort >= 0) {
                    testedPorts.add(ends.localPort);
                }
                return got;
            }
            passOver(got);
        }
    }

    /** Whether {@code got} belongs to a connection the script tested and has left for another socket. */
    private boolean ofConnectionLeft(LivePacket got) {
        return testedPorts.contains(got.srcPort()) && (got.srcPort() != ends.localPort || got.srcPort() == leftPort);
    }

    private void passOver(LivePacket got) {
        String text = "passed over " + matcher.liveText(got) + " at " + sec(got.timeUs())
                + " s: a connection no longer under test";
        if (!notes.contains(text)) {
            notes.add(text);
        }
    }

    /** Merges following segments into {@code first} while the line expects more payload (TSO-style lines). */
    private LivePacket aggregate(Script.Packet p, LivePacket first, long hiUs) {
        LivePacket got = first;
        while (!settings.strictSegments() && got.payloadLength() < p.length() && got.payloadLength() > 0
                && (got.flags() & (TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST)) == 0) {
            target.runUntil(hiUs, () -> !target.sent().isEmpty());
            LivePacket next = target.sent().peek();
            if (next == null || next.seq() != got.seq() + got.payloadLength() || next.srcPort() != got.srcPort()
                    || next.dstPort() != got.dstPort() || (next.flags() & (TcpFlags.SYN | TcpFlags.RST)) != 0
                    || (next.flags() & TcpFlags.ACK) != (got.flags() & TcpFlags.ACK)) {
                break;
            }
            got = got.merge(target.sent().poll(), target.segmentsAreGsoPieces());
        }
        return got;
    }

    /** Strict packets: the stack must not have sent anything no line took. */
    private void checkNothingUnexpected(int line) {
        while (!target.sent().isEmpty() && ofConnectionLeft(target.sent().peek())) {
            passOver(target.sent().poll());
        }
        if (!settings.strictPackets() || target.sent().isEmpty()) {
            return;
        }
        LivePacket extra = target.sent().peek();
        throw fail(line, "the stack sent a packet no line expects (strict packets), before this line:\n  actual: "
                + matcher.liveText(extra) + " at " + sec(extra.timeUs()) + " s");
    }

    // =============================================================================================
    // System calls
    // =============================================================================================

    private void syscall(Script.Event e, Script.Syscall s) {
        if (!Symbols.SYSCALLS.contains(s.name())) {
            throw fail(e.line(), "unknown system call " + s.name() + "() (packetdrill rejects it too)");
        }
        if (blocking != null) {
            Blocking b = blocking;
            target.runUntil(b.endUs() + b.toleranceUs(), () -> b.pending().isDone());
            checkBlockingDone();
            if (blocking != null) {
                throw fail(b.line(), "blocking " + b.call().name() + "() should have returned at " + sec(b.endUs())
                        + " s but had not by " + sec(target.nowUs()) + " s (line " + e.line()
                        + " makes another call, and only one may block at a time)");
            }
        }
        long base = baseUs;
        long t = reach(e, s.name() + "()");
        if (s.name().equals("socket") && ends.localPort >= 0) {
            // packetdrill's socket under test is now the new socket.
            testedPorts.add(ends.localPort);
            leftPort = ends.localPort;
        }
        checkNothingUnexpected(e.line());
        Script.Time time = e.time();
        SocketCall call = new SocketCall(s.name(), evaluate(e.line(), s), e.line(),
                time.kind() == Script.Time.Kind.BLOCKING);
        PendingCall pending = target.call(call);
        if (PORT_CALLS.contains(s.name())) {
            leftPort = -1;
        }
        if (time.kind() == Script.Time.Kind.BLOCKING) {
            long end = time.endRelative() ? base + time.endUs() : time.endUs();
            blocking = new Blocking(e.line(), s, pending, end, tolerance(end, t));
        } else if (!pending.isDone()) {
            throw fail(e.line(), s.name() + "() blocked; a call that blocks needs a start and an end time: "
                    + "'T...END " + s.name() + "(...)'");
        } else {
            checkResult(e.line(), s, pending.result());
        }
        // The next event counts from when this call returned (a blocking one: when it started).
        baseUs = time.kind() == Script.Time.Kind.BLOCKING ? Math.max(t, pending.startedAtUs())
                : pending.isDone() ? pending.doneAtUs() : t;
        lastScheduledUs = t;
        lastWasInbound = false;
    }

    /** If the blocking call has returned, checks its result and return time. */
    private void checkBlockingDone() {
        if (blocking == null || !blocking.pending().isDone()) {
            return;
        }
        Blocking b = blocking;
        blocking = null;
        long at = b.pending().doneAtUs();
        if (Math.abs(at - b.endUs()) > b.toleranceUs()) {
            throw fail(b.line(), "timing error: " + b.call().name() + "() should return at " + sec(b.endUs()) + " s (±"
                    + ms(b.toleranceUs()) + ") but returned at " + sec(at) + " s with " + b.pending().result());
        }
        checkResult(b.line(), b.call(), b.pending().result());
    }

    private List<Object> evaluate(int line, Script.Syscall s) {
        List<Object> args = new ArrayList<>();
        for (int k = 0; k < s.args().size(); k++) {
            Object v = value(line, s.args().get(k));
            boolean fdArg = k == 0 && !s.name().equals("socket") && !s.name().equals("poll")
                    && !s.name().equals("epoll_create") || k == 2 && s.name().equals("epoll_ctl");
            if (fdArg && v instanceof Long fd) {
                v = fds.getOrDefault(fd, fd);
            }
            if (s.name().equals("poll") && k == 0 && v instanceof List<?> l) {
                v = mapPollFds(l);
            }
            args.add(v);
        }
        return List.copyOf(args);
    }

    private List<Object> mapPollFds(List<?> l) {
        List<Object> out = new ArrayList<>();
        for (Object o : l) {
            if (o instanceof Map<?, ?> m && m.get("fd") instanceof Long fd) {
                Map<String, Object> copy = new LinkedHashMap<>();
                m.forEach((k, v) -> copy.put((String) k, v));
                copy.put("fd", fds.getOrDefault(fd, fd));
                out.add(copy);
            } else {
                out.add(o);
            }
        }
        return out;
    }

    private Object value(int line, Expr e) {
        return switch (e) {
            case Expr.Num n -> n.value();
            case Expr.Str s -> s.value();
            case Expr.Ellipsis x -> SocketCall.DEFAULT;
            case Expr.Sym s -> {
                Long v = Symbols.value(s.name());
                if (v == null) {
                    // packetdrill rejects a symbol it does not know: a mistake in the script, not a gap.
                    throw fail(line, "unknown symbol " + s.name() + " (packetdrill rejects it too; a typo, or "
                            + "a -D define the run lacks?)");
                }
                yield v;
            }
            case Expr.Or o -> {
                long v = 0;
                for (Expr t : o.terms()) {
                    if (!(value(line, t) instanceof Long n)) {
                        throw new ScriptUnsupportedException(line, "'|' needs numbers");
                    }
                    v |= n;
                }
                yield v;
            }
            case Expr.Array a -> {
                List<Object> items = new ArrayList<>();
                for (Expr t : a.items()) {
                    items.add(value(line, t));
                }
                yield items;
            }
            case Expr.Struct s -> {
                Map<String, Object> fields = new LinkedHashMap<>();
                s.fields().forEach((k, v) -> fields.put(k, value(line, v)));
                yield fields;
            }
            case Expr.Call c -> switch (c.function()) {
                case "htons", "ntohs", "htonl", "ntohl" -> value(line, c.args().getFirst());
                case "inet_addr", "inet6_addr", "inet_pton" -> value(line, c.args().getLast());
                default -> throw new ScriptUnsupportedException(line, "function " + c.function() + "() is not supported");
            };
        };
    }

    private void checkResult(int line, Script.Syscall s, SocketCall.Result r) {
        String call = s.name() + "()";
        String got = r.errno() != null ? r.value() + " " + r.errno() : String.valueOf(r.value());
        String want = s.result() + (s.errno() != null ? " " + s.errno() : "");
        boolean newFd = s.name().equals("socket") || s.name().equals("accept") || s.name().equals("epoll_create")
                || s.name().equals("open");
        if (newFd && s.result() >= 0 && r.value() >= 0) {
            fds.put(s.result(), r.value());
        } else if (r.value() != s.result() || (s.errno() != null && !Symbols.sameErrno(s.errno(), r.errno()))) {
            throw fail(line, call + " returned " + got + ", expected " + want);
        }
        switch (s.name()) {
            case "getsockopt" -> checkOut(line, call, s.args().size() > 3 ? s.args().get(3) : null, r.out());
            case "ioctl" -> checkOut(line, call, s.args().size() > 2 ? s.args().get(2) : null, r.out());
            case "poll" -> checkRevents(line, s, r);
            case "epoll_wait" -> checkEpollEvents(line, s, r);
            case "recvmsg" -> checkControl(line, s, r);
            default -> {
            }
        }
    }

    /** Compares a {@code [v]} or {@code {field=v}} expectation with what the call wrote. */
    private void checkOut(int line, String call, Expr expected, Object actual) {
        if (expected == null || expected instanceof Expr.Ellipsis || actual == null) {
            return;
        }
        Object want = value(line, expected);
        if (want instanceof List<?> l && l.size() == 1) {
            want = l.getFirst();
        }
        if (want instanceof Map<?, ?> wm && actual instanceof Map<?, ?> am) {
            for (Map.Entry<?, ?> en : wm.entrySet()) {
                if (!en.getValue().equals(am.get(en.getKey()))) {
                    throw fail(line, call + " wrote " + am + ", expected " + wm);
                }
            }
            return;
        }
        if (!want.equals(actual)) {
            throw fail(line, call + " wrote [" + describeValue(actual, want) + "], expected [" + describeValue(want, want) + "]");
        }
    }

    private static String describeValue(Object v, Object context) {
        if (v instanceof Long n && expectedIsErrno(context)) {
            return n == 0 ? "0" : Symbols.errnoName(n.intValue());
        }
        return String.valueOf(v);
    }

    private static boolean expectedIsErrno(Object want) {
        return want instanceof Long n && n > 0 && !Symbols.errnoName(n.intValue()).startsWith("errno");
    }

    /**
     * recvmsg's {@code msg_control} as the script writes it: each control message's fields, and of
     * {@code cmsg_data} each field the script names, equal to what the call returned.
     */
    private void checkControl(int line, Script.Syscall s, SocketCall.Result r) {
        if (s.args().size() < 2 || !(s.args().get(1) instanceof Expr.Struct msg)
                || !(msg.fields().get("msg_control") instanceof Expr.Array want) || !(r.out() instanceof List<?> got)) {
            return;
        }
        Object expected = value(line, want);
        if (!sameFields(expected, got, settings.toleranceUs() * 1000)) {
            throw fail(line, "recvmsg() msg_control: expected " + expected + ", got " + got);
        }
    }

    /**
     * {@code want} and {@code got} equal, where a struct in {@code want} may leave fields out; a
     * timestamp ({@code {scm_sec=..., scm_nsec=...}}, script-relative as packetdrill writes it)
     * within {@code toleranceNs}.
     */
    private static boolean sameFields(Object want, Object got, long toleranceNs) {
        if (want instanceof Map<?, ?> wm && wm.get("scm_sec") instanceof Long ws && wm.get("scm_nsec") instanceof Long wns
                && got instanceof Map<?, ?> gm && gm.get("scm_sec") instanceof Long gs && gm.get("scm_nsec") instanceof Long gns) {
            return Math.abs((ws - gs) * 1_000_000_000L + wns - gns) <= toleranceNs;
        }
        if (want instanceof Map<?, ?> wm) {
            return got instanceof Map<?, ?> gm && wm.entrySet().stream()
                    .allMatch(e -> sameFields(e.getValue(), gm.get(e.getKey()), toleranceNs));
        }
        if (want instanceof List<?> wl) {
            if (!(got instanceof List<?> gl) || wl.size() != gl.size()) {
                return false;
            }
            for (int i = 0; i < wl.size(); i++) {
                if (!sameFields(wl.get(i), gl.get(i), toleranceNs)) {
                    return false;
                }
            }
            return true;
        }
        return want == SocketCall.DEFAULT || want.equals(got);
    }

    /** epoll_wait's first event: the script's {@code {events=..., fd=N}} (the fd is the script's, not compared). */
    private void checkEpollEvents(int line, Script.Syscall s, SocketCall.Result r) {
        if (s.args().size() < 2 || !(s.args().get(1) instanceof Expr.Struct st) || !st.fields().containsKey("events")
                || !(r.out() instanceof Map<?, ?> got) || !(got.get("events") instanceof Long events)) {
            return;
        }
        long want = (Long) value(line, st.fields().get("events"));
        if (want != events) {
            throw fail(line, "epoll_wait() events: expected " + want + ", got " + events);
        }
    }

    private void checkRevents(int line, Script.Syscall s, SocketCall.Result r) {
        if (!(s.args().getFirst() instanceof Expr.Array a) || !(r.out() instanceof List<?> got)) {
            return;
        }
        for (int k = 0; k < a.items().size() && k < got.size(); k++) {
            if (a.items().get(k) instanceof Expr.Struct st && st.fields().containsKey("revents")) {
                long want = (Long) value(line, st.fields().get("revents"));
                if (want != (Long) got.get(k)) {
                    throw fail(line, "poll() revents of pollfd " + k + ": expected " + pollNames(want) + ", got "
                            + pollNames((Long) got.get(k)));
                }
            }
        }
    }

    private static String pollNames(long mask) {
        String[] names = {"POLLIN", "POLLPRI", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL", "POLLRDNORM",
            "POLLRDBAND", "POLLWRNORM", "POLLWRBAND"};
        List<String> out = new ArrayList<>();
        for (int b = 0; b < names.length; b++) {
            if ((mask & (1L << b)) != 0) {
                out.add(names[b]);
            }
        }
        if ((mask & 0x2000) != 0) {
            out.add("POLLRDHUP");
        }
        return out.isEmpty() ? "0" : String.join("|", out);
    }

    // =============================================================================================
    // Commands, code, end
    // =============================================================================================

    private void command(Script.Event e, Script.Command c) {
        long t = reach(e, "command");
        checkNothingUnexpected(e.line());
        shell(c.text(), e.line());
        baseUs = target.nowUs();
        lastScheduledUs = t;
        lastWasInbound = false;
    }

    /** What the run noted: no-op commands and baseline settings the stack does not honour. */
    List<String> notes() {
        return notes;
    }

    private void shell(String text, int line) {
        for (Shell.Step step : Shell.parse(text, line, dir)) {
            switch (step) {
                case Shell.Setting s -> {
                    String caveat = target.apply(s, line);
                    if (caveat != null && !notes.contains("not honoured: " + caveat)) {
                        notes.add("not honoured: " + caveat);
                    }
                }
                case Shell.NoOp n -> {
                    if (n.command().strip().startsWith("ip tcp_metrics flush")) {
                        target.flushTcpMetrics();
                    } else if (n.command().strip().startsWith("nstat")) {
                        target.nstat();
                    }
                    notes.add("line " + line + ": no-op `" + n.command() + "`: " + n.why());
                }
                case Shell.FileWrite f -> target.writeFile(f.path(), f.bytes(), line);
                case Shell.StateCheck c -> {
                    if (!target.stateCheck(c.check(), line)) {
                        throw fail(line, "command `" + c.check().command() + "` failed: no "
                                + (c.check().tool() == StateChecks.Tool.NSTAT ? "counter" : "socket of the stack")
                                + " matches");
                    }
                }
            }
        }
    }

    private void code(Script.Event e, Script.Code c) {
        long t = reach(e, "code");
        checkNothingUnexpected(e.line());
        Map<String, Long> info = target.tcpInfo(ends);
        String failed = CodeBlock.check(c.text(), e.line(), CodeBlock.names(info), codeVariables);
        if (failed != null) {
            throw fail(e.line(), failed);
        }
        baseUs = target.nowUs();
        lastScheduledUs = t;
        lastWasInbound = false;
    }

    private void finish(int lastLine) {
        if (blocking != null) {
            Blocking b = blocking;
            target.runUntil(b.endUs() + b.toleranceUs(), () -> b.pending().isDone());
            checkBlockingDone();
            if (blocking != null) {
                throw fail(b.line(), "blocking " + b.call().name() + "() should have returned at " + sec(b.endUs())
                        + " s but never did");
            }
        }
        checkNothingUnexpected(lastLine);
    }

    // =============================================================================================
    // Messages
    // =============================================================================================

    private ScriptFailure fail(int line, String message) {
        StringBuilder sb = new StringBuilder(message);
        List<String> trace = target.recentTrace();
        if (!trace.isEmpty()) {
            sb.append("\n  last trace events:");
            for (String t : trace) {
                sb.append("\n    ").append(t);
            }
        }
        return new ScriptFailure(line, sb.toString());
    }

    static String sec(long us) {
        return String.format("%.6f", us / 1e6);
    }

    private static String ms(long us) {
        return us % 1000 == 0 ? us / 1000 + " ms" : String.format("%.3f ms", us / 1e3);
    }
}
