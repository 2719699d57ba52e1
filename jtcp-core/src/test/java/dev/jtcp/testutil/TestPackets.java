package dev.jtcp.testutil;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Builds packets for the link and simulator tests: numbered byte strings and minimal IPv4/IPv6 headers. */
public final class TestPackets {

    private TestPackets() {
    }

    /** {@code length} bytes (at least 4) starting with {@code seq} as a big-endian int, then a pattern. */
    public static ByteBuffer numbered(int seq, int length) {
        ByteBuffer packet = ByteBuffer.allocate(length);
        packet.putInt(0, seq);
        for (int i = 4; i < length; i++) {
            packet.put(i, (byte) (seq * 31 + i));
        }
        return packet;
    }

    /** The sequence number of a {@link #numbered} packet. */
    public static int seq(ByteBuffer packet) {
        return packet.getInt(packet.position());
    }

    /** An IPv4 packet of {@code totalLength} bytes from {@code src} to {@code dst}; its id is {@code id}. */
    public static ByteBuffer ipv4(String src, String dst, int id, int totalLength) {
        ByteBuffer packet = ByteBuffer.allocate(totalLength);
        packet.put(0, (byte) 0x45);
        packet.putShort(2, (short) totalLength);
        packet.putShort(4, (short) id);
        packet.put(8, (byte) 64);
        packet.put(9, (byte) 253);
        packet.put(12, address(src, 4));
        packet.put(16, address(dst, 4));
        return packet;
    }

    /** An IPv6 packet with {@code payloadLength} payload bytes from {@code src} to {@code dst}. */
    public static ByteBuffer ipv6(String src, String dst, int flowLabel, int payloadLength) {
        ByteBuffer packet = ByteBuffer.allocate(40 + payloadLength);
        packet.putInt(0, 0x6000_0000 | (flowLabel & 0xfffff));
        packet.putShort(4, (short) payloadLength);
        packet.put(6, (byte) 253);
        packet.put(7, (byte) 64);
        packet.put(8, address(src, 16));
        packet.put(24, address(dst, 16));
        return packet;
    }

    /** Swaps an IPv4 packet's source and destination addresses in place. */
    public static void swapIpv4Addresses(ByteBuffer packet) {
        int start = packet.position();
        int src = packet.getInt(start + 12);
        packet.putInt(start + 12, packet.getInt(start + 16));
        packet.putInt(start + 16, src);
    }

    /** The bytes from position to limit, as a new array; leaves the buffer unchanged. */
    public static byte[] bytes(ByteBuffer packet) {
        byte[] copy = new byte[packet.remaining()];
        packet.get(packet.position(), copy);
        return copy;
    }

    private static byte[] address(String literal, int length) {
        byte[] bytes = InetAddress.ofLiteral(literal).getAddress();
        if (bytes.length != length) {
            throw new IllegalArgumentException(literal + " is not " + length + " bytes");
        }
        return bytes;
    }
}
