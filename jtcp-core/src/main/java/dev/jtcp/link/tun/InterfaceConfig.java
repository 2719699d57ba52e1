package dev.jtcp.link.tun;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configures the kernel's end of a TUN interface with iproute2's {@code ip}: MTU, the kernel's own
 * addresses (which also install the connected routes towards jtcp), and the UP flag. Running
 * {@code ip} keeps this readable and identical to what a user would type; the commands are
 * printed in error messages so a failure can be reproduced by hand.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
public final class InterfaceConfig {
    private static final long TIMEOUT_S = 10;
    /**
     * Packets the kernel queues for jtcp on the interface ({@code txqueuelen}; TUN's own default is
     * 500). A loop that runs late on a busy machine found the queue full during a connection burst:
     * 30,000 connections at once from the kernel lost 234,000 packets there (SYNs, ACKs, FINs, so
     * clients backed off for tens of seconds; {@code jtcp bench storm}). The queue holds pointers to
     * packets; the packets cost memory only while they wait.
     */
    public static final int TX_QUEUE_LENGTH = 16_384;

    private InterfaceConfig() {
    }

    /**
     * Sets {@code mtu} and the queue length ({@link #TX_QUEUE_LENGTH}), adds each of {@code kernelAddresses} (CIDR, e.g. "198.18.0.1/24",
     * "fd00::1/64") and brings {@code ifName} up, inside namespace {@code netns} (null: the
     * current one).
     */
    public static void configure(String netns, String ifName, int mtu, List<String> kernelAddresses)
            throws IOException {
        ip(netns, "link", "set", "dev", ifName, "mtu", Integer.toString(mtu), "txqueuelen",
                Integer.toString(TX_QUEUE_LENGTH));
        for (String cidr : kernelAddresses) {
            if (cidr.contains(":")) {
                // No duplicate address detection: a TUN has no neighbours, and DAD would hold the
                // address "tentative" (unusable) for a second.
                ip(netns, "-6", "addr", "add", cidr, "dev", ifName, "nodad");
            } else {
                ip(netns, "addr", "add", cidr, "dev", ifName);
            }
        }
        ip(netns, "link", "set", "dev", ifName, "up");
    }

    /** Runs {@code ip [-n netns] args...}; throws with the command and its output if it fails. */
    public static void ip(String netns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        if (netns != null) {
            cmd.add("-n");
            cmd.add(netns);
        }
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new IOException("cannot run 'ip' (install iproute2): " + e.getMessage(), e);
        }
        p.getOutputStream().close();
        try {
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": timed out");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + ")"
                    + (out.isEmpty() ? "" : ": " + out));
        }
    }
}
