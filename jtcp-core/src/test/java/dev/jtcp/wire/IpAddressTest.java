package dev.jtcp.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpAddressTest {
    @Test
    void ipv4IsHeldV4Mapped() {
        IpAddress a = IpAddress.parse("198.18.0.2");
        assertThat(a.isV4()).isTrue();
        assertThat(a.v4()).isEqualTo(0xC6120002);
        assertThat(a.hi()).isZero();
        assertThat(a.lo()).isEqualTo(0x0000_FFFF_C612_0002L);
        assertThat(a).hasToString("198.18.0.2").isEqualTo(IpAddress.ofV4(198, 18, 0, 2));
    }

    @Test
    void ipv6PrintsInRfc5952Form() {
        assertThat(IpAddress.parse("fd00:0:0:0:0:0:0:1")).hasToString("fd00::1");
        assertThat(IpAddress.parse("[2001:db8::1]")).hasToString("2001:db8::1");
        assertThat(IpAddress.parse("2001:db8:0:1:1:1:1:1")).hasToString("2001:db8:0:1:1:1:1:1");
        assertThat(IpAddress.parse("::")).hasToString("::");
        assertThat(IpAddress.parse("::1").isLoopback()).isTrue();
        assertThat(IpAddress.parse("fd00::1").isV4()).isFalse();
    }

    @Test
    void classifiesSpecialAddresses() {
        assertThat(IpAddress.parse("224.0.0.1").isMulticast()).isTrue();
        assertThat(IpAddress.parse("ff02::1").isMulticast()).isTrue();
        assertThat(IpAddress.parse("255.255.255.255").isLimitedBroadcast()).isTrue();
        assertThat(IpAddress.parse("0.0.0.0").isUnspecified()).isTrue();
        assertThat(IpAddress.parse("127.0.0.1").isLoopback()).isTrue();
        assertThat(IpAddress.parse("198.18.0.1").isMulticast()).isFalse();
    }

    @Test
    void rejectsNamesWithoutLookingThemUp() {
        assertThatThrownBy(() -> IpAddress.parse("example.com"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("example.com");
        assertThatThrownBy(() -> IpAddress.parse("1.2.3.400")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roundTripsThroughInetAddress() {
        for (String s : new String[] {"198.18.0.1", "fd00::2", "2001:db8::ff00:42:8329"}) {
            IpAddress a = IpAddress.parse(s);
            assertThat(IpAddress.of(a.toInetAddress())).isEqualTo(a);
        }
    }
}
