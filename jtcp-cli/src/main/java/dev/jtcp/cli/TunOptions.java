package dev.jtcp.cli;

import dev.jtcp.api.NetStack;
import dev.jtcp.event.Tracer;
import dev.jtcp.link.CaptureLink;
import dev.jtcp.link.ImpairedLink;
import dev.jtcp.link.Link;
import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.tun.ErrnoException;
import dev.jtcp.link.tun.TunLink;
import dev.jtcp.pcap.CaptureWriter;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.trace.LiveLadder;
import dev.jtcp.wire.IpAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every command that talks to the kernel through a TUN device shares, and the code that
 * turns them into a running {@link NetStack}: create the device (in {@code --netns} if given), give
 * the kernel's end {@code --kernel-addr} and bring it up, wrap the link in a capture and
 * impairments if asked, start the stack at {@code --addr}. The device disappears when the process
 * exits (it is not persistent); a shutdown hook also closes the stack so peers see resets.
 */
final class TunOptions {
    @Option(names = "--tun", paramLabel = "NAME", defaultValue = "jtcp0",
            description = "TUN interface to create (default ${DEFAULT-VALUE}).")
    String tun;

    @Option(names = "--addr", paramLabel = "CIDR", split = ",",
            description = "jtcp's own address(es) (default 198.18.0.2/24,fd00::2/64).")
    List<String> addresses = List.of("198.18.0.2/24", "fd00::2/64");

    @Option(names = "--kernel-addr", paramLabel = "CIDR", split = ",",
            description = "Address(es) of the kernel's end of the TUN (default 198.18.0.1/24,fd00::1/64); 'none' to configure it yourself.")
    List<String> kernelAddresses = List.of("198.18.0.1/24", "fd00::1/64");

    @Option(names = "--mtu", defaultValue = "1500", description = "Interface MTU (default ${DEFAULT-VALUE}).")
    int mtu;

    @Option(names = "--netns", paramLabel = "NS",
            description = "Create the TUN in network namespace NS (as made by 'ip netns add'), without moving jtcp itself.")
    String netns;

    /** The values of {@code --offload}. */
    enum Switch { on, off }

    @Option(names = "--offload", paramLabel = "on|off", defaultValue = "on",
            description = {"Open the TUN with the virtio-net header (default ${DEFAULT-VALUE}): partial checksums and"
                    + " 64 KiB TCP super-packets both ways, cut by the kernel; off: one plain packet per read and write."})
    Switch offload;

    @Option(names = "--loops", paramLabel = "N", defaultValue = "1",
            description = {"Event loops (threads), one per core (default ${DEFAULT-VALUE}): more than one opens the TUN"
                    + " with one queue per loop (IFF_MULTI_QUEUE); each loop owns the connections whose packets"
                    + " the kernel steers to its queue."})
    int loops;

