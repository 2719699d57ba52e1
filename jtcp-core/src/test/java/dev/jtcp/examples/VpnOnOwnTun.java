package dev.jtcp.examples;

import dev.jtcp.api.NetStack;
import dev.jtcp.forward.Forwarder;
import dev.jtcp.forward.Upstream;
import dev.jtcp.link.tun.TunLink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** A VPN app's network stack on a TUN descriptor the app already holds: every flow relayed, as a policy decides. */
public record VpnOnOwnTun(NetStack stack, Forwarder forwarder) implements AutoCloseable {
    public static VpnOnOwnTun start(int tunFd, int mtu, InetSocketAddress socksProxy) throws IOException {
        NetStack stack = NetStack.builder().name("vpn").address("198.18.0.2/24")
                .link(TunLink.adopt(tunFd, mtu)) // plain IP packets; the link closes the descriptor
                .start();
        Upstream proxy = Upstream.socks5(socksProxy, null, null); // or (proxy, user, password): RFC 1929
        Forwarder forwarder = Forwarder.start(stack, Forwarder.options()
                .maxFlows(10_000)                      // TCP flows, and UDP sessions; past it: RST, drop
                .connectTimeout(Duration.ofSeconds(5)) // then the client gets ICMP unreachable
                .udpIdle(Duration.ofSeconds(30))       // a silent UDP session ends after this
                .policy((tcp, client, destination) -> {
                    if (tcp && destination.getPort() == 25) {
                        return null;                   // no mail from this device: the client sees a RST
                    }
                    if (!tcp && destination.getPort() == 53) {
                        return Upstream.direct();      // DNS leaves through this process's own sockets
                    }
                    return proxy;                      // everything else: SOCKS5 CONNECT or UDP ASSOCIATE
                })
                .log(line -> System.err.println("vpn: " + line)));
        return new VpnOnOwnTun(stack, forwarder);
    }

    @Override
    public void close() {
        forwarder.close();
        stack.close(); // ends the TCP relays, closes the TUN descriptor
    }
}
