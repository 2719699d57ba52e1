package dev.jtcp.examples;

import dev.jtcp.api.NetStack;
import dev.jtcp.api.TcpServerSocket;
import dev.jtcp.api.TcpSocket;
import dev.jtcp.link.MemoryLink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Two jtcp stacks in one process, joined by a MemoryLink: an echo server and a client, one virtual thread each. */
public final class EchoOverMemoryLink {
    public static String run(String message) throws IOException, InterruptedException {
        MemoryLink[] wire = MemoryLink.pair("client", "server", 1500);
        try (NetStack server = NetStack.builder().name("server").address("198.18.0.2/24").link(wire[1]).start();
             NetStack client = NetStack.builder().name("client").address("198.18.0.1/24").link(wire[0]).start()) {
            TcpServerSocket listener = server.listen(7);
            Thread echo = Thread.ofVirtual().start(() -> {
                try (TcpSocket s = listener.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream()); // until the client's FIN
                } catch (IOException e) {
                    System.err.println("echo: " + e.getMessage());
                }
            });
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("198.18.0.2"), 7);
            try (TcpSocket c = client.connect(to, Duration.ofSeconds(5))) {
                OutputStream out = c.getOutputStream();
                out.write(message.getBytes(StandardCharsets.UTF_8));
                c.shutdownOutput(); // FIN: the server's transferTo ends, and it closes
                InputStream in = c.getInputStream();
                String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                echo.join();
                return reply;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.println(run("hello, jtcp"));
    }
}
