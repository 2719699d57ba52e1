package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionFilterTest {
    private static ConnectionReport between(String a, String b) {
        return new ConnectionReport(0, a, b, "client", "server", 0, 0, 0, 0, 0, "", "", List.of(), List.of(),
                Map.of());
    }

    @Test
    void matchesEitherEndpointForEachTerm() {
        ConnectionReport r = between("198.18.0.1:40000", "198.18.0.2:80");
        assertThat(ConnectionFilter.parse("host 198.18.0.2").matches(r)).isTrue();
        assertThat(ConnectionFilter.parse("port 40000").matches(r)).isTrue();
        assertThat(ConnectionFilter.parse("host 198.18.0.1 and port 80").matches(r)).isTrue();
        assertThat(ConnectionFilter.parse("host 198.18.0.3").matches(r)).isFalse();
        assertThat(ConnectionFilter.parse("host 198.18.0.1 and port 81").matches(r)).isFalse();
        assertThat(ConnectionFilter.ALL.matches(r)).isTrue();
    }

    @Test
    void readsIpv6Endpoints() {
        ConnectionReport r = between("[fd00::1]:40000", "[fd00::2]:443");
        assertThat(ConnectionFilter.parse("host fd00::2 and port 443").matches(r)).isTrue();
        assertThat(ConnectionFilter.parse("host fd00:0:0::1").matches(r)).isTrue();
        assertThat(ConnectionFilter.parse("host 198.18.0.1").matches(r)).isFalse();
    }

    @Test
    void rejectsWhatItDoesNotUnderstand() {
        assertThatThrownBy(() -> ConnectionFilter.parse("tcp port 80")).hasMessageContaining("'tcp'");
        assertThatThrownBy(() -> ConnectionFilter.parse("port")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> ConnectionFilter.parse("port 70000")).hasMessageContaining("not a port");
        assertThatThrownBy(() -> ConnectionFilter.parse("port 80 or port 81")).hasMessageContaining("'and'");
        assertThatThrownBy(() -> ConnectionFilter.parse("port 80 and")).hasMessageContaining("after 'and'");
        assertThatThrownBy(() -> ConnectionFilter.parse("host nowhere")).hasMessageContaining("not an IPv4");
    }
}
