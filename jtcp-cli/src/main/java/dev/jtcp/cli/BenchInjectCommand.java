package dev.jtcp.cli;

import dev.jtcp.link.impair.Impairments;
import dev.jtcp.link.sim.SimNetwork;
import dev.jtcp.sim.SimHost;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.ConnectionStatus;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.tcp.TcpConnection;
import dev.jtcp.tcp.TcpListener;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpSegment;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtcp bench inject}: a blind off-path attacker against a large download, on the simulated
 * network. The attacker knows the 4-tuple but no sequence number and sends, into the receiving
 * client as if from the server, forged RSTs, SYNs and data segments (100 bytes, random sequence and
 * acknowledgment numbers) round-robin at {@code --rate} per millisecond of virtual time while the
 * download runs at full speed. Each forgery is counted as accepted when the host dropped it for no
 * reason (it passed the checks). RFC 5961 bounds what a blind attacker can get: a RST resets only at
 * exactly RCV.NXT (1 in 2^32), a SYN never resets (challenge ACK), and data is taken only inside
 * RCV.WND with an acknowledgment inside [SND.UNA - MAX.SND.WND, SND.NXT] (RCV.WND/2^32 x
 * MAX.SND.WND/2^32 per segment); the expected number accepted under that bound is summed over the
 * forgeries sent, with each one's current windows. The download must finish with the SHA-256 of
 * what was sent.
 */
@Command(name = "inject", mixinStandardHelpOptions = true,
        description = {"Blind RST, SYN and data injection into a large download on the simulated network.",
                "Prints forgeries sent and accepted per kind beside RFC 5961's bound, and the SHA-256 check."})
public final class BenchInjectCommand implements Callable<Integer> {
    private static final long MS = 1_000_000L;
    private static final IpAddress CLIENT = IpAddress.parse("198.18.0.1");
    private static final IpAddress SERVER = IpAddress.parse("198.18.0.2");
    private static final int PORT = 80;
    private static final double TWO_32 = 4294967296.0;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--mb", defaultValue = "1000", description = "Megabytes downloaded (default ${DEFAULT-VALUE}).")
    long mb;

    @Option(names = "--rate", defaultValue = "1000",
            description = "Forged segments per millisecond of virtual time (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the network and of the attacker (default ${DEFAULT-VALUE}).")
    long seed;

    /** What one run found; {@link #intact} is the SHA-256 comparison. */
    record Result(long bytes, long[] sent, long[] accepted, double[] bound, boolean intact, boolean reset,
                  String sha, long virtualMs, double wallS, long challengeAcksHeld) {}

