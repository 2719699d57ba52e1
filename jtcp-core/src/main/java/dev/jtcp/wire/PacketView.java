package dev.jtcp.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What every zero-copy packet view shares: the buffer it reads, where its bytes start and how many
 * there are. A view is bound to new bytes by its {@code wrap}, which calls {@link #bind}; nothing is
 * copied and nothing is checked but the byte order (the field accessors read big-endian), so a
 * view is reused for every packet on the hot path.
 *
 * <p>Not thread-safe: a view belongs to the thread that wraps it.
 */
public abstract sealed class PacketView permits IpPacket, Ipv4Packet, Ipv6Packet, TcpPacket, IcmpPacket, UdpPacket {
    /** The bytes viewed; big-endian. Null until the first {@link #bind}. */
    ByteBuffer buf;
    /** Index in {@link #buf} of the view's first byte. */
    int offset;
    /** Bytes available from {@link #offset}; checks compare header fields against it. */
    int length;

    PacketView() {
    }

    /** Points the view at {@code length} bytes of {@code buf} from {@code offset}. */
    final void bind(ByteBuffer buf, int offset, int length) {
        if (buf.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("packet buffers must be big-endian");
        }
        this.buf = buf;
        this.offset = offset;
        this.length = length;
    }
}
