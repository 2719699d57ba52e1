package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.ConnectionKey;
import dev.jtcp.event.TcpState;
import dev.jtcp.event.TimerKind;
import dev.jtcp.event.TraceEvent;
import dev.jtcp.wire.DropReason;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpOption;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventFormatTest {
    private static final IpAddress A = IpAddress.parse("198.18.0.1");
    private static final IpAddress B = IpAddress.parse("198.18.0.2");
    private static final TcpHeader SYN_ACK = new TcpHeader(80, 40000, 0xF0000000, 101, TcpFlags.SYN | TcpFlags.ACK,
            65535, 0, List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(7, 3),
                    new TcpOption.Nop(), new TcpOption.WindowScale(7)));
    private static final ConnectionKey KEY = new ConnectionKey(B, 80, A, 40000);

    @Test
    void segmentsPrintLikeTcpdumpWithUnsignedNumbers() {
        String line = EventText.format(new TraceEvent.SegmentEvent(10_000_000, "server", TraceEvent.Direction.SENT, B,
                A, SYN_ACK, 0, null, "retransmission"));
        assertThat(line).isEqualTo("0.010000 server  sent  198.18.0.2:80 > 198.18.0.1:40000: Flags [S.], seq 4026531840,"
                + " ack 101, win 65535, options [mss 1460,sackOK,TS val 7 ecr 3,nop,wscale 7], length 0"
                + " (retransmission)");
        String dropped = EventText.format(new TraceEvent.SegmentEvent(1, "client", TraceEvent.Direction.DROPPED, B, A,
                SYN_ACK, 5, DropReason.TCP_BAD_CHECKSUM, null));
        assertThat(dropped).contains("drop", "seq 4026531840:4026531845", "(TCP checksum bad)");
    }

    @Test
    void otherEventsHaveOneLineEach() {
        assertThat(EventText.format(new TraceEvent.StateEvent(0, "server", KEY, TcpState.LISTEN,
                TcpState.SYN_RECEIVED, "rcv SYN"))).endsWith("state 198.18.0.2:80 > 198.18.0.1:40000 LISTEN -> SYN-RECEIVED (rcv SYN)");
        assertThat(EventText.format(new TraceEvent.TimerEvent(1_000_000_000, "client", KEY, TimerKind.RETRANSMISSION,
                TraceEvent.TimerAction.SET, 2_000_000_000))).endsWith("RTO set, fires at 2.000000");
        assertThat(EventText.format(new TraceEvent.NoteEvent(0, "network", "hello"))).contains("note  hello");
    }

    @Test
    void jsonLinesAreOneEscapedObjectPerEvent() {
        String json = JsonLines.format(new TraceEvent.SegmentEvent(5, "server", TraceEvent.Direction.LOST, B, A,
                SYN_ACK, 0, null, "lost \"on\" link0"));
        assertThat(json).startsWith("{\"t\":5,\"host\":\"server\",\"type\":\"segment\",\"dir\":\"lost\"")
                .contains("\"seq\":4026531840", "\"flags\":[\"SYN\",\"ACK\"]", "{\"kind\":\"mss\",\"mss\":1460}",
                        "{\"kind\":\"ts\",\"val\":7,\"ecr\":3}", "{\"kind\":\"wscale\",\"shift\":7}",
                        "\"note\":\"lost \\\"on\\\" link0\"")
                .endsWith("}").doesNotContain("\n");
        assertThat(JsonLines.format(new TraceEvent.StateEvent(0, "a", KEY, TcpState.CLOSED, TcpState.SYN_SENT,
                "open()"))).contains("\"type\":\"state\"", "\"from\":\"CLOSED\"", "\"to\":\"SYN-SENT\"");
    }
}
