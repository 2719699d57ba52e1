package dev.jtcp.event;

import java.util.EnumSet;
import java.util.Set;

/**
 * The eleven states of the RFC 9293 connection state diagram (§3.3.2, Figure 6). {@link #toString()}
 * gives the RFC's spelling ({@code SYN-SENT}), which ladders and traces print.
 *
 * <p>{@link #successors()} lists the diagram's edges, plus the edges the RFC's event-processing text
 * adds beyond the figure: any state to CLOSED on RST, ABORT or timeout, SYN-RECEIVED back to LISTEN
 * (MUST-11), and FIN-WAIT-1 straight to TIME-WAIT on a FIN that also acknowledges our FIN. Property
 * tests check every observed transition against this list.
 */
public enum TcpState {
    CLOSED("CLOSED"),
    LISTEN("LISTEN"),
    SYN_SENT("SYN-SENT"),
    SYN_RECEIVED("SYN-RECEIVED"),
    ESTABLISHED("ESTABLISHED"),
    FIN_WAIT_1("FIN-WAIT-1"),
    FIN_WAIT_2("FIN-WAIT-2"),
    CLOSE_WAIT("CLOSE-WAIT"),
    CLOSING("CLOSING"),
    LAST_ACK("LAST-ACK"),
    TIME_WAIT("TIME-WAIT");

    private final String rfcName;

    TcpState(String rfcName) {
        this.rfcName = rfcName;
    }

    /** SYN exchanged both ways: every state from ESTABLISHED on, and SYN-RECEIVED (§3.3.2). */
    public boolean isSynchronized() {
        return this != CLOSED && this != LISTEN && this != SYN_SENT;
    }

    /** States in which our FIN has been sent (we may still receive). */
    public boolean isSendClosed() {
        return this == FIN_WAIT_1 || this == FIN_WAIT_2 || this == CLOSING || this == LAST_ACK || this == TIME_WAIT;
    }

    /** States in which the peer's FIN has been received (no more data will arrive). */
    public boolean isReceiveClosed() {
        return this == CLOSE_WAIT || this == CLOSING || this == LAST_ACK || this == TIME_WAIT;
    }

    /** The states this one may move to (see the class comment). */
    public Set<TcpState> successors() {
        return switch (this) {
            case CLOSED -> EnumSet.of(LISTEN, SYN_SENT);
            case LISTEN -> EnumSet.of(SYN_RECEIVED, SYN_SENT, CLOSED);
            case SYN_SENT -> EnumSet.of(SYN_RECEIVED, ESTABLISHED, CLOSED);
            case SYN_RECEIVED -> EnumSet.of(ESTABLISHED, FIN_WAIT_1, CLOSE_WAIT, LISTEN, CLOSED);
            case ESTABLISHED -> EnumSet.of(FIN_WAIT_1, CLOSE_WAIT, CLOSED);
            case FIN_WAIT_1 -> EnumSet.of(FIN_WAIT_2, CLOSING, TIME_WAIT, CLOSED);
            case FIN_WAIT_2 -> EnumSet.of(TIME_WAIT, CLOSED);
            case CLOSE_WAIT -> EnumSet.of(LAST_ACK, CLOSED);
            case CLOSING -> EnumSet.of(TIME_WAIT, CLOSED);
            case LAST_ACK -> EnumSet.of(CLOSED);
            case TIME_WAIT -> EnumSet.of(CLOSED);
        };
    }

    /** The RFC spelling, e.g. {@code FIN-WAIT-1}. */
    @Override
    public String toString() {
        return rfcName;
    }

    /** Parses the RFC spelling or the enum name ({@code SYN-SENT}, {@code SYN_SENT}, {@code syn-sent}). */
    public static TcpState parse(String text) {
        String t = text.strip().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        if (t.equals("SYN_RCVD") || t.equals("SYN_RECV")) {
            return SYN_RECEIVED;
        }
        return valueOf(t);
    }
}
