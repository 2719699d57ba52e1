package dev.jtcp.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PcapWriterTest {
    private static final HexFormat HEX = HexFormat.of();
    /** 2023-11-14T22:13:20.123456789Z: seconds 0x6553f100, nanoseconds 0x075bcd15. */
    private static final long TIMESTAMP_NS = 1_700_000_000_123_456_789L;

    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();

    @Test
    void writesTheFileHeaderAndRecordHeaderOfPcapSavefile5() throws IOException {
        try (PcapWriter writer = new PcapWriter(sink)) {
            writer.write(TIMESTAMP_NS, ByteBuffer.wrap(HEX.parseHex("4500000000")));
        }

        String expected = ""
                + "4d3cb2a1" // magic 0xa1b23c4d, little-endian: nanosecond time stamps
                + "0200" + "0400" // version 2.4
                + "00000000" // thiszone
                + "00000000" // sigfigs
                + "00000400" // snaplen 262144
                + "65000000" // link type 101, LINKTYPE_RAW
                + "00f15365" // ts_sec 1700000000
                + "15cd5b07" // ts_nsec 123456789
                + "05000000" // incl_len
                + "05000000" // orig_len
                + "4500000000";
        assertThat(HEX.formatHex(sink.toByteArray())).isEqualTo(expected);
    }

    @Test
    void writesFromPositionToLimitWithoutMovingThePosition() throws IOException {
        ByteBuffer packet = ByteBuffer.wrap(HEX.parseHex("ffff4501ffff"));
        packet.position(2).limit(4);

        try (PcapWriter writer = new PcapWriter(sink)) {
            writer.write(0, packet);
        }

        assertThat(packet.position()).isEqualTo(2);
        assertThat(packet.limit()).isEqualTo(4);
        byte[] file = sink.toByteArray();
        assertThat(HEX.formatHex(Arrays.copyOfRange(file, 24 + 8, file.length)))
                .isEqualTo("02000000" + "02000000" + "4501");
    }

    @Test
    void writesDirectBuffersLargerThanItsOwnBuffer() throws IOException {
        ByteBuffer packet = ByteBuffer.allocateDirect(3 * BlockOutput.BUFFER_BYTES + 7);
        for (int i = 0; i < packet.capacity(); i++) {
            packet.put(i, (byte) i);
        }

        try (PcapWriter writer = new PcapWriter(sink)) {
            writer.write(1, packet);
        }

        byte[] file = sink.toByteArray();
        assertThat(file).hasSize(24 + 16 + packet.capacity());
        for (int i = 0; i < packet.capacity(); i++) {
            assertThat(file[40 + i]).isEqualTo((byte) i);
        }
    }

    @Test
    void cutsPacketsLongerThanTheSnapLengthAndKeepsTheirOriginalLength() throws IOException {
        ByteBuffer packet = ByteBuffer.allocate(CaptureWriter.SNAP_LENGTH + 100);

        try (PcapWriter writer = new PcapWriter(sink)) {
            writer.write(1, packet);
        }

        ByteBuffer file = ByteBuffer.wrap(sink.toByteArray()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(file.getInt(24 + 8)).isEqualTo(CaptureWriter.SNAP_LENGTH);
        assertThat(file.getInt(24 + 12)).isEqualTo(CaptureWriter.SNAP_LENGTH + 100);
        assertThat(file.capacity()).isEqualTo(24 + 16 + CaptureWriter.SNAP_LENGTH);
    }

    @Test
    void buffersUntilFlushed() throws IOException {
        PcapWriter writer = new PcapWriter(sink);
        writer.write(1, ByteBuffer.allocate(20));
        assertThat(sink.size()).isZero();

        writer.flush();

        assertThat(sink.size()).isEqualTo(24 + 16 + 20);
    }

    @Test
    void rejectsTimestampsOutsideTheUnsigned32BitSecondRange() throws IOException {
        try (PcapWriter writer = new PcapWriter(sink)) {
            ByteBuffer packet = ByteBuffer.allocate(1);
            assertThatThrownBy(() -> writer.write(-1, packet)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> writer.write(PcapWriter.MAX_TIMESTAMP_NS + 1, packet))
                    .isInstanceOf(IllegalArgumentException.class);
            writer.write(PcapWriter.MAX_TIMESTAMP_NS, packet);
        }
        ByteBuffer file = ByteBuffer.wrap(sink.toByteArray()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(file.getInt(24)).isEqualTo(0xFFFF_FFFF);
        assertThat(file.getInt(28)).isEqualTo(999_999_999);
    }

    @Test
    void failsWritesAfterCloseAndToleratesASecondClose() throws IOException {
        PcapWriter writer = new PcapWriter(sink);
        writer.close();
        writer.close();

        assertThatThrownBy(() -> writer.write(1, ByteBuffer.allocate(1))).isInstanceOf(IOException.class);
        assertThatThrownBy(writer::flush).isInstanceOf(IOException.class);
        assertThat(sink.size()).isEqualTo(24);
    }
}
