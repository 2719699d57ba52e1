package dev.jtcp.pcap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Builds capture files by hand, field by field, in a chosen byte order: pcap headers and records,
 * pcapng blocks and options, and link-layer frames around IP packets. Deliberately independent of
 * the writers under test, so round trips cannot hide a shared mistake.
 *
 * <p>Thread-safety: not thread-safe; one builder per test.
 */
final class CaptureBytes {
    private ByteBuffer buffer = ByteBuffer.allocate(256);

    private CaptureBytes(ByteOrder order) {
        buffer.order(order);
    }

    static CaptureBytes littleEndian() {
        return new CaptureBytes(ByteOrder.LITTLE_ENDIAN);
    }

    static CaptureBytes bigEndian() {
        return new CaptureBytes(ByteOrder.BIG_ENDIAN);
    }

    static CaptureBytes in(ByteOrder order) {
        return new CaptureBytes(order);
    }

    /** Switches the byte order of later fields, e.g. for a second pcapng section. */
    CaptureBytes order(ByteOrder order) {
        buffer.order(order);
        return this;
    }

    CaptureBytes u8(int value) {
        room(1).put((byte) value);
        return this;
    }

    CaptureBytes u16(int value) {
        room(2).putShort((short) value);
        return this;
    }

    CaptureBytes u32(long value) {
        room(4).putInt((int) value);
        return this;
    }

    CaptureBytes u64(long value) {
        room(8).putLong(value);
        return this;
    }

    CaptureBytes bytes(byte[] value) {
        room(value.length).put(value);
        return this;
    }

    CaptureBytes hex(String value) {
        return bytes(HexFormat.of().parseHex(value));
    }

    /** Bytes written so far: the offset of the next field. */
    int size() {
        return buffer.position();
    }

    byte[] toArray() {
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    // pcap

    CaptureBytes pcapHeader(int magic, int linkType) {
        return u32(magic).u16(2).u16(4).u32(0).u32(0).u32(262_144).u32(linkType);
    }

    CaptureBytes pcapRecord(long seconds, long fraction, byte[] data) {
        return pcapRecord(seconds, fraction, data, data.length);
    }

    CaptureBytes pcapRecord(long seconds, long fraction, byte[] data, long originalLength) {
        return u32(seconds).u32(fraction).u32(data.length).u32(originalLength).bytes(data);
    }

    // pcapng

    /** A block of {@code type} whose body is already laid out in {@code body}'s byte order. */
    CaptureBytes block(int type, byte[] body) {
        int length = 12 + padded(body.length);
        return u32(type).u32(length).bytes(body).bytes(new byte[padded(body.length) - body.length])
                .u32(length);
    }

    CaptureBytes shb() {
        return shb(1);
    }

    CaptureBytes shb(int majorVersion) {
        return block(0x0A0D0D0A, body().u32(0x1A2B3C4D).u16(majorVersion).u16(0).u64(-1).toArray());
    }

    /** An Interface Description Block; {@code options} from {@link #option} and {@link #endOfOptions}. */
    CaptureBytes idb(int linkType, int snapLength, byte[]... options) {
        CaptureBytes body = body().u16(linkType).u16(0).u32(snapLength);
        for (byte[] option : options) {
            body.bytes(option);
        }
        return block(1, body.toArray());
    }

    CaptureBytes epb(int interfaceId, long ticks, byte[] data) {
        return epb(interfaceId, ticks, data, data.length);
    }

    CaptureBytes epb(int interfaceId, long ticks, byte[] data, long originalLength) {
        return block(6, body().u32(interfaceId).u32(ticks >>> 32).u32(ticks).u32(data.length)
                .u32(originalLength).bytes(data).toArray());
    }

    CaptureBytes spb(long originalLength, byte[] data) {
        return block(3, body().u32(originalLength).bytes(data).toArray());
    }

    /** The obsolete Packet Block (type 2). */
    CaptureBytes pb(int interfaceId, long ticks, byte[] data) {
        return block(2, body().u16(interfaceId).u16(0).u32(ticks >>> 32).u32(ticks)
                .u32(data.length).u32(data.length).bytes(data).toArray());
    }

    /** One pcapng option in this builder's byte order, value padded to 32 bits. */
    byte[] option(int code, byte[] value) {
        return body().u16(code).u16(value.length).bytes(value)
                .bytes(new byte[padded(value.length) - value.length]).toArray();
    }

    byte[] endOfOptions() {
        return body().u16(0).u16(0).toArray();
    }

    // link-layer frames around an IP packet (all big-endian on the wire, except NULL's family)

    static byte[] ethernet(int etherType, byte[] ip) {
        return bigEndian().hex("020000000001020000000002").u16(etherType).bytes(ip).toArray();
    }

    /** Ethernet with one 802.1Q tag (VLAN 100) or, if {@code qinq}, an 802.1ad tag around it. */
    static byte[] ethernetVlan(boolean qinq, int etherType, byte[] ip) {
        CaptureBytes frame = bigEndian().hex("020000000001020000000002");
        if (qinq) {
            frame.u16(0x88A8).u16(200);
        }
        return frame.u16(0x8100).u16(100).u16(etherType).bytes(ip).toArray();
    }

    /** Linux cooked v1: packet type 0 (to us), ARPHRD_ETHER, 6-byte address, protocol. */
    static byte[] sll(int protocol, byte[] ip) {
        return bigEndian().u16(0).u16(1).u16(6).hex("0200000000010000").u16(protocol).bytes(ip)
                .toArray();
    }

    /** Linux cooked v2: protocol, reserved, interface index 1, ARPHRD_ETHER, type 0, 6-byte address. */
    static byte[] sll2(int protocol, byte[] ip) {
        return bigEndian().u16(protocol).u16(0).u32(1).u16(1).u8(0).u8(6).hex("0200000000010000")
                .bytes(ip).toArray();
    }

    /** BSD loopback: the address family in the given (capturing host's) byte order. */
    static byte[] loopback(ByteOrder hostOrder, int family, byte[] ip) {
        return in(hostOrder).u32(family).bytes(ip).toArray();
    }

    private CaptureBytes body() {
        return in(buffer.order());
    }

    private ByteBuffer room(int byteCount) {
        if (buffer.remaining() < byteCount) {
            ByteBuffer larger = ByteBuffer.allocate(2 * buffer.capacity() + byteCount)
                    .order(buffer.order());
            buffer = larger.put(buffer.flip());
        }
        return buffer;
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }
}
