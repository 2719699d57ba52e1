package dev.jtcp.link.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class VirtioNetHeaderTest {
    @Test
    void readsWhatTheKernelWritesForAnIpv4TsoSuperPacket() {
        // flags NEEDS_CSUM, GSO_TCPV4, hdr_len 66, gso_size 1448, csum_start 20, csum_offset 16 (little-endian).
        byte[] bytes = {0x01, 0x01, 0x42, 0x00, (byte) 0xA8, 0x05, 0x14, 0x00, 0x10, 0x00};
        VirtioNetHeader h = new VirtioNetHeader().wrap(MemorySegment.ofArray(bytes), 0);
        assertThat(h.needsChecksum()).isTrue();
        assertThat(h.dataValid()).isFalse();
        assertThat(h.gsoType()).isEqualTo(VirtioNetHeader.GSO_TCPV4);
        assertThat(h.hdrLen()).isEqualTo(66);
        assertThat(h.gsoSize()).isEqualTo(1448);
        assertThat(h.csumStart()).isEqualTo(20);
        assertThat(h.csumOffset()).isEqualTo(16);
    }

    @Test
    void writesTheSameBytesItReads() {
        byte[] bytes = new byte[14];
        VirtioNetHeader h = new VirtioNetHeader().wrap(MemorySegment.ofArray(bytes), 2);
        h.set(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6 | VirtioNetHeader.GSO_ECN, 72, 1428, 40, 16);
        assertThat(bytes).containsExactly(0, 0, 0x01, (byte) 0x84, 72, 0, (byte) 0x94, 0x05, 40, 0, 16, 0, 0, 0);
        VirtioNetHeader back = new VirtioNetHeader().wrap(MemorySegment.ofArray(bytes), 2);
        assertThat(back.gsoType()).isEqualTo(0x84);
        assertThat(back.gsoSize()).isEqualTo(1428);
        assertThat(back.hdrLen()).isEqualTo(72);
        assertThat(back.csumStart()).isEqualTo(40);
        h.setNone();
        assertThat(bytes).containsOnly(0);
    }

    @Test
    void fieldsAreUnsignedSixteenBits() {
        byte[] bytes = {0x02, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, (byte) 0x80, 0, 0};
        VirtioNetHeader h = new VirtioNetHeader().wrap(MemorySegment.ofArray(bytes), 0);
        assertThat(h.dataValid()).isTrue();
        assertThat(h.hdrLen()).isEqualTo(65535);
        assertThat(h.gsoSize()).isEqualTo(65535);
        assertThat(h.csumStart()).isEqualTo(0x8000);
    }

    @Test
    void aHeaderMustFitItsSegment() {
        assertThatThrownBy(() -> new VirtioNetHeader().wrap(MemorySegment.ofArray(new byte[12]), 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void offloadFlagsAreNamed() {
        assertThat(TunDevice.describeOffloads(TunDevice.OFFLOAD_CSUM | TunDevice.OFFLOAD_TSO4 | TunDevice.OFFLOAD_USO6))
                .isEqualTo("csum tso4 uso6");
        assertThat(TunDevice.describeOffloads(0)).isEqualTo("none");
    }
}
