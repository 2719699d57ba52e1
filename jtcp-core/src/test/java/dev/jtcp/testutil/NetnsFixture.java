package dev.jtcp.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A throw-away network namespace for tests that meet the Linux kernel: {@code ip netns add} with a
 * unique name on creation, {@code ip netns del} on {@link #close} (which also removes every
 * interface inside it, TUN devices included). Tests use only 198.18.0.0/15 and fd00::/8 inside.
 *
 * <p>{@link #requireRoot()} skips a test when not root, and fails it when {@code CI=true}, where
 * these tests must run.
 *
 * <p>Thread-safety: {@link #exec} and {@link #run} may be called from any thread.
 */
public final class NetnsFixture implements AutoCloseable {
    private final String name;

    private NetnsFixture(String name) {
        this.name = name;
    }

    /** Skips (or on CI fails) unless running as root with {@code ip} and {@code /dev/net/tun}. */
    public static void requireRoot() {
        String problem = null;
        if (!isRoot()) {
            problem = "not root: kernel interoperability tests need root (TUN devices, network namespaces)";
        } else if (!Files.exists(Path.of("/dev/net/tun"))) {
            problem = "/dev/net/tun is missing";
        } else {
            problem = ExternalTools.missing(System.getenv().getOrDefault("PATH", ""), "ip").orElse(null);
        }
        if (problem == null) {
            return;
        }
        ExternalTools.skipOrFail(problem, ExternalTools.isCi());
    }

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Creates namespace {@code jtcp-<prefix>-<random>} with its loopback up. */
    public static NetnsFixture create(String prefix) throws InterruptedException {
        requireRoot();
        String name = "jtcp-" + prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        ExternalTools.run("ip", "netns", "add", name).requireSuccess();
        NetnsFixture ns = new NetnsFixture(name);
        ns.exec("ip", "link", "set", "lo", "up").requireSuccess();
        return ns;
    }

    public String name() {
        return name;
    }

    /**
     * Runs {@code command} inside the namespace ({@code ip netns exec}) with the default time limit.
     * A program that is not installed skips the test (fails it on CI) like {@link NeedsTools}, a
     * safety net for tests that forgot to declare it.
     */
    public ExternalTools.Result exec(String... command) throws InterruptedException {
        return exec(ExternalTools.DEFAULT_TIMEOUT, command);
    }

    public ExternalTools.Result exec(Duration timeout, String... command) throws InterruptedException {
        ExternalTools.require(command[0]);
        return ExternalTools.run(timeout, wrap(command));
    }

    /** The command line that runs {@code command} inside the namespace. */
    public List<String> wrap(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** Starts {@code command} inside the namespace without waiting; the caller owns the process. */
    public ProcessBuilder process(String... command) {
        ExternalTools.require(command[0]);
        return new ProcessBuilder(wrap(command));
    }

    @Override
    public void close() {
        try {
            ExternalTools.run("ip", "netns", "del", name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }
}
