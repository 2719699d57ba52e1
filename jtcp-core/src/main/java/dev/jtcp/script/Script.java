package dev.jtcp.script;

import dev.jtcp.wire.TcpOption;
import java.util.List;
import java.util.Map;

/**
 * A parsed script: the {@code --option} lines at its top, the header directives in its comments,
 * an optional init command, the timed events, and an optional cleanup command.
 *
 * @param name       where the script came from (a path), for messages
 * @param options    {@code --name=value} lines; a bare {@code --name} maps to ""
 * @param directives what the comments declare about the script (requirements, expected failure)
 * @param init       a backquoted command before the first event, or null
 * @param cleanup    a backquoted command after the last event, or null
 */
public record Script(String name, Map<String, String> options, Directives directives, String init,
                     List<Event> events, String cleanup) {

    /**
     * What a script's comments declare, one directive per comment line of the form {@code // key: value}.
     *
     * @param requirements RFC 9293 Appendix B IDs the script proves ({@code // requirement: MUST-10, MUST-11})
     * @param xfail        why the script is expected to fail ({@code // xfail: <reason>}), or null
     * @param linuxDiffers why the script is expected to fail against the Linux kernel
     *                     ({@code // linux-differs: <reason>}), or null
     */
    public record Directives(List<String> requirements, String xfail, String linuxDiffers) {}

    /** One event: a time and what happens then. {@code line} is where the time token is. */
    public record Event(int line, Time time, Action action) {}

    /** When an event happens. Times are microseconds. */
    public record Time(Kind kind, long startUs, boolean startRelative, long endUs, boolean endRelative) {
        public enum Kind {
            /** {@code 1.5} or {@code +0.1}. */
            POINT,
            /** {@code *}: any time (outbound packets only). */
            ANY,
            /** {@code a~b}: a window (outbound packets only). */
            RANGE,
            /** {@code T...END}: a blocking call that starts at T and returns at END. */
            BLOCKING
        }

        static Time point(long us, boolean relative) {
            return new Time(Kind.POINT, us, relative, us, relative);
        }
    }

    /** What an event does. */
    public sealed interface Action permits Packet, OtherPacket, Syscall, Command, Code {}

    /**
     * A TCP packet line: {@code <} injects it, {@code >} expects the stack to send it.
     *
     * @param inbound     {@code <}
     * @param ip          IP fields the line sets or checks
     * @param srcPort     explicit source port ({@code sport>dport}), or -1
     * @param dstPort     explicit destination port, or -1
     * @param flags       {@link dev.jtcp.wire.TcpFlags} bits
     * @param flagText    the flags as written
     * @param start       first sequence number, script space
     * @param length      payload length
     * @param ack         ack field in script space ({@code ack N}); 0 when omitted
     * @param window      {@code win N}, or -1 when omitted (outbound: not checked)
     * @param urgent      {@code urg N}; 0 when omitted
     * @param options     the option list in order, or null when the line has none (no options allowed)
     * @param anyOptions  {@code <...>}: options are not checked
     */
    public record Packet(boolean inbound, IpInfo ip, int srcPort, int dstPort, int flags, String flagText, long start,
                         int length, long ack, int window, int urgent, List<TcpOption> options,
                         boolean anyOptions) implements Action {}

    /**
     * IP fields on a packet line ({@code [ect0]}, {@code (tos 0x10)}, {@code ttl 64}...); -1 when not given.
     *
     * @param ecn the ECN codepoint (0 not-ECT, 1 ECT(1), 2 ECT(0), 3 CE), or -1
     */
    public record IpInfo(int tos, int ecn, int ttl, int flowLabel) {
        public static final IpInfo NONE = new IpInfo(-1, -1, -1, -1);
    }

    /**
     * A system call: {@code name(args) = result [ERRNO] [(note)]}.
     *
     * @param errno the expected errno name, or null
     */
    public record Syscall(String name, List<Expr> args, long result, String errno) implements Action {}

    /** A backquoted shell command. */
    public record Command(String text) implements Action {}

    /**
     * A non-TCP packet line, parsed for its syntax: {@code icmp TYPE [CODE] [mtu N] [[s:e(len)]]}
     * or {@code udp (len)}. Running one is unsupported for now.
     *
     * @param protocol {@code icmp}, {@code udp}, ...
     * @param text     the line after the direction, normalised
     */
    public record OtherPacket(boolean inbound, String protocol, String text) implements Action {}

    /** A {@code %{ }%} code block. */
    public record Code(String text) implements Action {}

    /** A system call argument. */
    public sealed interface Expr {
        record Num(long value) implements Expr {}

        /** A symbolic name: SOCK_STREAM, O_NONBLOCK, ECONNREFUSED ... */
        record Sym(String name) implements Expr {}

        record Str(String value) implements Expr {}

        /** {@code ...}: the runner supplies the value (address, length, buffer). */
        record Ellipsis() implements Expr {}

        /** {@code A|B|C}. */
        record Or(List<Expr> terms) implements Expr {}

        /** {@code [a, b]}: an array, or a pointer to an int when it has one element. */
        record Array(List<Expr> items) implements Expr {}

        /** {@code {name=value, ...}}. */
        record Struct(Map<String, Expr> fields) implements Expr {}

        /** {@code htons(8080)}, {@code inet_addr("1.2.3.4")}. */
        record Call(String function, List<Expr> args) implements Expr {}
    }
}
