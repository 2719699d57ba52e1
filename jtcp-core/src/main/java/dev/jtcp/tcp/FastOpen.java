package dev.jtcp.tcp;

import dev.jtcp.wire.IpAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * TCP Fast Open (RFC 7413), the host-wide part: the mode, the server's cookie secret and the
 * client's cookie cache. Connections and listeners consult it; the per-connection part lives in
 * the {@link Tcb} ({@code fastOpenCookie}, {@code synData}).
 *
 * <p>The mode is Linux's {@code net.ipv4.tcp_fastopen} bit mask, so scripts written for Linux mean
 * the same here: {@link #CLIENT} 0x1, {@link #SERVER} 0x2, {@link #CLIENT_NO_COOKIE} 0x4 (send SYN
 * data without a cookie), {@link #SERVER_NO_COOKIE} 0x200 (accept SYN data without a cookie),
 * {@link #SERVER_ALL_LISTENERS} 0x400 (every listener does Fast Open with a queue of its backlog,
 * without {@code setsockopt(TCP_FASTOPEN)}). Linux's default is {@link #CLIENT}; jtcp's is off, so
 * nothing changes for a host that does not ask.
 *
 * <p>Cookies (RFC 7413 §4.1.2): a MAC of the client's and the server's addresses under a 16-byte
 * key. jtcp computes exactly what Linux (since 5.3) computes, SipHash-2-4 of the source address
 * then the destination address, keyed with the 16 key bytes as two little-endian words, the
 * 8-byte result sent little-endian, so a script that sets {@code tcp_fastopen_key} can predict the
 * cookie. The key is random per host unless set.
 *
 * <p>Deviation: Linux keeps a backup key for rotation and validates against both; jtcp has one key.
 *
 * <p>Not thread-safe: owned by one host's thread.
 */
public final class FastOpen {
    public static final int CLIENT = 0x1;
    public static final int SERVER = 0x2;
    public static final int CLIENT_NO_COOKIE = 0x4;
    public static final int SERVER_NO_COOKIE = 0x200;
    public static final int SERVER_ALL_LISTENERS = 0x400;
    /** The cookie length jtcp (like Linux) issues. */
    public static final int COOKIE_BYTES = 8;

    private int mode;
    private final byte[] key = new byte[16];
    private SipHash mac;
    private final long[] message = new long[4];
    /** The client's cache (RFC 7413 §4.1.3): per server, its last cookie, MSS and SYN-data losses. */
    private final Map<IpAddress, Server> servers = new HashMap<>();

    /** What the client remembers of one server. */
    private static final class Server {
        /** The last cookie it gave, or null. */
        byte[] cookie;
        /** The MSS option of its last SYN,ACK, or -1. */
        int mss = -1;
        /** SYNs with data to it that timed out in a row. */
        int synLosses;
        /** The cookie came in the experimental form (kind 254), so it goes back in that form. */
        boolean experimental;
        /**
         * Linux's try_exp: 0 ask in the RFC form (kind 34); 1 the server ignored that, ask in the
         * experimental form; 2 it ignored both, stop asking.
         */
        int tryExperimental;
    }

    /** Fast Open off, with a key drawn from {@code keySeed}'s bits. */
    public FastOpen(long keySeed0, long keySeed1) {
        for (int i = 0; i < 8; i++) {
            key[i] = (byte) (keySeed0 >>> (8 * i));
            key[8 + i] = (byte) (keySeed1 >>> (8 * i));
        }
        mac = new SipHash(keySeed0, keySeed1);
    }

    /** Linux's {@code net.ipv4.tcp_fastopen} bits. */
    public int mode() {
        return mode;
    }

    public void mode(int bits) {
        mode = bits;
    }

    public boolean has(int bit) {
        return (mode & bit) != 0;
    }

    /** Sets the server key: 16 bytes, as {@code setsockopt(TCP_FASTOPEN_KEY)} takes them. */
    public void key(byte[] sixteen) {
        if (sixteen.length != 16) {
            throw new IllegalArgumentException("a Fast Open key has 16 bytes, got " + sixteen.length);
        }
        System.arraycopy(sixteen, 0, key, 0, 16);
        mac = new SipHash(word(key, 0), word(key, 8));
    }

    /**
     * Sets the key from Linux's sysctl text, four 32-bit hex words {@code a-b-c-d}; each word is
     * stored little-endian, as Linux does.
     *
     * @throws IllegalArgumentException if the text is not four hex words
     */
    public void key(String hexWords) {
        String[] w = hexWords.strip().split("-");
        if (w.length != 4) {
            throw new IllegalArgumentException("a Fast Open key is four hex words a-b-c-d, got " + hexWords);
        }
        byte[] k = new byte[16];
        for (int i = 0; i < 4; i++) {
            int v = (int) Long.parseLong(w[i], 16);
            for (int b = 0; b < 4; b++) {
                k[4 * i + b] = (byte) (v >>> (8 * b));
            }
        }
        key(k);
    }

    /** The key in sysctl form. */
    public String keyText() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            int v = (key[4 * i] & 0xFF) | (key[4 * i + 1] & 0xFF) << 8 | (key[4 * i + 2] & 0xFF) << 16
                    | (key[4 * i + 3] & 0xFF) << 24;
            sb.append(i == 0 ? "" : "-").append(HexFormat.of().toHexDigits(v));
        }
        return sb.toString();
    }

    private static long word(byte[] b, int at) {
        long w = 0;
        for (int i = 0; i < 8; i++) {
            w |= (b[at + i] & 0xFFL) << (8 * i);
        }
        return w;
    }

    /**
     * The cookie for a client at {@code client} reaching us at {@code server} (RFC 7413 §4.1.2),
     * written into {@code out}; returns its length.
     */
    public int cookie(IpAddress client, IpAddress server, byte[] out) {
        long h;
        if (client.isV4()) {
            message[0] = Long.reverseBytes(((long) client.v4() << 32) | (server.v4() & 0xFFFFFFFFL));
            h = mac.hashWords(message, 1);
        } else {
            message[0] = Long.reverseBytes(client.hi());
            message[1] = Long.reverseBytes(client.lo());
            message[2] = Long.reverseBytes(server.hi());
            message[3] = Long.reverseBytes(server.lo());
            h = mac.hashWords(message, 4);
        }
        for (int i = 0; i < COOKIE_BYTES; i++) {
            out[i] = (byte) (h >>> (8 * i));
        }
        return COOKIE_BYTES;
    }

    /** Whether {@code cookie[0, length)} is the cookie we issue to {@code client} at {@code server}. */
    boolean isValid(IpAddress client, IpAddress server, byte[] cookie, int length) {
        if (length != COOKIE_BYTES) {
            return false;
        }
        byte[] expected = new byte[COOKIE_BYTES];
        cookie(client, server, expected);
        return Arrays.equals(expected, 0, COOKIE_BYTES, cookie, 0, COOKIE_BYTES);
    }

    /** The cached cookie for {@code server}, or null (RFC 7413 §4.1.3). */
    public byte[] cachedCookie(IpAddress server) {
        Server s = servers.get(server);
        return s == null ? null : s.cookie;
    }

    /** Remembers the cookie {@code server} gave us (an empty array forgets it). */
    public void cacheCookie(IpAddress server, byte[] cookie) {
        cacheCookie(server, cookie, false);
    }

    /** Remembers the cookie {@code server} gave us, in the form it used. */
    void cacheCookie(IpAddress server, byte[] cookie, boolean experimental) {
        Server s = servers.computeIfAbsent(server, k -> new Server());
        s.cookie = cookie.length == 0 ? null : cookie.clone();
        s.experimental = experimental;
        s.tryExperimental = 0;
    }

    /**
     * A SYN,ACK answered our cookie request without a cookie: the server may not know the form we
     * used. Ask in the experimental form next time; if that is ignored too, in the RFC form again
     * for good (Linux's try_exp, which only grows: 0 RFC form, 1 experimental, 2 RFC form).
     */
    void onCookieRequestIgnored(IpAddress server, boolean askedExperimental) {
        Server s = servers.computeIfAbsent(server, k -> new Server());
        if (s.cookie == null) {
            s.tryExperimental = Math.max(s.tryExperimental, askedExperimental ? 2 : 1);
        }
    }

    /** Whether the cookie or the request for {@code server} goes in the experimental form. */
    boolean useExperimental(IpAddress server) {
        Server s = servers.get(server);
        return s != null && (s.cookie != null ? s.experimental : s.tryExperimental == 1);
    }

    /** The MSS {@code server} announced last, or -1 (sizes the data of the next SYN). */
    int cachedMss(IpAddress server) {
        Server s = servers.get(server);
        return s == null ? -1 : s.mss;
    }

    void cacheMss(IpAddress server, int mss) {
        if (mss > 0) {
            servers.computeIfAbsent(server, k -> new Server()).mss = mss;
        }
    }

    /**
     * RFC 7413 §4.1.3.1: a SYN with data to {@code server} timed out (a middlebox may drop such
     * SYNs), or (false) one was acknowledged.
     */
    void onSynDataOutcome(IpAddress server, boolean lost) {
        Server s = servers.computeIfAbsent(server, k -> new Server());
        s.synLosses = lost ? s.synLosses + 1 : 0;
    }

    /**
     * Whether SYN data to {@code server} is off after repeated losses. Linux stops after two in a
     * row, for a time that grows with each; deviation: jtcp stops until a flush or a success
     * (a connection without data still asks for and refreshes the cookie).
     */
    boolean synDataBlocked(IpAddress server) {
        Server s = servers.get(server);
        return s != null && s.synLosses > 1;
    }

    /** Forgets everything cached about servers (Linux: {@code ip tcp_metrics flush}). */
    public void flushCookies() {
        servers.clear();
    }
}
