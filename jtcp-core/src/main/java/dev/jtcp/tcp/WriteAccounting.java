package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;

/**
 * How much of a write Linux takes, and when the socket is writable, under its not-sent low-water
 * mark (TCP_NOTSENT_LOWAT, {@code net.ipv4.tcp_notsent_lowat}); on with {@link
 * TcpConfig#writeAccounting()} (the linux profile).
 *
 * <p>Linux's {@code tcp_sendmsg_locked} fills the last skb of the write queue up to the size goal
 * ({@code tcp_xmit_size_goal}: 64 KiB bounded by half the largest window the peer offered, in whole
 * segments) and asks {@code sk_stream_memory_free} only before it starts a new skb: a write stops
 * there once the unsent bytes ({@code write_seq - snd_nxt}) reach the low-water mark. A full skb is
 * pushed at once ({@code tcp_push_one}), and what it sends shortens the tail skb, which the next
 * bytes of the write top up again. So with a mark of 4000 and an initial window of ten 1000-byte
 * segments, a write of 59000 takes 26000: the first 16000-byte skb, whose first 10000 leave, is
 * topped up to 26000, and then 16000 are unsent. The socket is writable ({@code tcp_poll}, {@code
 * __sk_stream_is_writeable} with {@code wake}) while twice the unsent bytes are below the mark.
 *
 * <p>Not modelled: the skbs' memory ({@code sk_wmem_queued}, truesize) against SO_SNDBUF; the send
 * buffer's free space bounds a write as before.
 *
 * <p>Not thread-safe: one per connection, driven by the thread that runs its host. No allocation.
 */
final class WriteAccounting {
    /** Where the last skb the writes built starts; valid while {@link #hasTail}. */
    private int tailStart;
    /** Whether a write has built an skb whose unsent rest may still be topped up. */
    private boolean hasTail;

    /**
     * The next piece of a write of {@code left} more bytes that Linux would copy now, or 0 when it
     * stops (a new skb is due and the unsent bytes reach {@code lowat}).
     *
     * @param sndNxt    SND.NXT (what was sent ends here)
     * @param writeSeq  where the written bytes end (SND.NXT plus the unsent bytes)
     * @param sizeGoal  the skb size goal, bytes
     * @param lowat     the low-water mark in force, bytes
     */
    int nextPiece(int sndNxt, int writeSeq, int sizeGoal, int lowat, int left) {
        int tailLength = 0;
        if (hasTail && SeqNum.lt(sndNxt, writeSeq)) {
            // Sending cut the tail skb: its unsent rest starts at SND.NXT.
            tailLength = SeqNum.diff(writeSeq, SeqNum.max(tailStart, sndNxt));
        }
        int room = hasTail && SeqNum.lt(sndNxt, writeSeq) ? sizeGoal - tailLength : 0;
        if (room <= 0) {
            // A new skb: sk_stream_memory_free first.
            if (SeqNum.diff(writeSeq, sndNxt) >= lowat) {
                return 0;
            }
            tailStart = writeSeq;
            hasTail = true;
            room = sizeGoal;
        }
        return Math.min(room, left);
    }

    /** Whether {@code tcp_poll} shows the socket writable: twice the unsent bytes below {@code lowat}. */
    static boolean belowLowat(int unsent, int lowat) {
        return lowat == Integer.MAX_VALUE || 2L * unsent < lowat;
    }
}
