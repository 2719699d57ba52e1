package dev.jtcp.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jtcp.testutil.Requirement;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpOptionsTest {
    private static ByteBuffer hex(String h) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(h));
    }

    private static DropReason parse(TcpOptions o, String h) {
        ByteBuffer b = hex(h);
        return o.parse(b, 0, b.capacity());
    }

    @Test
    @Requirement({"MUST-7", "MUST-68"})
    void illegalLengthsAreAParseErrorNotACrash() {
        TcpOptions o = new TcpOptions();
        assertThat(parse(o, "0200")).as("MSS with length 0").isEqualTo(DropReason.TCP_BAD_OPTION_LENGTH);
        assertThat(parse(o, "0201")).as("MSS with length 1").isEqualTo(DropReason.TCP_BAD_OPTION_LENGTH);
        assertThat(parse(o, "020405")).as("MSS past the header").isEqualTo(DropReason.TCP_BAD_OPTION_LENGTH);
        assertThat(parse(o, "0101fe")).as("kind without length byte").isEqualTo(DropReason.TCP_BAD_OPTION_LENGTH);
        assertThat(parse(o, "fe28" + "00".repeat(10))).as("unknown past end").isEqualTo(DropReason.TCP_BAD_OPTION_LENGTH);
        assertThat(TcpOption.decode(hex("01020400"), 0, 4).error()).isEqualTo(DropReason.TCP_BAD_OPTION_LENGTH);
        assertThat(TcpOption.decode(hex("01020400"), 0, 4).options()).containsExactly(new TcpOption.Nop());
    }

    @Test
    @Requirement({"MUST-5", "MUST-6"})
    void unknownOptionsAreSkippedAndPreserved() {
        TcpOptions o = new TcpOptions();
        // kind 30 (MPTCP) length 4, then MSS 1460.
        assertThat(parse(o, "1e04abcd020405b4")).isNull();
        assertThat(o.mss).isEqualTo(1460);
        assertThat(o.ignoredCount()).isEqualTo(1);
        TcpOption.Decoded d = TcpOption.decode(hex("1e04abcd020405b4"), 0, 8);
        assertThat(d.options()).containsExactly(new TcpOption.Unknown(30, new byte[] {(byte) 0xab, (byte) 0xcd}),
                new TcpOption.Mss(1460));
        ByteBuffer out = ByteBuffer.allocate(8);
        assertThat(TcpOption.writeAll(d.options(), out, 0)).isEqualTo(8);
        assertThat(HexFormat.of().formatHex(out.array())).isEqualTo("1e04abcd020405b4");
    }

    @Test
    void knownKindWithWrongLengthIsIgnoredNotMisread() {
        TcpOptions o = new TcpOptions();
        assertThat(parse(o, "020305" + "080600000001")).isNull();
        assertThat(o.mss).isEqualTo(-1);
        assertThat(o.hasTimestamps).isFalse();
        assertThat(o.ignoredCount()).isEqualTo(2);
    }

    @Test
    @Requirement("MUST-64")
    void processesOptionsAtAnyAlignment() {
        TcpOptions o = new TcpOptions();
        // Window scale at offset 0, MSS at odd offset 3, timestamps at odd offset 7, EOL.
        assertThat(parse(o, "030307" + "02040218" + "080a0000000100000002" + "00")).isNull();
        assertThat(o.windowScale).isEqualTo(7);
        assertThat(o.mss).isEqualTo(536);
        assertThat(o.tsVal).isEqualTo(1);
        assertThat(o.tsEcr).isEqualTo(2);
    }

    @Test
    void stopsAtEndOfOptionList() {
        TcpOptions o = new TcpOptions();
        assertThat(parse(o, "00" + "020405b4")).isNull();
        assertThat(o.mss).isEqualTo(-1);
    }

    @Test
    void clampsWindowScaleAbove14() {
        TcpOptions o = new TcpOptions();
        assertThat(parse(o, "03030f")).isNull();
        assertThat(o.windowScale).isEqualTo(14);
    }

    @Test
    void parsesSackBlocks() {
        TcpOptions o = new TcpOptions();
        assertThat(parse(o, "0101" + "0512" + "00000064000000c8" + "0000012c00000190")).isNull();
        assertThat(o.sackBlocks).isEqualTo(2);
        assertThat(o.sackEdges).startsWith(100, 200, 300, 400);
    }

    @Test
    @Requirement("MUST-65")
    void writesMssOnlyOnSyn() {
        TcpOptions o = new TcpOptions();
        o.mss = 1460;
        o.timestamps(5, 6);
        ByteBuffer b = ByteBuffer.allocate(40);
        int n = o.write(b, 0, false);
        assertThat(n).isEqualTo(12).isEqualTo(o.wireLength(false));
        assertThat(HexFormat.of().formatHex(b.array(), 0, n)).isEqualTo("0101080a0000000500000006");
    }

    @Test
    void synLayoutsMatchLinux() {
        TcpOptions o = new TcpOptions();
        o.mss = 1460;
        o.sackPermitted = true;
        o.timestamps(1, 0);
        o.windowScale = 7;
        assertThat(written(o, true)).isEqualTo("020405b4" + "0402" + "080a0000000100000000" + "01030307");
        o.sackPermitted = false;
        assertThat(written(o, true)).isEqualTo("020405b4" + "0101" + "080a0000000100000000" + "01030307");
        o.hasTimestamps = false;
        o.sackPermitted = true;
        assertThat(written(o, true)).isEqualTo("020405b4" + "01010402" + "01030307");
    }

    @Test
    void sackBlocksLeftOutWhenTheyDoNotFit() {
        TcpOptions o = new TcpOptions();
        o.timestamps(1, 2);
        for (int i = 0; i < 4; i++) {
            o.addSackBlock(i * 10, i * 10 + 5);
        }
        assertThat(o.wireLength(false)).isEqualTo(12 + 4 + 3 * 8);
        assertThat(written(o, false)).hasSize(2 * 40);
        o.hasTimestamps = false;
        assertThat(o.wireLength(false)).isEqualTo(4 + 4 * 8);
    }

    @Test
    void writtenOptionsParseBackToTheSameFields() {
        TcpOptions o = new TcpOptions();
        o.mss = 1220;
        o.sackPermitted = true;
        o.timestamps(-1, 12345);
        o.windowScale = 14;
        ByteBuffer b = ByteBuffer.allocate(40);
        int n = o.write(b, 0, true);
        TcpOptions back = new TcpOptions();
        assertThat(back.parse(b, 0, n)).isNull();
        assertThat(back).hasToString(o.toString()).hasToString("mss 1220,sackOK,TS val 4294967295 ecr 12345,wscale 14");
    }

    @Test
    @Requirement("MUST-69")
    void padsAnExactLayoutWithZeros() {
        ByteBuffer b = ByteBuffer.allocate(40);
        b.put(0, (byte) 0x55).put(1, (byte) 0x55).put(2, (byte) 0x55).put(3, (byte) 0x55);
        int n = TcpOption.writeAll(List.of(new TcpOption.WindowScale(3)), b, 0);
        assertThat(n).isEqualTo(4);
        assertThat(HexFormat.of().formatHex(b.array(), 0, 4)).isEqualTo("03030300");
        assertThatThrownBy(() -> TcpOption.writeAll(List.of(new TcpOption.Unknown(99, new byte[40])), b, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 40");
    }

    private static String written(TcpOptions o, boolean syn) {
        ByteBuffer b = ByteBuffer.allocate(40);
        int n = o.write(b, 0, syn);
        assertThat(n).isEqualTo(o.wireLength(syn)).matches(x -> x % 4 == 0);
        return HexFormat.of().formatHex(b.array(), 0, n);
    }

    @Test
    void parsesFastOpenInBothForms() {
        TcpOptions o = new TcpOptions();
        // RFC 7413 §4.1.1: kind 34 with an 8-byte cookie, padded with two NOPs as Linux sends it.
        assertThat(parse(o, "220a3021b9d889017eeb0101")).isNull();
        assertThat(o.fastOpenLength).isEqualTo(8);
        assertThat(o.fastOpenExperimental).isFalse();
        assertThat(HexFormat.of().formatHex(o.fastOpenCookie, 0, 8)).isEqualTo("3021b9d889017eeb");
        // The experimental form: kind 254, magic 0xF989, empty (a cookie request).
        assertThat(parse(o, "fe04f989")).isNull();
        assertThat(o.fastOpenLength).isZero();
        assertThat(o.fastOpenExperimental).isTrue();
        // Another experiment's magic, and a cookie too short, are not Fast Open.
        assertThat(parse(o, "fe04abcd" + "2203aa00")).isNull();
        assertThat(o.fastOpenLength).isEqualTo(-1);
        assertThat(o.ignoredCount()).isEqualTo(2);
    }

    @Test
    void writesFastOpenLastOnASynAndPadsWithNops() {
        TcpOptions o = new TcpOptions();
        o.mss = 1460;
        o.sackPermitted = true;
        o.fastOpen(HexFormat.of().parseHex("3021b9d889017eeb"), 8, false);
        assertThat(o.wireLength(true)).isEqualTo(4 + 4 + 12);
        assertThat(written(o, true)).isEqualTo("020405b4" + "01010402" + "220a3021b9d889017eeb0101");
        o.fastOpen(new byte[0], 0, true);
        assertThat(written(o, true)).isEqualTo("020405b4" + "01010402" + "fe04f989");
        o.fastOpen(new byte[0], 0, false);
        assertThat(written(o, true)).isEqualTo("020405b4" + "01010402" + "22020101");
        ByteBuffer b = ByteBuffer.allocate(40);
        o.fastOpen(HexFormat.of().parseHex("00abaaabe8e954c2"), 8, true);
        int n = o.write(b, 0, true);
        TcpOptions back = new TcpOptions();
        assertThat(back.parse(b, 0, n)).isNull();
        assertThat(back).hasToString("mss 1460,sackOK,FOEXP 00abaaabe8e954c2");
    }
}
