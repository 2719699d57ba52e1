package dev.jtcp.wire;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Packets captured from Linux 6.x on loopback in a private namespace (nc to nc). Loopback leaves the
 * TCP checksum partial (pseudo-header only, the rest offloaded), so the checksums below were
 * completed after capture; every other byte is as Linux sent it.
 */
final class LinuxPackets {
    private LinuxPackets() {}

    /** 198.18.0.1:59790 > 198.18.0.1:5000 SYN, options mss 65495,sackOK,TS val 436135353 ecr 0,nop,wscale 10. */
    static final String SYN_V4 = "4500003c302f400040067e66c6120001c6120001e98e1388b299a73d00000000a002ffd76b34"
            + "00000204ffd70402080a19fee5b9000000000103030a";

    /** The same connection's first data segment: [P.] seq 1:7 ack 1 win 64, nop,nop,TS, payload "hello\n". */
    static final String DATA_V4 = "4500003a3031400040067e66c6120001c6120001e98e1388b299a73e10e28e0480180040161f"
            + "00000101080a19fee5b931d868e768656c6c6f0a";

    /** fd00::1.40444 > fd00::1.5001 SYN, options mss 65476,sackOK,TS val 4238331117 ecr 0,nop,wscale 10. */
    static final String SYN_V6 = "6000737b00280640fd000000000000000000000000000001fd0000000000000000000000000000"
            + "019dfc138951a315cb00000000a002ffc471a200000204ffc40402080afc9fcced000000000103030a";

    static ByteBuffer buffer(String hex) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex));
    }
}
