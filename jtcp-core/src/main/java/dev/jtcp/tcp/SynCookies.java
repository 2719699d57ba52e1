package dev.jtcp.tcp;

import dev.jtcp.wire.SeqNum;
import java.util.random.RandomGenerator;

/**
 * SYN cookies (RFC 4987 §3.6): when a listener's SYN queue is full it answers a SYN without keeping
 * any state, encoding what it must remember in its own initial sequence number, and rebuilds the
 * connection when the ACK of the handshake returns that number plus one.
 *
 * <p>The cookie is {@code H1(clientIsn) + clientIsn + (count << 24) + ((H2(count) + mssIndex) mod 2^24)},
 * where {@code count} is a 64-second time counter, {@code H1} and {@code H2} are SipHash over the
 * 4-tuple with a secret key, and {@code mssIndex} picks one of four MSS values. A returning ACK is
 * valid when the recovered count is at most two periods old and the recovered index is one of the
 * four: a blind attacker's guess succeeds with probability about 2<sup>-22</sup>.
 *
 * <p>Unlike Linux's cookie, {@code H1} hashes the client's ISN too. With the ISN only added, an ACK
 * whose sequence and acknowledgment numbers both moved on by the same amount also passes, such as a
 * client's duplicated last ACK arriving after LAST-ACK has closed: it would rebuild an ESTABLISHED
 * connection the client no longer has (a connection storm left thousands of them). Hashed, such an
 * ACK is as unlikely to pass as a guess.
 *
 * <p>When the SYN carried timestamps, the options the cookie cannot hold (window scale, SACK
 * permitted) ride in the low bits of our TSval, which the client echoes in TSecr (the approach Linux
 * takes). Without timestamps those options are lost, as RFC 4987 notes.
 *
 * <p>Not thread-safe: owned by one host.
 */
public final class SynCookies {
    static final long PERIOD_NS = 64_000_000_000L;
    private static final int MAX_AGE_PERIODS = 2;
    private static final int[] MSS_V4 = {536, 1300, 1440, 1460};
    private static final int[] MSS_V6 = {1220, 1280, 1440, 1460};
    /** Low TSval bits carrying window scale (4 bits, 15 = none) and SACK-permitted (1 bit). */
    static final int TS_OPTION_BITS = 5;
    private static final int TS_OPTION_MASK = (1 << TS_OPTION_BITS) - 1;
    private static final int NO_WSCALE = 0xF;
    private static final int SACK_BIT = 0x10;

    private final SipHash prf;

    public SynCookies(RandomGenerator random) {
        this.prf = new SipHash(random.nextLong(), random.nextLong());
    }

    /** The index of the largest cookie MSS not above the peer's MSS. */
    static int mssIndex(int peerMss, boolean v6) {
        int[] table = v6 ? MSS_V6 : MSS_V4;
        for (int i = table.length - 1; i > 0; i--) {
            if (table[i] <= peerMss) {
                return i;
            }
        }
        return 0;
    }

    static int mssFor(int index, boolean v6) {
        return (v6 ? MSS_V6 : MSS_V4)[index];
    }

    private long h(long lHi, long lLo, int lPort, long rHi, long rLo, int rPort, long extra) {
        return prf.hash(lHi, lLo, rHi, rLo, (long) lPort << 16 | rPort, extra);
    }

    /** H1, over the 4-tuple and the client's ISN (kept apart from H2's 8-bit counts by bit 32). */
    private int h1(long lHi, long lLo, int lPort, long rHi, long rLo, int rPort, int clientIsn) {
        return (int) h(lHi, lLo, lPort, rHi, rLo, rPort, 1L << 32 | (clientIsn & 0xFFFF_FFFFL));
    }

    /** The cookie ISN for a SYN with sequence number {@code clientIsn}. */
    int encode(long nowNs, long lHi, long lLo, int lPort, long rHi, long rLo, int rPort, int clientIsn, int mssIndex) {
        int count = (int) (nowNs / PERIOD_NS) & 0xFF;
        int h1 = h1(lHi, lLo, lPort, rHi, rLo, rPort, clientIsn);
        int h2 = (int) h(lHi, lLo, lPort, rHi, rLo, rPort, count);
        return h1 + clientIsn + (count << 24) + ((h2 + mssIndex) & 0xFF_FFFF);
    }

    /**
     * Validates the ACK completing a cookie handshake: {@code cookie} is SEG.ACK − 1, {@code clientIsn}
     * is SEG.SEQ − 1.
     *
     * @return the MSS index, or -1 when the cookie is forged or too old
     */
    int decode(long nowNs, long lHi, long lLo, int lPort, long rHi, long rLo, int rPort, int clientIsn, int cookie) {
        int h1 = h1(lHi, lLo, lPort, rHi, rLo, rPort, clientIsn);
        int x = cookie - h1 - clientIsn;
        int count = x >>> 24;
        int nowCount = (int) (nowNs / PERIOD_NS) & 0xFF;
        if (((nowCount - count) & 0xFF) > MAX_AGE_PERIODS) {
            return -1;
        }
        int h2 = (int) h(lHi, lLo, lPort, rHi, rLo, rPort, count);
        int index = (x - h2) & 0xFF_FFFF;
        return index < MSS_V4.length ? index : -1;
    }

    /**
     * Our SYN-ACK's TSval carrying the SYN's window scale ({@code -1} for none) and SACK-permitted in
     * its low bits; never later than {@code tsNow} so our timestamps stay monotonic.
     */
    static int encodeTsVal(int tsNow, int windowScale, boolean sackPermitted) {
        int bits = (windowScale < 0 ? NO_WSCALE : windowScale) | (sackPermitted ? SACK_BIT : 0);
        int ts = (tsNow & ~TS_OPTION_MASK) | bits;
        if (SeqNum.gt(ts, tsNow)) {
            ts -= 1 << TS_OPTION_BITS;
        }
        return ts;
    }

    /** The peer's window scale from an echoed TSecr, or -1 for none. */
    static int windowScaleFromTsEcr(int tsEcr) {
        int w = tsEcr & NO_WSCALE;
        return w == NO_WSCALE ? -1 : w;
    }

    static boolean sackFromTsEcr(int tsEcr) {
        return (tsEcr & SACK_BIT) != 0;
    }
}