    @Option(names = "--impair", paramLabel = "SPEC",
            description = {"Impair both directions, e.g. loss=5%%,delay=10ms,jitter=2ms,reorder=1%%,duplicate=1%%.",
                    "Keys: delay, jitter, jitterdist, loss, gilbert (burst loss), reorder, reorderdelay, duplicate,"
                            + " corrupt, corruptbits, rate, queue, queuebytes, ce, cethreshold; and two TCP rules:"
                            + " relose=N (a segment lost is lost again on its next N resends) and tail=N/BYTES (the"
                            + " first sending of the last N segments before every BYTES of a stream is lost)."})
    String impair;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the --impair fault injector (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--trace", description = "Print every segment, state change and timer event to standard error.")
    boolean trace;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Capture the TUN's packets to FILE (.pcapng for pcapng).")
    Path pcap;

    @Option(names = "--msl", paramLabel = "DURATION", defaultValue = "60s",
            description = "Maximum segment lifetime; TIME-WAIT lasts twice this (e.g. 500ms, 60s, 2min; default ${DEFAULT-VALUE}).")
    Duration msl;

    @Option(names = "--stats", paramLabel = "INTERVAL", arity = "0..1", fallbackValue = "5s",
            description = "Print the stack's counters (connections by state, queues, cookies, TIME-WAIT records,"
                    + " drops) to standard error every INTERVAL (default 5s when given without one).")
    Duration stats;

    @Option(names = "--ecn", paramLabel = "MODE", defaultValue = "accept",
            converter = EcnModeConverter.class,
            description = "Explicit Congestion Notification (RFC 3168): off, accept (when the peer asks;"
                    + " default) or on (ask on every connection).")
    TcpConfig.EcnMode ecn;

    @Option(names = "--cc", paramLabel = "ALGORITHM", defaultValue = "cubic", converter = CongestionConverter.class,
            description = "Congestion control of jtcp's connections: cubic (RFC 9438 with HyStart++; default, as"
                    + " Linux), reno (RFC 5681) or bbr (BBRv3: a path model that does not read random loss as"
                    + " congestion; the better choice on lossy links).")
    TcpConfig.CongestionAlgorithm cc;

    /** Reads reno, cubic and bbr, in any case. */
    static final class CongestionConverter implements picocli.CommandLine.ITypeConverter<TcpConfig.CongestionAlgorithm> {
        @Override
        public TcpConfig.CongestionAlgorithm convert(String value) {
            try {
                return TcpConfig.CongestionAlgorithm.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Reads off, accept and on, in any case. */
    static final class EcnModeConverter implements picocli.CommandLine.ITypeConverter<TcpConfig.EcnMode> {
        @Override
        public TcpConfig.EcnMode convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "off" -> TcpConfig.EcnMode.OFF;
                case "accept" -> TcpConfig.EcnMode.ACCEPT;
                case "on" -> TcpConfig.EcnMode.ON;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' is not an ECN mode: use off, accept or on");
            };
        }
    }

    /** The parsed {@code --impair}, set by {@link #validate()}. */
    private Impairments impairments;

    /**
     * Checks every option before anything is created, so that bad input never leaves a TUN device
     * half set up.
     *
     * @throws Failures.UsageException naming the option and what is wrong
     */
    void validate() {
        if (impair != null) {
            try {
                impairments = Impairments.parse(impair);
            } catch (IllegalArgumentException e) {
                throw new Failures.UsageException("--impair " + impair + ": " + e.getMessage());
            }
        }
        if (mtu < 1280 || mtu > 65535) {
            throw new Failures.UsageException("--mtu " + mtu + ": use 1280 (the IPv6 minimum) to 65535");
        }
        if (!tun.matches("[A-Za-z0-9_.-]{1,15}")) {
            throw new Failures.UsageException("--tun " + tun + ": an interface name is 1 to 15 letters, digits, '-', '_' or '.'");
        }
        addresses.forEach(a -> checkCidr("--addr", a));
        if (!isNone()) {
            kernelAddresses.forEach(a -> checkCidr("--kernel-addr", a));
        }
        if (loops < 1 || loops > 256) {
            throw new Failures.UsageException("--loops " + loops + ": use 1 to 256");
        }
        if (loops > 1 && (pcap != null || impair != null)) {
            throw new Failures.UsageException("--loops " + loops + ": --pcap and --impair wrap a TUN of one queue;"
                    + " use them with --loops 1");
        }
        if (msl.isZero()) {
            throw new Failures.UsageException("--msl must be more than 0");
        }
        if (stats != null && (stats.isZero() || stats.isNegative())) {
            throw new Failures.UsageException("--stats " + stats + ": the interval must be more than 0");
        }
        if (pcap != null) {
            Path parent = pcap.toAbsolutePath().getParent();
            if (parent != null && !java.nio.file.Files.isDirectory(parent)) {
                throw new Failures.UsageException("--pcap " + pcap + ": directory " + parent + " does not exist");
            }
        }
    }

    /**
     * For commands whose work needs one loop (the forwarder's any-address hook sees every flow on
     * the first loop only).
     *
     * @throws Failures.UsageException when {@code --loops} asks for more
     */
    void requireOneLoop(String command) {
        if (loops != 1) {
            throw new Failures.UsageException("--loops " + loops + ": " + command + " runs on one loop");
        }
    }

    private boolean isNone() {
        return kernelAddresses.size() == 1 && kernelAddresses.getFirst().equals("none");
    }

    private static void checkCidr(String option, String cidr) {
        int slash = cidr.indexOf('/');
        try {
            IpAddress address = IpAddress.parse(slash < 0 ? cidr : cidr.substring(0, slash));
            int prefix = Integer.parseInt(cidr.substring(slash + 1));
            if (slash >= 0 && prefix >= 0 && prefix <= (address.isV4() ? 32 : 128)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new Failures.UsageException(option + " " + cidr + ": not an address with a prefix length,"
                + " e.g. 198.18.0.2/24 or fd00::2/64");
    }

    /** Builds the link chain and starts the stack; reports what it did on standard error. */
    NetStack start(String name) throws IOException {
        validate();
        List<String> kernel = isNone() ? List.of() : kernelAddresses;
        TunLink tunLink = TunLink.create(tun, netns, mtu, kernel, offload == Switch.on, loops > 1);
        Link link = tunLink;
        try {
            if (pcap != null) {
                link = new CaptureLink(link, CaptureWriter.open(pcap), CaptureLink.nanoTimeToEpochOffset());
            }
            if (impair != null) {
                link = new ImpairedLink(link, impairments, seed);
            }
            NetStack.Builder b = NetStack.builder().name(name).link(link).loops(loops)
                    .config(TcpConfig.defaults().toBuilder().msl(msl).ecn(ecn).congestionControl(cc).build())
                    .tracer(trace ? new LiveLadder(System.err, true) : Tracer.NONE);
            addresses.forEach(b::address);
            NetStack stack = b.start();
            Shutdown.onExit("jtcp-shutdown", stack::close);
            if (stats != null) {
                printStats(stack, stats);
            }
            System.err.println("jtcp: " + tunLink.name() + " up, jtcp at " + String.join(", ", addresses)
                    + (kernel.isEmpty() ? "" : ", kernel at " + String.join(", ", kernel))
                    + (impair == null ? "" : ", impaired: " + impair + " (seed " + seed + ")")
                    + (loops == 1 ? "" : ", " + loops + " loops on " + loops + " queues"));
            return stack;
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** Prints {@code stack}'s counters to standard error every {@code interval}, on a daemon thread. */
    private static void printStats(NetStack stack, Duration interval) {
        Thread.ofPlatform().name("jtcp-stats").daemon(true).start(() -> {
            try {
                while (true) {
                    Thread.sleep(interval);
                    System.err.println("jtcp: stats: " + stack.stats());
                }
            } catch (InterruptedException | RuntimeException e) {
                // The stack or the process is ending.
            }
        });
    }

    /** Exit code for a failure to set the device up, after printing why. */
    static int report(IOException e) {
        System.err.println("jtcp: " + e.getMessage());
        if (e instanceof ErrnoException errno
                && (errno.errno() == ErrnoException.EPERM || errno.errno() == ErrnoException.EACCES)) {
            return ExitCodes.NO_PERMISSION;
        }
        return ExitCodes.FAILURE;
    }
}
