package dev.jtcp.api;

import dev.jtcp.link.MemoryLink;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A reproducer, not a test: runs {@code NetStackTest.movesTenMegabytesEachWayIntact}'s transfer
 * {@code args[0]} times on real threads and time, and when neither direction makes progress for
 * 10 s prints both connections' status, both hosts' counters, both links' drop counts and queue
 * lengths and the loop threads' stacks. Best run with {@code -XX:ActiveProcessorCount=1}, which made
 * the stall of the SACK blocks that did not fit (see {@code Sender.fitSackBlocks}) come once in
 * about 20 to 80 transfers.
 */
public final class StallHunt {
    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        byte[] up = new byte[10 << 20];
        byte[] down = new byte[10 << 20];
        new Random(1).nextBytes(up);
        new Random(2).nextBytes(down);
        int stalls = 0;
        for (int run = 0; run < runs; run++) {
            long t0 = System.nanoTime();
            try (StackPair p = new StackPair()) {
                TcpServerSocket l = p.server.listen(5001);
                AtomicLong serverRead = new AtomicLong();
                AtomicLong clientRead = new AtomicLong();
                TcpSocket[] ss = new TcpSocket[1];
                Thread srv = Thread.ofVirtual().start(() -> {
                    try (TcpSocket s = l.accept()) {
                        ss[0] = s;
                        Thread w = Thread.ofVirtual().start(() -> {
                            try {
                                s.getOutputStream().write(down);
                                s.shutdownOutput();
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        });
                        drain(s.getInputStream(), serverRead);
                        w.join();
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                });
                TcpSocket c = p.client.connect(StackPair.server(5001), java.time.Duration.ofSeconds(5));
                Thread w = Thread.ofVirtual().start(() -> {
                    try {
                        c.getOutputStream().write(up);
                        c.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread cr = Thread.ofVirtual().start(() -> {
                    try {
                        drain(c.getInputStream(), clientRead);
                    } catch (IOException e) {
                        e.printStackTrace();
                    }
                });
                long last = -1;
                long lastChange = System.nanoTime();
                boolean dumped = false;
                while (cr.isAlive() || srv.isAlive() || w.isAlive()) {
                    Thread.sleep(200);
                    long now = serverRead.get() + clientRead.get();
                    if (now != last) {
                        last = now;
                        lastChange = System.nanoTime();
                    } else if (!dumped && System.nanoTime() - lastChange > 10_000_000_000L) {
                        dumped = true;
                        stalls++;
                        System.out.println("STALL run " + run + " clientRead=" + clientRead + " serverRead=" + serverRead);
                        System.out.println(" client " + c.status());
                        System.out.println(" server " + (ss[0] == null ? null : ss[0].status()));
                        System.out.println(" client stats " + p.client.stats());
                        System.out.println(" server stats " + p.server.stats());
                        System.out.println(" client link dropped " + ((MemoryLink) p.client.link()).dropped()
                                + " server link dropped " + ((MemoryLink) p.server.link()).dropped());
                        System.out.println(" client link " + linkState(p.client.link()) + " server link " + linkState(p.server.link()));
                        System.out.println(" client socket " + c + " server socket " + ss[0]);
                        Thread.getAllStackTraces().forEach((t, st) -> {
                            if (t.getName().startsWith("jtcp")) {
                                System.out.println(" " + t + " " + t.getState() + " " + Arrays.toString(st));
                            }
                        });
                        Thread.sleep(5000);
                        System.out.println(" client link dropped " + ((MemoryLink) p.client.link()).dropped()
                                + " server link dropped " + ((MemoryLink) p.server.link()).dropped());
                        System.out.println(" client link " + linkState(p.client.link()) + " server link " + linkState(p.server.link()));
                        System.out.println(" client later " + c.status());
                        System.out.println(" server later " + (ss[0] == null ? null : ss[0].status()));
                    }
                    if (System.nanoTime() - lastChange > 40_000_000_000L) {
                        System.out.println("giving up run " + run);
                        break;
                    }
                }
                c.close();
                System.out.println("run " + run + " " + (System.nanoTime() - t0) / 1_000_000 + " ms stalls=" + stalls
                        + " link drops " + ((MemoryLink) p.client.link()).dropped() + "/"
                        + ((MemoryLink) p.server.link()).dropped() + " retransmissions " + c.status().retransmissions());
            }
        }
        System.exit(0);
    }

    static String linkState(Object link) {
        try {
            var q = MemoryLink.class.getDeclaredField("queued");
            q.setAccessible(true);
            var i = MemoryLink.class.getDeclaredField("inbox");
            i.setAccessible(true);
            return "queued=" + q.get(link) + " inbox=" + ((java.util.Queue<?>) i.get(link)).size();
        } catch (ReflectiveOperationException e) {
            return e.toString();
        }
    }

    private static void drain(InputStream in, AtomicLong count) throws IOException {
        byte[] b = new byte[65536];
        int n;
        while ((n = in.read(b)) >= 0) {
            count.addAndGet(n);
        }
    }
}
