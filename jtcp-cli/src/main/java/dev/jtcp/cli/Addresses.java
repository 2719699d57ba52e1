package dev.jtcp.cli;

import dev.jtcp.wire.IpAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Endpoints as the CLI prints them: {@code 198.18.0.2:8080} and {@code [fd00::1]:80} (RFC 5952
 * compressed), never the JDK's {@code /198.18.0.2:8080} or {@code /fd00:0:0:0:0:0:0:1:80}.
 */
final class Addresses {
    private Addresses() {
    }

    /** The endpoint at {@code port} of an address given as CIDR ({@code fd00::2/64} at 80: {@code [fd00::2]:80}). */
    static String format(String cidr, int port) {
        int slash = cidr.indexOf('/');
        IpAddress ip = IpAddress.parse(slash < 0 ? cidr : cidr.substring(0, slash));
        return (ip.isV4() ? ip.toString() : "[" + ip + "]") + ":" + port;
    }

    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            IpAddress ip = IpAddress.of(inet.getAddress());
            return (ip.isV4() ? ip.toString() : "[" + ip + "]") + ":" + inet.getPort();
        }
        if (address instanceof InetSocketAddress inet) {
            return inet.getHostString() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
