package dev.jtcp.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PcapNgWriterTest {
    private static final HexFormat HEX = HexFormat.of();
    /** 0x17979cfe3d85cd15 nanoseconds. */
    private static final long TIMESTAMP_NS = 1_700_000_000_123_456_789L;
    private static final String SECTION_AND_INTERFACE = ""
            + "0a0d0d0a" + "28000000" // Section Header Block, 40 bytes
            + "4d3c2b1a" // byte-order magic, little-endian
            + "0100" + "0000" // version 1.0
            + "ffffffffffffffff" // section length unknown
            + "0400" + "0400" + "6a746370" // shb_userappl "jtcp"
            + "00000000" // opt_endofopt
            + "28000000"
            + "01000000" + "28000000" // Interface Description Block, 40 bytes
            + "6500" + "0000" // link type 101, reserved
            + "00000400" // snaplen 262144
            + "0200" + "0400" + "6a746370" // if_name "jtcp"
            + "0900" + "0100" + "09000000" // if_tsresol 9, padded
            + "00000000" // opt_endofopt
            + "28000000";

    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();

    @Test
    void writesSectionInterfaceAndPaddedEnhancedPacketBlocks() throws IOException {
        try (PcapNgWriter writer = new PcapNgWriter(sink)) {
            writer.write(TIMESTAMP_NS, ByteBuffer.wrap(HEX.parseHex("4500000000")));
        }

        String packetBlock = ""
                + "06000000" + "28000000" // Enhanced Packet Block, 40 bytes
                + "00000000" // interface 0
                + "fe9c9717" + "15cd853d" // time stamp high, low
                + "05000000" + "05000000" // captured, original length
                + "4500000000" + "000000" // data padded to 32 bits
                + "28000000";
        assertThat(HEX.formatHex(sink.toByteArray())).isEqualTo(SECTION_AND_INTERFACE + packetBlock);
    }

    @Test
    void attachesACommentOptionEncodedInUtf8() throws IOException {
        try (PcapNgWriter writer = new PcapNgWriter(sink)) {
            writer.write(0, ByteBuffer.wrap(HEX.parseHex("60")), "é!");
        }

        byte[] file = sink.toByteArray();
        String packetBlock = HEX.formatHex(Arrays.copyOfRange(file, 80, file.length));
        assertThat(packetBlock).isEqualTo(""
                + "06000000" + "30000000" // 48 bytes
                + "00000000" + "00000000" + "00000000"
                + "01000000" + "01000000"
                + "60000000"
                + "0100" + "0300" + "c3a92100" // opt_comment, 3 UTF-8 bytes, padded
                + "00000000"
                + "30000000");
    }

    @Test
    void namesTheInterface() throws IOException {
        try (PcapNgWriter writer = new PcapNgWriter(sink, "tun0-tap")) {
            writer.flush();
        }

        ByteBuffer file = ByteBuffer.wrap(sink.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(file.getInt(40 + 4)).isEqualTo(44);
        assertThat(HEX.formatHex(Arrays.copyOfRange(file.array(), 40 + 16, 40 + 28)))
                .isEqualTo("0200" + "0800" + HEX.formatHex("tun0-tap".getBytes()));
    }

    @Test
    void keepsEveryBlockLengthAMultipleOfFour() throws IOException {
        try (PcapNgWriter writer = new PcapNgWriter(sink, "odd")) {
            for (int length = 0; length < 9; length++) {
                writer.write(length, ByteBuffer.allocate(length), length % 2 == 0 ? null : "c".repeat(length));
            }
        }

        ByteBuffer file = ByteBuffer.wrap(sink.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        int blocks = 0;
        while (file.hasRemaining()) {
            int length = file.getInt(file.position() + 4);
            assertThat(length % 4).isZero();
            assertThat(file.getInt(file.position() + length - 4)).isEqualTo(length);
            file.position(file.position() + length);
            blocks++;
        }
        assertThat(blocks).isEqualTo(2 + 9);
    }

    @Test
    void leavesThePacketBufferWhereItWas() throws IOException {
        ByteBuffer packet = ByteBuffer.allocateDirect(10).position(3);

        try (PcapNgWriter writer = new PcapNgWriter(sink)) {
            writer.write(5, packet, "x");
        }

        assertThat(packet.position()).isEqualTo(3);
        assertThat(packet.limit()).isEqualTo(10);
    }

    @Test
    void rejectsNegativeTimestampsOverlongCommentsAndWritesAfterClose() throws IOException {
        PcapNgWriter writer = new PcapNgWriter(sink);
        ByteBuffer packet = ByteBuffer.allocate(1);

        assertThatThrownBy(() -> writer.write(-1, packet)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.write(0, packet, "x".repeat(65_536)))
                .isInstanceOf(IllegalArgumentException.class);
        writer.close();
        assertThatThrownBy(() -> writer.write(0, packet)).isInstanceOf(IOException.class);
        assertThat(HEX.formatHex(sink.toByteArray())).isEqualTo(SECTION_AND_INTERFACE);
    }
}
