package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.wire.IpAddress;
import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.Test;

class ConnectionStatusTest {
    private static ConnectionStatus status(int iss, int irs, int sndUna, int sndNxt, int rcvNxt) {
        ConnectionKey key = new ConnectionKey(IpAddress.parse("198.18.0.2"), 40000, IpAddress.parse("198.18.0.1"), 80);
        return new ConnectionStatus(TcpState.ESTABLISHED, key, iss, irs, sndUna, sndNxt, 65535, rcvNxt, 65535, 7, 7,
                1460, 1460, true, true, 20_000_000, 10_000_000, 200_000_000, 14600, Integer.MAX_VALUE, 0, 0, 0, 0,
                10, 9, 1000, 2000, 0, 0, true, false, 0, 0, "cubic", 0, 0, "rack", false,
                1460, 1460, Long.MIN_VALUE, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void sequenceNumbersPrintUnsignedAsOnTheWire() {
        String s = status((int) 3_000_000_000L, -1, (int) 3_000_000_001L, (int) 4_294_967_295L, 0).toString();

        assertThat(s).contains("iss=3000000000", "irs=4294967295", "sndUna=3000000001", "sndNxt=4294967295",
                "rcvNxt=0", "state=ESTABLISHED", "key=198.18.0.2:40000 > 198.18.0.1:80").doesNotContain("=-");
    }

    @Test
    void everyComponentIsPrinted() {
        String s = status(1, 2, 3, 4, 5).toString();

        for (RecordComponent c : ConnectionStatus.class.getRecordComponents()) {
            assertThat(s).as(c.getName()).containsPattern("[\\[ ]" + c.getName() + "=");
        }
    }
}
