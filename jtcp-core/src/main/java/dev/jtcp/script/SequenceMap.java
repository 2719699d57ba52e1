package dev.jtcp.script;

import java.util.HashMap;
import java.util.Map;

/**
 * Script space to live space for sequence numbers and timestamps (packetdrill's conventions).
 *
 * <ul>
 *   <li>Remote side (the script's): the script picks the ISN, so script and live ISN are equal. An
 *       inbound SYN sets it; a non-SYN segment's seq is {@code script + remoteIsn}.
 *   <li>Local side (the stack under test): its ISN is learned from the SYN or SYN,ACK a {@code >}
 *       line matches; the script's ISN is whatever that line says (normally 0). In a segment with
 *       SYN set numbers are absolute in script space ({@code live = script + (liveIsn - scriptIsn)});
 *       otherwise relative ({@code live = script + liveIsn}).
 *   <li>Timestamps: each TS val a {@code >} line matches is remembered script to live; an inbound
 *       {@code ecr X} becomes the live value that matched script value X.
 * </ul>
 *
 * <p>Not thread-safe; one per script run.
 */
final class SequenceMap {
    private long remoteIsn;
    private boolean remoteIsnKnown;
    /** The sequence number of the last inbound SYN, which becomes the remote ISN once the stack accepts it. */
    private long pendingRemoteIsn;
    private int localIsnLive;
    private long localIsnScript;
    private final Map<Long, Integer> tsScriptToLive = new HashMap<>();
    private boolean tsBaseKnown;
    private long tsBaseScript;
    private int tsBaseLive;

    /**
     * An inbound SYN. Its sequence number becomes the remote ISN at once if none is known yet or if
     * it is a SYN,ACK (the script answering our SYN); otherwise only when the stack accepts it by
     * sending a SYN,ACK ({@link #localSyn}): a SYN the stack answers with a challenge ACK (or that
     * TIME-WAIT refuses) leaves the numbering of the connection in progress alone.
     */
    void remoteSyn(long scriptSeq, boolean withAck) {
        pendingRemoteIsn = scriptSeq;
        if (!remoteIsnKnown || withAck) {
            remoteIsn = scriptSeq;
            remoteIsnKnown = true;
        }
    }

    /** A {@code >} line with SYN matched a live SYN or SYN,ACK; a SYN,ACK accepts the last inbound SYN. */
    void localSyn(long scriptSeq, int liveSeq, boolean withAck) {
        localIsnScript = scriptSeq;
        localIsnLive = liveSeq;
        if (withAck) {
            remoteIsn = pendingRemoteIsn;
            remoteIsnKnown = true;
        }
    }

    /** Live number for a sequence number of the remote side (inbound seq, outbound ack and SACK). */
    int remote(long script, boolean syn) {
        return (int) (syn ? script : script + remoteIsn);
    }

    /** Live number for a sequence number of the local side (outbound seq, inbound ack and SACK). */
    int local(long script, boolean syn) {
        return (int) (syn ? script + localIsnLive - localIsnScript : script + localIsnLive);
    }

    /** Script number (relative) of a live local-side number, for messages. */
    long localToScript(int live, boolean syn) {
        return syn ? Integer.toUnsignedLong(live - localIsnLive + (int) localIsnScript)
                : Integer.toUnsignedLong(live - localIsnLive);
    }

    /** Script number of a live remote-side number, for messages. */
    long remoteToScript(int live, boolean syn) {
        return syn ? Integer.toUnsignedLong(live) : Integer.toUnsignedLong(live - (int) remoteIsn);
    }

    /**
     * Remembers that script TS val {@code script} matched live {@code live}; returns by how many
     * ticks the live clock has drifted from the script's since the first timestamp seen.
     */
    long timestamp(long script, int live) {
        tsScriptToLive.put(script, live);
        if (!tsBaseKnown) {
            tsBaseKnown = true;
            tsBaseScript = script;
            tsBaseLive = live;
            return 0;
        }
        long liveDelta = live - tsBaseLive;
        long scriptDelta = script - tsBaseScript;
        return liveDelta - scriptDelta;
    }

    /** The live TS val that matched script value {@code script}, or null if none did. */
    Integer liveTimestamp(long script) {
        return tsScriptToLive.get(script);
    }
}
