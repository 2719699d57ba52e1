package dev.jtcp.cli.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Dante's SOCKS5 server in a {@link ForwardRig}'s server namespace (its own class: only its tests need danted). */
final class Danted {
    private Danted() {
    }

    /** Dante's danted on {@link ForwardRig#PROXY}:1080: no authentication, CONNECT and UDP ASSOCIATE allowed. */
    static void start(ForwardRig rig) throws Exception {
        Path conf = rig.dir.resolve("danted.conf");
        Files.writeString(conf, """
                logoutput: stderr
                internal: %s port = 1080
                external: %s
                clientmethod: none
                socksmethod: none
                user.privileged: root
                user.unprivileged: root
                client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
                socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 command: connect udpassociate udpreply }
                """.formatted(ForwardRig.PROXY, ForwardRig.PROXY));
        Path log = rig.dir.resolve("danted.log");
        rig.keep(rig.server.process("danted", "-f", conf.toString(), "-N", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!rig.server.exec("ss", "-ltnH", "sport = :1080").stdout().contains("1080")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("danted did not start listening:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

}
