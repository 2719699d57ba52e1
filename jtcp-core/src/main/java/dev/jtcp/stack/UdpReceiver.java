package dev.jtcp.stack;

import dev.jtcp.wire.IpAddress;
import java.nio.ByteBuffer;

/**
 * Where a host delivers the UDP datagrams for a bound port ({@link Host#bindUdp}).
 *
 * <p>Called on the host's thread; the bytes are valid only during the call.
 */
@FunctionalInterface
public interface UdpReceiver {
    /** A datagram from {@code src}:{@code srcPort} to {@code dst}:{@code dstPort}: {@code length} bytes of {@code buf} from {@code offset}. */
    void onDatagram(long nowNs, IpAddress src, int srcPort, IpAddress dst, int dstPort, ByteBuffer buf, int offset,
                    int length);
}
