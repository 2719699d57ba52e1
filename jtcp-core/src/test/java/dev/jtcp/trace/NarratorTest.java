package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.event.TraceEvent.Direction;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the narration says a pure ACK does: acknowledges a FIN, acknowledges data, or updates the window. */
class NarratorTest {
    private static final IpAddress CLIENT = IpAddress.parse("198.18.0.1");
    private static final IpAddress SERVER = IpAddress.parse("198.18.0.2");
    private static final int C_ISN = 1000;
    private static final int S_ISN = 5000;

    private final List<TraceEvent> trace = new ArrayList<>();
    private long now;

    private TraceEvent.SegmentEvent client(int flags, int seq, int ack, int window, int length) {
        return add("client", CLIENT, SERVER, new TcpHeader(40000, 80, seq, ack, flags, window, 0, List.of()), length);
    }

    private TraceEvent.SegmentEvent server(int flags, int seq, int ack, int window, int length) {
        return add("server", SERVER, CLIENT, new TcpHeader(80, 40000, seq, ack, flags, window, 0, List.of()), length);
    }

    private TraceEvent.SegmentEvent add(String host, IpAddress src, IpAddress dst, TcpHeader h, int length) {
        now += 10_000_000L;
        TraceEvent.SegmentEvent e = new TraceEvent.SegmentEvent(now, host, Direction.SENT, src, dst, h, length, null,
                null);
        trace.add(e);
        return e;
    }

    /** Handshake, then 100 bytes from the client. */
    private void openAndSend() {
        client(TcpFlags.SYN, C_ISN, 0, 65535, 0);
        server(TcpFlags.SYN | TcpFlags.ACK, S_ISN, C_ISN + 1, 65535, 0);
        client(TcpFlags.ACK, C_ISN + 1, S_ISN + 1, 65535, 0);
        client(TcpFlags.PSH | TcpFlags.ACK, C_ISN + 1, S_ISN + 1, 65535, 100);
    }

    private String explanation(TraceEvent e) {
        Map<TraceEvent, String> all = new Narrator().explain(trace);
        return all.get(e);
    }

    @Test
    void ackOfDataSaysItAcknowledgesTheDataEvenIfTheWindowGrew() {
        openAndSend();
        TraceEvent ack = server(TcpFlags.ACK, S_ISN + 1, C_ISN + 101, 4 * 65535, 0);
        assertThat(explanation(ack)).startsWith("Server acknowledges 100 bytes of data").doesNotContain("window");
    }

    @Test
    void ackOfAFinSaysItAcknowledgesTheFin() {
        openAndSend();
        server(TcpFlags.ACK, S_ISN + 1, C_ISN + 101, 65535, 0);
        client(TcpFlags.FIN | TcpFlags.ACK, C_ISN + 101, S_ISN + 1, 65535, 0);
        TraceEvent ack = server(TcpFlags.ACK, S_ISN + 1, C_ISN + 102, 4 * 65535, 0);
        assertThat(explanation(ack)).startsWith("Server acknowledges the FIN").doesNotContain("window update");
    }

    @Test
    void ackOfDataAndFinTogetherSaysBoth() {
        openAndSend();
        client(TcpFlags.FIN | TcpFlags.ACK, C_ISN + 101, S_ISN + 1, 65535, 0);
        TraceEvent ack = server(TcpFlags.ACK, S_ISN + 1, C_ISN + 102, 65535, 0);
        assertThat(explanation(ack)).startsWith("Server acknowledges the last 100 bytes of data and the FIN");
    }

    @Test
    void onlyAGrownWindowIsAWindowUpdate() {
        openAndSend();
        server(TcpFlags.ACK, S_ISN + 1, C_ISN + 101, 1000, 0);
        TraceEvent update = server(TcpFlags.ACK, S_ISN + 1, C_ISN + 101, 65535, 0);
        assertThat(explanation(update)).contains("window update").contains("acknowledges nothing new");
    }

    @Test
    void aRepeatedAckWithTheSameWindowIsNotExplained() {
        openAndSend();
        server(TcpFlags.ACK, S_ISN + 1, C_ISN + 101, 65535, 0);
        TraceEvent duplicate = server(TcpFlags.ACK, S_ISN + 1, C_ISN + 101, 65535, 0);
        assertThat(explanation(duplicate)).isNull();
    }
}
