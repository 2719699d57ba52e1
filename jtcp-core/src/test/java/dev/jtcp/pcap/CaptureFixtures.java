package dev.jtcp.pcap;

import java.util.HexFormat;
import java.util.List;

/**
 * Real packets for capture tests, as raw IP (no link header).
 *
 * <p>Provenance: captured with tcpdump on the loopback interface of a private network namespace
 * (addresses 198.18.0.1-2 and fd00::1-2), while a Python client sent "hello\n" to a Python server
 * that answered "world\n" and closed, once over IPv4 and once over IPv6, followed by an ICMP and an
 * ICMPv6 echo. Linux leaves the TCP checksum of loopback packets to (absent) offload hardware, so
 * the TCP checksums were recomputed; {@link CaptureFixturesTest} verifies every checksum here.
 * The SYNs carry Linux's options: MSS, SACK permitted, timestamps, NOP, window scale.
 *
 * <p>Thread-safety: immutable constants.
 */
final class CaptureFixtures {
    /** One packet and what a dissector should report for it. */
    record Fixture(String name, String hex, String protocols, String tcpFlags, long seq, long ack) {
        byte[] bytes() {
            return HexFormat.of().parseHex(hex);
        }

        int ipVersion() {
            return Character.digit(hex.charAt(0), 16);
        }

        boolean isTcp() {
            return tcpFlags != null;
        }
    }

    static final Fixture IPV4_SYN = tcp("IPv4 SYN", "ip:tcp", "0x0002", 3913343122L, 0,
            "4500003caa3a40004006045ac6120002c612000180011f90e940e09200000000a002ffd7289100000204ffd7"
                    + "0402080a943a9ba8000000000103030a");
    static final Fixture IPV4_SYN_ACK = tcp("IPv4 SYN-ACK", "ip:tcp", "0x0012", 1311836866L,
            3913343123L,
            "4500003c000040004006ae94c6120001c61200021f9080014e310ac2e940e093a012ffcbef0900000204ffd7"
                    + "0402080a0d09d385943a9ba80103030a");
    static final Fixture IPV4_ACK = tcp("IPv4 ACK", "ip:tcp", "0x0010", 3913343123L, 1311836867L,
            "45000034aa3b400040060461c6120002c612000180011f90e940e0934e310ac380100040178900000101080a"
                    + "943a9ba80d09d385");
    static final Fixture IPV4_DATA = tcp("IPv4 PSH-ACK hello", "ip:tcp", "0x0018", 3913343123L,
            1311836867L,
            "4500003aaa3c40004006045ac6120002c612000180011f90e940e0934e310ac380180040d39e00000101080a"
                    + "943a9ba80d09d38568656c6c6f0a");
    static final Fixture IPV4_FIN = tcp("IPv4 FIN-ACK", "ip:tcp", "0x0011", 3913343129L,
            1311836873L,
            "45000034aa3e40004006045ec6120002c612000180011f90e940e0994e310ac980110040177c00000101080a"
                    + "943a9ba80d09d385");
    static final Fixture IPV6_SYN = tcp("IPv6 SYN", "ipv6:tcp", "0x0002", 1624537424L, 0,
            "60040c8d00280640fd000000000000000000000000000002fd000000000000000000000000000001e4a71f91"
                    + "60d4795000000000a002ffc49c9700000204ffc40402080a7d055c28000000000103030a");
    static final Fixture IPV6_SYN_ACK = tcp("IPv6 SYN-ACK", "ipv6:tcp", "0x0012", 1910506512L,
            1624537425L,
            "600ad91e00280640fd000000000000000000000000000001fd0000000000000000000000000000021f91e4a7"
                    + "71e0041060d47951a012ffb8592300000204ffc40402080a52ac7ad27d055c280103030a");
    static final Fixture IPV6_ACK = tcp("IPv6 ACK", "ipv6:tcp", "0x0010", 1624537425L, 1910506513L,
            "60040c8d00200640fd000000000000000000000000000002fd000000000000000000000000000001e4a71f91"
                    + "60d4795171e0041180100040817b00000101080a7d055c2952ac7ad2");
    static final Fixture IPV6_DATA = tcp("IPv6 PSH-ACK hello", "ipv6:tcp", "0x0018", 1624537425L,
            1910506513L,
            "60040c8d00260640fd000000000000000000000000000002fd000000000000000000000000000001e4a71f91"
                    + "60d4795171e00411801800403d9100000101080a7d055c2952ac7ad268656c6c6f0a");
    static final Fixture IPV6_FIN = tcp("IPv6 FIN-ACK", "ipv6:tcp", "0x0011", 1624537431L,
            1910506519L,
            "60040c8d00200640fd000000000000000000000000000002fd000000000000000000000000000001e4a71f91"
                    + "60d4795771e0041780110040816e00000101080a7d055c2952ac7ad2");
    static final Fixture ICMP_ECHO_REQUEST = other("ICMP echo request", "ip:icmp",
            "4500002570ee400040013dc3c6120001c612000108001a07123400016a7463702d70696e67");
    static final Fixture ICMP_ECHO_REPLY = other("ICMP echo reply", "ip:icmp",
            "4500002570ef000040017dc2c6120001c612000100002207123400016a7463702d70696e67");
    static final Fixture ICMPV6_ECHO_REQUEST = other("ICMPv6 echo request", "ipv6:icmpv6",
            "600b192b00113a40fd000000000000000000000000000002fd0000000000000000000000000000018000a7b6"
                    + "123400016a7463702d70696e67");

    /** Every fixture, in capture order within each family. */
    static final List<Fixture> ALL = List.of(IPV4_SYN, IPV4_SYN_ACK, IPV4_ACK, IPV4_DATA, IPV4_FIN,
            IPV6_SYN, IPV6_SYN_ACK, IPV6_ACK, IPV6_DATA, IPV6_FIN, ICMP_ECHO_REQUEST,
            ICMP_ECHO_REPLY, ICMPV6_ECHO_REQUEST);

    /** Time stamp of fixture {@code index} in the test captures: nanosecond digits all in use. */
    static long timestampNs(int index) {
        return 1_700_000_000_123_456_789L + index * 1_000_001L;
    }

    private CaptureFixtures() {
    }

    private static Fixture tcp(String name, String protocols, String flags, long seq, long ack,
            String hex) {
        return new Fixture(name, hex, protocols, flags, seq, ack);
    }

    private static Fixture other(String name, String protocols, String hex) {
        return new Fixture(name, hex, protocols, null, 0, 0);
    }
}