    private static final String[] KINDS = {"RST", "SYN", "data"};

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (mb < 1 || rate < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--mb must be at least 1, --rate at least 0");
        }
        Result r = run(mb * 1_000_000L, rate, seed);
        out.printf(Locale.ROOT, "jtcp bench inject: %,d MB downloaded on the simulated network (virtual %,.1f s, wall %.1f s),"
                + " %d forged segments per virtual ms into the client%n", mb, r.virtualMs / 1000.0, r.wallS, rate);
        out.printf("%-6s %14s %10s %28s%n", "kind", "sent", "accepted", "RFC 5961 bound (expected)");
        for (int k = 0; k < 3; k++) {
            out.printf(Locale.ROOT, "%-6s %,14d %,10d %28.6f%n", KINDS[k], r.sent[k], r.accepted[k], r.bound[k]);
        }
        out.printf(Locale.ROOT, "challenge ACKs held back by the host budget: %,d%n", r.challengeAcksHeld);
        out.printf("download %s (SHA-256 %s)%s%n", r.intact ? "intact" : "CORRUPTED", r.sha,
                r.reset ? "; the connection was RESET" : "");
        out.flush();
        return r.intact && !r.reset ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** Downloads {@code total} bytes while forging {@code perMs} segments per virtual millisecond. */
    static Result run(long total, int perMs, long seed) throws NoSuchAlgorithmException {
        SimNetwork net = new SimNetwork(seed);
        SplittableRandom r = new SplittableRandom(seed);
        TcpConfig cfg = TcpConfig.defaults();
        Host client = new Host("client", cfg, r.split()).addAddress("198.18.0.1/24");
        Host server = new Host("server", cfg, r.split()).addAddress("198.18.0.2/24");
        Impairments d = Impairments.builder().delayNs(MS).build();
        SimHost.connect(net, new SimHost(client), new SimHost(server), d, d);
        TcpListener l = server.listen(0, PORT, 8);
        TcpConnection c = client.connect(net.nowNs(), SERVER, PORT);
        net.runFor(20 * MS);
        TcpConnection s = l.accept();
        SplittableRandom attacker = r.split();
        MessageDigest sentDigest = MessageDigest.getInstance("SHA-256");
        MessageDigest receivedDigest = MessageDigest.getInstance("SHA-256");
        SplittableRandom content = new SplittableRandom(seed * 7919);
        byte[] chunk = new byte[256 * 1024];
        ByteBuffer pending = ByteBuffer.allocate(0);
        ByteBuffer in = ByteBuffer.allocate(1 << 20);
        ByteBuffer packet = ByteBuffer.allocate(2048);
        PacketWriter writer = new PacketWriter();
        TcpSegment forged = new TcpSegment();
        byte[] junkBytes = new byte[100];
        attacker.nextBytes(junkBytes);
        ByteBuffer junk = ByteBuffer.wrap(junkBytes);
        long[] sent = new long[3];
        long[] accepted = new long[3];
        double[] bound = new double[3];
        long produced = 0;
        long received = 0;
        long wall0 = System.nanoTime();
        long start = net.nowNs();
        int kind = 0;
        while (received < total && c.state().isSynchronized() && net.nowNs() - start < 3_600_000 * MS) {
            // The server keeps its send buffer full.
            while (produced < total) {
                if (!pending.hasRemaining()) {
                    int n = (int) Math.min(chunk.length, total - produced);
                    content.nextBytes(chunk);
                    sentDigest.update(chunk, 0, n);
                    pending = ByteBuffer.wrap(chunk, 0, n);
                }
                int before = pending.remaining();
                s.send(net.nowNs(), pending);
                int took = before - pending.remaining();
                produced += took;
                if (took == 0) {
                    break;
                }
                if (pending.hasRemaining()) {
                    break;
                }
            }
            net.runFor(MS);
            while (true) {
                in.clear();
                int n = c.receive(net.nowNs(), in);
                if (n <= 0) {
                    break;
                }
                receivedDigest.update(in.array(), 0, n);
                received += n;
            }
            for (int i = 0; i < perMs && c.state().isSynchronized(); i++) {
                ConnectionStatus st = c.status();
                forged.clear();
                forged.srcPort = PORT;
                forged.dstPort = c.key().localPort();
                forged.seq = attacker.nextInt();
                forged.window = 65535;
                switch (kind) {
                    case 0 -> {
                        forged.flags = TcpFlags.RST;
                        bound[0] += 1 / TWO_32;
                    }
                    case 1 -> forged.flags = TcpFlags.SYN;
                    default -> {
                        forged.flags = TcpFlags.ACK | TcpFlags.PSH;
                        forged.ack = attacker.nextInt();
                        forged.payload(junk, 0, junkBytes.length);
                        long maxSndWnd = Math.max(st.sndWnd(), 65535L << st.sndWndScale());
                        bound[2] += (st.rcvWnd() + junkBytes.length) / TWO_32 * ((maxSndWnd + 1) / TWO_32);
                    }
                }
                packet.clear();
                int len = writer.writeTcp(packet, 0, SERVER, CLIENT, 64, 0, forged);
                packet.limit(len);
                long dropsBefore = client.drops().total();
                client.onPacket(net.nowNs(), packet);
                sent[kind]++;
                if (client.drops().total() == dropsBefore) {
                    accepted[kind]++;
                }
                kind = (kind + 1) % 3;
            }
        }
        boolean reset = !c.state().isSynchronized() && received < total;
        byte[] a = sentDigest.digest();
        byte[] b = receivedDigest.digest();
        boolean intact = received == total && MessageDigest.isEqual(a, b);
        return new Result(received, sent, accepted, bound, intact, reset, HexFormat.of().formatHex(b).substring(0, 16) + "...",
                (net.nowNs() - start) / MS, (System.nanoTime() - wall0) / 1e9, client.challengeAcks().suppressed());
    }
}
