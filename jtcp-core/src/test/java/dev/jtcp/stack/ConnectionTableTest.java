package dev.jtcp.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.wire.IpAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {
    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        SplittableRandom r = new SplittableRandom(2);
        ConnectionTable<Integer> table = new ConnectionTable<>(16);
        Map<ConnectionKey, Integer> model = new HashMap<>();
        IpAddress[] addrs = {IpAddress.parse("198.18.0.1"), IpAddress.parse("198.18.0.2"), IpAddress.parse("fd00::1"),
                IpAddress.parse("fd00::2")};
        for (int i = 0; i < 200_000; i++) {
            ConnectionKey k = new ConnectionKey(addrs[r.nextInt(4)], r.nextInt(50), addrs[r.nextInt(4)], r.nextInt(50));
            switch (r.nextInt(3)) {
                case 0 -> assertThat(table.put(k, i)).isEqualTo(model.put(k, i));
                case 1 -> assertThat(table.remove(k)).isEqualTo(model.remove(k));
                default -> assertThat(table.get(k)).isEqualTo(model.get(k));
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        model.forEach((k, v) -> assertThat(table.get(k)).isEqualTo(v));
    }
}
