package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;

/**
 * F-RTO (RFC 5682 §3, the SACK-enhanced algorithm), as Linux runs it with {@code tcp_frto=2}:
 * after a retransmission timeout, find out from the next two ACKs whether the timeout was spurious
 * (the segments were delayed, not lost) and, if so, undo the window reduction and stop resending
 * the rest of the window (no go-back-N).
 *
 * <ol>
 *   <li>Step 1 (the timeout): the first unacknowledged segment is resent, as always. F-RTO starts
 *       unless the timeout struck during fast recovery (a recurring timeout on the same data
 *       restarts it, RFC 5682 §3.2).
 *   <li>Step 2 (the first ACK that advances SND.UNA without covering all data sent before the
 *       timeout): instead of resending more, send new data (the window allows two segments); the
 *       episode's end moves to SND.NXT. If no new data can go out, F-RTO ends and recovery
 *       continues as usual.
 *   <li>Step 3 (the next ACKs): an ACK or SACK of a segment sent before the timeout and never
 *       resent proves the timeout spurious: undo. A duplicate ACK or new SACK information without
 *       that proof means the loss was real: F-RTO ends and the lost segments are resent.
 * </ol>
 *
 * <p>The loss-recovery room ({@link RackRecovery}) owns the sequence bookkeeping and the undo; this
 * class keeps F-RTO's state and decides. Not thread-safe; one per connection.
 */
final class Frto {
    /** What an ACK in the Loss state means to F-RTO. */
    enum Verdict {
        /** Nothing for F-RTO to do: recovery goes on as usual. */
        NONE,
        /** Step 3b: the timeout was spurious; undo it. */
        SPURIOUS,
        /** Step 2b: send new data now instead of resending; the episode ends at SND.NXT from now. */
        SEND_NEW
    }

    private final boolean enabled;
    /** F-RTO is watching the current timeout episode. */
    private boolean active;
    /** Step 2b was taken: the next output sends new data only. */
    private boolean sendNewPending;
    private long spuriousTimeouts;

    Frto(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * A retransmission timeout (step 1). {@code duringFastRecovery}: it struck while fast recovery
     * was in progress; {@code recurring}: an earlier timeout of the same episode had already expired.
     */
    void onTimeout(boolean duringFastRecovery, boolean recurring) {
        active = enabled && (!duringFastRecovery || recurring);
        sendNewPending = false;
    }

    /** Whether F-RTO is watching the current episode. */
    boolean isActive() {
        return active;
    }

    /**
     * An ACK arrived in the Loss state (the SACK scoreboard and SND.UNA already updated).
     *
     * @param sndUnaAdvanced   the ACK advanced SND.UNA
     * @param originalDelivered it acknowledged or SACKed a segment sent before the timeout (before
     *                          {@code highSeq}) and never resent
     * @param newSackOrDupAck  it SACKed data not SACKed before, or is a duplicate ACK
     * @param sndUna           SND.UNA now
     * @param sndNxt           SND.NXT now
     * @param highSeq          where the episode ends (SND.MAX at the timeout, or SND.NXT after step 2b)
     */
    Verdict onAck(boolean sndUnaAdvanced, boolean originalDelivered, boolean newSackOrDupAck, int sndUna, int sndNxt,
                  int highSeq) {
        if (!active) {
            return Verdict.NONE;
        }
        if (originalDelivered) {
            // Step 3b: data that was never resent arrived: not all of it was lost.
            active = false;
            sendNewPending = false;
            spuriousTimeouts++;
            return Verdict.SPURIOUS;
        }
        if (SeqNum.gt(sndNxt, highSeq)) {
            // New data went out in step 2b; this ACK reports a hole instead: the loss was real (step 3a).
            if (newSackOrDupAck) {
                active = false;
            }
            return Verdict.NONE;
        }
        if (sndUnaAdvanced && SeqNum.lt(sndUna, highSeq)) {
            sendNewPending = true;
            return Verdict.SEND_NEW; // step 2b
        }
        return Verdict.NONE;
    }

    /** Whether the next output is step 2b's new data (and not retransmissions). */
    boolean sendNewPending() {
        return sendNewPending;
    }

    /**
     * Step 2b's output is done: if no new data could go out ({@code sentNew} false), F-RTO ends and
     * conventional recovery resends the lost segments.
     */
    void afterSendNew(boolean sentNew) {
        sendNewPending = false;
        if (!sentNew) {
            active = false;
        }
    }

    /** The episode ended (all data sent before it acknowledged, or undone another way). */
    void stop() {
        active = false;
        sendNewPending = false;
    }

    /** Timeouts F-RTO found spurious (Linux's TCPSpuriousRTOs). */
    long spuriousTimeouts() {
        return spuriousTimeouts;
    }
}
