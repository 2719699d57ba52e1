package dev.jtcp.tcp;

import java.time.Duration;

/**
 * Host-wide TCP settings. Immutable; build with {@link #builder()} or start from a profile: {@link
 * #defaults()} (RFC values where the RFCs give one, Linux's choices where they leave it open), {@link
 * #rfc()} (the RFCs' conservative numbers) or {@link #linux()} (what a Linux 6.x host does). Profiles
 * change numbers, never the rules of the state machine.
 *
 * @param defaultMssV4          send MSS assumed when an IPv4 peer sends no MSS option (RFC 9293 MUST-15: 536)
 * @param defaultMssV6          the same for IPv6 (MUST-15: 1220)
 * @param windowScaling         offer RFC 7323 window scaling
 * @param timestamps            offer RFC 7323 timestamps (RTTM and PAWS)
 * @param sack                  offer SACK-permitted (RFC 2018); as a receiver jtcp then reports SACK blocks
 * @param sendBufferBytes       send buffer per connection
 * @param receiveBufferBytes    receive buffer per connection; bounds the advertised window
 * @param initialRtoNs          RTO before any RTT sample (RFC 6298 §2.1: 1 s)
 * @param minRtoNs              lower bound on the RTO (RFC 6298 §2.4: 1 s; Linux 200 ms)
 * @param maxRtoNs              upper bound on the RTO (RFC 6298 §2.5: at least 60 s)
 * @param synRetransmitTimeoutNs give up an opening connection after this long (R2 for SYN, MUST-23: at least 3 minutes)
 * @param r1Retransmissions     retransmissions after which the connection is reported as struggling (R1, RFC 9293 §3.8.3: at least 3)
 * @param r2TimeoutNs           give up a synchronized connection after retransmitting for this long (R2: at least 100 s)
 * @param mslNs                 maximum segment lifetime; TIME-WAIT lasts 2×MSL (RFC 9293 §3.4.2 says 2 minutes; default 60 s)
 * @param delayedAckNs          longest an ACK is delayed (RFC 9293 §3.8.6.3, SHLD-18: under 0.5 s; RFC 1122 suggests 200 ms)
 * @param initialWindowSegments initial congestion window in segments (RFC 6928: 10; RFC 5681: about 3)
 * @param keepAliveIdleNs       idle time before the first keep-alive probe (MUST-27 region: at least 2 hours)
 * @param keepAliveIntervalNs   time between unanswered probes
 * @param keepAliveProbes       unanswered probes before the connection is dropped
 * @param finWait2TimeoutNs     how long an orphaned connection (application closed) waits in FIN-WAIT-2; 0 waits forever
 * @param challengeAckPerSecond RFC 5961 §7 rate limit on challenge ACKs, per host
 * @param synCookies            when to answer SYNs with SYN cookies (RFC 4987)
 * @param timeWaitReuse         accept a new SYN for a 4-tuple in TIME-WAIT when safe (MAY-2, RFC 6191)
 * @param timestampHz           rate of the TSval clock (RFC 7323 §5.4: 1 ms to 1 s per tick)
 * @param dupAckThreshold       duplicate ACKs that trigger fast retransmit (RFC 5681: 3)
 * @param ecn                   Explicit Congestion Notification (RFC 3168, SHLD-8): whether to ask for it, accept it, or neither
 * @param congestionControl     the congestion controller of new connections (Linux's {@code tcp_congestion_control})
 * @param rack                  RACK-TLP loss detection (RFC 8985) when the peer SACKs (Linux's {@code tcp_recovery} bit 0);
 *                              off: duplicate-ACK counting (RFC 5681, RFC 6675), which is also the fallback without SACK
 * @param invalidRateLimitNs    per connection, at most one challenge ACK or reply to an out-of-window segment in this
 *                              time (Linux's {@code net.ipv4.tcp_invalid_ratelimit}, 500 ms; 0: no per-connection limit)
 * @param synAckRetries         SYN,ACK retransmissions before a half-open connection is dropped (Linux's
 *                              {@code net.ipv4.tcp_synack_retries}, 5: given up about 63 s after the SYN)
 * @param quickAck              Linux's quick-ACK mode: acknowledge every segment at once (no delayed ACK) at the start of a
 *                              connection, after the receiver was idle longer than the RTO, and after out-of-order data,
 *                              for up to 16 segments (or half the receive window), while the sender may be in slow start
 * @param receiveBufferMaxBytes receive-buffer autotuning (Linux's tcp_rmem max): the buffer starts at {@code
 *                              receiveBufferBytes} and grows with the measured delivery rate up to this; at or below
 *                              {@code receiveBufferBytes} autotuning is off. An explicit SO_RCVBUF turns it off too
 * @param sendBufferMaxBytes    send-buffer autotuning (16 MiB; Linux's tcp_wmem max, 4 MiB, in linux()): the send buffer starts at {@code
 *                              sendBufferBytes} and grows to twice the congestion window, up to this; at or below {@code
 *                              sendBufferBytes} it is off. An explicit SO_SNDBUF turns it off too
 * @param frto                  F-RTO (RFC 5682, the SACK-enhanced algorithm; Linux's {@code tcp_frto=2}): after a
 *                              retransmission timeout, new data instead of more retransmissions until the next ACKs
 *                              show whether the timeout was spurious, and if so the window reduction is undone.
 *                              Runs with RACK-TLP ({@code rack}); off: every timeout is taken as real
 * @param pingPongAck           Linux's interactive ("ping-pong") ACK mode ({@code icsk_ack.pingpong}): once the
 *                              application answers within the delayed-ACK timeout of what it received, ACKs of later
 *                              text are delayed (quick-ACK credits unused) so the reply can carry them; a delayed-ACK
 *                              timeout that fires leaves the mode ({@link DelayedAckPolicy})
 * @param pushEachBurst         PSH on the last segment of every burst the send loop emits, and on a retransmission
 *                              that ends where the written data ends, as Linux's TSO packets carry it (MUST-61 asks only
 *                              for PSH at the end of what was written, jtcp's default)
 * @param resetCarriesAck       a RST sent by ABORT (close with unread data, a queued child of a closed listener) also
 *                              carries ACK=RCV.NXT, as Linux's {@code tcp_send_active_reset}; RFC 9293 §3.10.4 shows
 *                              {@code <SEQ=SND.NXT><CTL=RST>}, and a receiver takes either
 * @param cwndValidation        congestion-window validation as Linux's {@code tcp_is_cwnd_limited} (RFC 7661's idea):
 *                              cwnd grows only while the flight used it, the send loop stopped by cwnd, or in slow
 *                              start while cwnd is below twice the most bytes outstanding in the last window
 *                              ({@link CwndUse}); off: every ACK of new data grows cwnd (RFC 5681)
 * @param linuxRecovery         loss recovery's arithmetic as Linux's {@code tcp_input.c} does it where the RFCs differ:
 *                              Proportional Rate Reduction (RFC 6937) as {@code tcp_cwnd_reduction}, the fast retransmit
 *                              part of the first ACK's allowance (not sent before it is computed) and the slow-start
 *                              reduction bound's extra segment only on an ACK that advances SND.UNA and reveals no new
 *                              loss (the "SafeACK" of RFC 6937's revision); and without SACK, each duplicate ACK counts
 *                              one segment delivered ({@code tcp_add_reno_sack}), so the ACK that ends them grows the
 *                              window by the rest only. Off: the fast retransmit first, RFC 6937 §3 as written, and
 *                              the cumulative ACK counts all it acknowledges
 * @param sackGrowsWindow       an ACK that only SACKs new data (SND.UNA stays) grows the congestion window by what it
 *                              delivered, as an ACK of new data would (jtcp's default: RFC 6675 counts SACKed data as
 *                              delivered); off: only ACKs that advance SND.UNA do (RFC 5681 §3.1; Linux's {@code
 *                              tcp_may_raise_cwnd}, which lets SACKs grow it too once the path has reordered more
 *                              segments than the duplicate-ACK threshold, {@code tcpi_reordering})
 * @param hyStartDetect         how CUBIC's slow start ends early: 0, HyStart++ (RFC 9406, jtcp's default); 1, 2 or 3,
 *                              Linux's classic HyStart ({@link HyStart}) with its {@code hystart_detect} bits, 1 the ACK
 *                              train and 2 the delay increase (Linux's default is 3)
 * @param failureKeepsReceived  a connection that fails (RST, ICMP hard error, timeout) keeps the data it received
 *                              readable before the error is reported, and a child that fails before it is accepted
 *                              stays in the accept queue (its data and error for the application), as Linux's {@code
 *                              tcp_done}; a hard ICMP error in SYN-RECEIVED ends the child without a RST. Off: RFC 9293
 *                              §3.10.7.4, "all segment queues should be flushed"; the child is forgotten
 * @param synAckEchoCheck       in SYN-SENT, an ACK whose TSecr echoes no TSval of ours (none between the first
 *                              SYN's and now) is answered with a RST and dropped, the connection staying in SYN-SENT,
 *                              as Linux ({@code PAWSActiveRejected}); RFC 7323 has no such check (off: accepted)
 * @param synDataOnlyFastOpen   the data on a peer's SYN is kept only when Fast Open accepts it (a valid cookie, or a
 *                              SYN,ACK answering ours); a plain SYN's data, passive or in a simultaneous open, is
 *                              dropped for the peer to send again, as Linux; and in a simultaneous open the peer's
 *                              SYN,ACK, a duplicate of the SYN we have, is answered at once with a D-SACK of it (RFC
 *                              2883), as Linux. Off: RFC 9293 §3.10.7.2 and §3.10.7.3 queue the data for delivery
 *                              once the connection is established; the SYN,ACK completes the handshake silently
 * @param tsoMinSegs            Linux's TSO packet model ({@link TsoSizing}), 0: off. When on, the send loop builds its
 *                              segments as Linux's {@code tcp_write_xmit} sizes TSO packets ({@code tcp_tso_autosize}:
 *                              about 1 ms of the pacing rate, at least this many segments, {@code net.ipv4.tcp_min_tso_segs};
 *                              at most half the congestion window, {@code tcp_cwnd_test}), sends each as one super-packet
 *                              (cut by links without offload) and sets PSH on each, as Linux 6.x does
 * @param notSentLowatBytes     the host's TCP_NOTSENT_LOWAT (Linux's {@code net.ipv4.tcp_notsent_lowat}): a socket is
 *                              writable only while fewer bytes than this are unsent; {@link Integer#MAX_VALUE}: no limit
 * @param writeAccounting       Linux's send-buffer accounting ({@link WriteAccounting}): a write takes what Linux's {@code
 *                              tcp_sendmsg} would, skb by skb of the size goal, while the queued bytes with their skb
 *                              overhead stay below SO_SNDBUF and the unsent bytes below the not-sent low-water mark;
 *                              off: the send buffer's free space
 * @param rtoVarianceFloor      Linux's RTO ({@code tcp_set_rto}): SRTT plus the variance term, which is at least {@code
 *                              minRtoNs} (210 ms on a 10 ms path); off: RFC 6298 §2.4, the whole RTO at least {@code minRtoNs}
 * @param linuxWindowProbes     Linux's probe timer ({@code tcp_probe_timer}): zero-window probes carry no data ({@code
 *                              tcp_xmit_probe_skb}: SEQ=SND.UNA-1, as a keep-alive), and a piece the peer's window cuts
 *                              below a full segment waits for the timer even with nothing in flight, which then sends what
 *                              fits ({@code tcp_write_wakeup}); off: RFC 9293 §3.8.6.1's one octet of new data, and the
 *                              piece goes at once when nothing is in flight (an SWS override timeout of zero)
 * @param bbrLossTolerant       how {@link CongestionAlgorithm#BBR} reads loss. On (the default), as Linux's mainline
 *                              {@code bbr} (BBRv1): loss does not lower the path model; a loss episode takes only the
 *                              lost bytes off cwnd, which then grows back to the model's target (no round of packet
 *                              conservation), and it probes for bandwidth every few rounds, so random (non-congestive)
 *                              loss costs little. Off: draft-ietf-ccwg-bbr (BBRv3): a round with loss outside a
 *                              bandwidth probe cuts bw_lo and inflight_lo by 30%, loss above 2% per round caps
 *                              inflight_hi and ends Startup, recovery conserves packets for a round; it loses less at
 *                              a shallow-buffered bottleneck, but reads random loss of 1% or more as congestion
 * @param rackFirstLossWait     RACK's first loss decision of a connection waits a reordering window of half the
 *                              minimum RTT, also when DupThresh segments are SACKed ({@link Rack}; a deviation from
 *                              RFC 8985 §6.2, so that the first reordering is not taken for loss; the default, as it
 *                              removes the spurious retransmissions of `jtcp bench loss`'s reordering case and
 *                              costs nothing measurable under random loss); off: RFC 8985's window from the start,
 *                              as Linux ({@link #linux()} and {@link #rfc()}, and scripts that set {@code
 *                              net.ipv4.tcp_recovery} without bit 2)
 * @param minshallNagle         Nagle's algorithm as Linux has it, Minshall's variant ({@code tcp_nagle_check},
 *                              {@code tcp_minshall_check}): a short segment is held only while an earlier short
 *                              segment (less than the MSS) is unacknowledged, so the short tail of a write goes at
 *                              once behind full segments in flight; off: RFC 9293 §3.7.4 (RFC 896), held while any
 *                              data is unacknowledged
 * @param tailLossProbes        RACK-TLP's tail loss probes (RFC 8985 §7): a probe timeout of about 2 × SRTT when the
 *                              tail of a flight may be lost; off: the RTO alone (Linux's {@code tcp_early_retrans=0})
 * @param slowStartAfterIdle    after an idle period longer than the RTO the window restarts from the initial window
 *                              (RFC 5681 §4.1, Linux's {@code tcp_slow_start_after_idle=1}); off: the window is kept
 *                              (BBR still marks its idle restart)
 * @param rackNoDupThresh       outside loss recovery, RACK's reordering window stays a quarter of the minimum RTT
 *                              also when DupThresh segments are SACKed and no reordering has been seen (Linux's {@code
 *                              net.ipv4.tcp_recovery} bit 2, {@code TCP_RACK_NO_DUPTHRESH}; a deviation from RFC 8985
 *                              §6.2, which zeroes it there): a loss is decided after the ACKs that arrived with the one
 *                              revealing it, so the episode's recovery point covers what they released and fewer
 *                              episodes halve the window under random loss (jtcp's default; `jtcp bench loss` measured
 *                              2-3% more goodput at 3-5% loss, {@code --rfc8985-window} turns it off there); off: RFC
 *                              8985's window, as Linux's default ({@link #linux()} and {@link #rfc()})
 * @param rackRecoveryProbe     in fast recovery, when retransmissions are in the network, nothing deemed lost waits to be
 *                              resent and no data is left to send, a tail loss probe (RFC 8985 §7.3, the last segment
 *                              not SACKed) goes after the PTO instead of waiting for the RTO: nothing sent after those
 *                              retransmissions can be delivered, so RACK cannot find them lost (jtcp's default; a
 *                              deviation from RFC 8985 §7.2, which schedules no probe in recovery, as Linux; off in
 *                              {@link #linux()} and {@link #rfc()})
 */
public record TcpConfig(
        int defaultMssV4,
        int defaultMssV6,
        boolean windowScaling,
        boolean timestamps,
        boolean sack,
        int sendBufferBytes,
        int receiveBufferBytes,
        long initialRtoNs,
        long minRtoNs,
        long maxRtoNs,
        long synRetransmitTimeoutNs,
        int r1Retransmissions,
        long r2TimeoutNs,
        long mslNs,
        long delayedAckNs,
        int initialWindowSegments,
        long keepAliveIdleNs,
        long keepAliveIntervalNs,
        int keepAliveProbes,
        long finWait2TimeoutNs,
        int challengeAckPerSecond,
        SynCookieMode synCookies,
        boolean timeWaitReuse,
        int timestampHz,
        int dupAckThreshold,
        EcnMode ecn,
        CongestionAlgorithm congestionControl,
        boolean rack,
        long invalidRateLimitNs,
        int synAckRetries,
        boolean quickAck,
        int receiveBufferMaxBytes,
        int sendBufferMaxBytes,
        boolean frto,
        boolean pingPongAck,
        boolean pushEachBurst,
        boolean resetCarriesAck,
        boolean cwndValidation,
        boolean linuxRecovery,
        boolean sackGrowsWindow,
        int hyStartDetect,
        boolean failureKeepsReceived,
        boolean synAckEchoCheck,
        boolean synDataOnlyFastOpen,
        int tsoMinSegs,
        int notSentLowatBytes,
        boolean writeAccounting,
        boolean rtoVarianceFloor,
        boolean linuxWindowProbes,
        boolean bbrLossTolerant,
        boolean rackFirstLossWait,
        boolean minshallNagle,
        boolean tailLossProbes,
        boolean slowStartAfterIdle,
        boolean rackNoDupThresh,
        boolean rackRecoveryProbe) {

    /** When a listener answers with SYN cookies instead of keeping state. */
    public enum SynCookieMode {
        /** Never: when the SYN queue is full, new SYNs are dropped. */
        OFF,
        /** Only when the listener's SYN queue is full (Linux's default). */
        ON_OVERFLOW,
        /** For every SYN (testing). */
        ALWAYS
    }

    /** Whether connections use Explicit Congestion Notification (RFC 3168). */
    public enum EcnMode {
        /** Never: SYNs do not ask for ECN, and a peer's request is declined. */
        OFF,
        /** When the peer asks in its SYN (Linux's default, {@code net.ipv4.tcp_ecn=2}). */
        ACCEPT,
        /** Ask for ECN on every active open, and accept it on passive ones ({@code tcp_ecn=1}). */
        ON
    }

    /** The congestion controllers a connection can run. */
    public enum CongestionAlgorithm {
        /** Reno with NewReno's partial ACKs (RFC 5681, RFC 6582): the textbook; halves on loss, +1 MSS per RTT. */
        RENO,
        /** CUBIC (RFC 9438) with HyStart++ (RFC 9406): Linux's default loss-based controller. */
        CUBIC,
        /** BBR (draft-ietf-ccwg-bbr, v3): a model of bandwidth and RTT; random loss is not read as congestion. */
        BBR;

        /** The name Linux uses ({@code reno}, {@code cubic}, {@code bbr}). */
        public String linuxName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Parses a Linux name ({@code reno}, {@code cubic}, {@code bbr}), any case. */
        public static CongestionAlgorithm parse(String name) {
            for (CongestionAlgorithm a : values()) {
                if (a.linuxName().equalsIgnoreCase(name.strip())) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown congestion control '" + name + "' (reno, cubic or bbr)");
        }
    }

    public TcpConfig {
        require(defaultMssV4 >= 88, "defaultMssV4 must be at least 88");
        require(defaultMssV6 >= 88, "defaultMssV6 must be at least 88");
        require(sendBufferBytes >= 1024, "sendBufferBytes must be at least 1024");
        require(receiveBufferBytes >= 1024, "receiveBufferBytes must be at least 1024");
        require(minRtoNs > 0 && initialRtoNs >= minRtoNs && maxRtoNs >= initialRtoNs,
                "need 0 < minRto <= initialRto <= maxRto");
        require(mslNs >= 0, "msl must not be negative");
        require(delayedAckNs >= 0 && delayedAckNs < 500_000_000L, "delayed ACK must be below 0.5 s (RFC 9293 SHLD-18)");
        require(initialWindowSegments >= 1, "initial window must be at least one segment");
        require(keepAliveProbes >= 1, "keepAliveProbes must be at least 1");
        require(timestampHz >= 1 && timestampHz <= 1000, "timestampHz must be 1..1000 (RFC 7323 §5.4)");
        require(dupAckThreshold >= 1, "dupAckThreshold must be at least 1");
        require(challengeAckPerSecond >= 1, "challengeAckPerSecond must be at least 1");
        require(ecn != null, "ecn must not be null");
        require(congestionControl != null, "congestionControl must not be null");
        require(invalidRateLimitNs >= 0, "invalidRateLimit must not be negative");
        require(synAckRetries >= 0, "synAckRetries must not be negative");
        require(receiveBufferMaxBytes >= 1024, "receiveBufferMaxBytes must be at least 1024");
        require(sendBufferMaxBytes >= 1024, "sendBufferMaxBytes must be at least 1024");
        require(hyStartDetect >= 0 && hyStartDetect <= 3, "hyStartDetect must be 0..3");
        require(tsoMinSegs >= 0 && tsoMinSegs <= 255, "tsoMinSegs must be 0 (off) to 255");
        require(notSentLowatBytes > 0, "notSentLowatBytes must be positive");
    }

    /** Whether the receive buffer grows with the delivery rate (its maximum lies above its start). */
    public boolean receiveAutotuning() {
        return receiveBufferMaxBytes > receiveBufferBytes;
    }

    /** The largest a connection's receive buffer may become: the autotuning maximum, else its fixed size. */
    public int receiveBufferCeilingBytes() {
        return receiveAutotuning() ? receiveBufferMaxBytes : receiveBufferBytes;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    /**
     * jtcp's defaults: the RFC where it sets a number (initial RTO 1 s, MSS defaults, R2, keep-alive
     * 2 h), and Linux's well-proven choices where it leaves room (minimum RTO 200 ms, delayed ACK
     * 40 ms, initial window 10, quick-ACK mode, buffers of 256 KiB autotuned up to 6 MiB to receive
     * and 16 MiB to send, so window scale 7). Linux's tcp_wmem stops at 4 MiB, which a BBR sender at
     * 100 MB/s over 10 ms of delay and 3% loss fills with data held behind one hole; the buffer grows
     * only with the congestion window, so a slow connection never takes more. A delayed ACK as long as
     * the minimum RTO would make the sender retransmit spuriously on short paths. MSL is 60 s, so
     * TIME-WAIT lasts two minutes.
     */
    public static TcpConfig defaults() {
        return new TcpConfig(536, 1220, true, true, true, 256 * 1024, 256 * 1024,
                1 * S, 200 * MS, 120 * S, 180 * S, 3, 100 * S, 60 * S, 40 * MS, 10,
                7200 * S, 75 * S, 9, 60 * S, 1000, SynCookieMode.ON_OVERFLOW, true, 1000, 3, EcnMode.ACCEPT,
                CongestionAlgorithm.CUBIC, true, 500 * MS, 5, true, 6 << 20, 16 << 20, true, false, false, false, true,
                false, true, 0,
                false, false, false,
                0, Integer.MAX_VALUE, false, false, false,
                true,
                true,
                false,
                true,
                true,
                true, true);
    }

    /**
     * The RFCs' own numbers: minimum RTO 1 s (RFC 6298), MSL 2 minutes (RFC 9293 §3.4.2), IW 3 (RFC
     * 5681), delayed ACK 200 ms (RFC 1122 §4.2.3.2), RFC 5681's Reno, and the RFCs' mechanisms alone: no quick-ACK
     * mode (the delayed-ACK rules of §3.8.6.3 only), fixed 256 KiB buffers (no autotuning, so the
     * window scale is 3), no congestion-window validation (RFC 5681 grows cwnd on every ACK of new
     * data), and no growth on ACKs that only SACK (RFC 5681 §3.1 counts cumulative ACKs).
     */
    public static TcpConfig rfc() {
        return defaults().toBuilder().minRto(Duration.ofSeconds(1)).msl(Duration.ofMinutes(2)).initialWindowSegments(3)
                .delayedAck(Duration.ofMillis(200)).quickAck(false).receiveBufferMaxBytes(256 * 1024)
                .sendBufferMaxBytes(256 * 1024).congestionControl(CongestionAlgorithm.RENO).cwndValidation(false)
                .sackGrowsWindow(false).rackFirstLossWait(false).rackNoDupThresh(false).rackRecoveryProbe(false).build();
    }

    /**
     * Linux 6.x: minimum RTO 200 ms, delayed ACK 40 ms (Linux adapts it between 40 and 200 ms), IW
     * 10, TIME-WAIT 60 s (so MSL 30 s), SYN retries giving up after about 127 s, FIN-WAIT-2 timeout
     * 60 s; its interactive ACK mode, PSH on every burst and ACK on active resets (the segments its packetdrill
     * suite expects), its loss-recovery arithmetic ({@code linuxRecovery}: PRR, duplicate ACKs without SACK,
     * the RTO's variance floor), no window growth on ACKs that only SACK, and CUBIC's classic HyStart
     * (hystart_detect 3), received data that outlives a reset, its TSO packet sizes (tcp_min_tso_segs 2), its
     * send-buffer accounting for writes, its window probes, Minshall's variant of Nagle, and tcp_wmem's 4 MiB.
     */
    public static TcpConfig linux() {
        return defaults().toBuilder().synRetransmitTimeout(Duration.ofSeconds(127)).msl(Duration.ofSeconds(30))
                .pingPongAck(true).pushEachBurst(true).resetCarriesAck(true).linuxRecovery(true).hyStartDetect(3)
                .sackGrowsWindow(false).failureKeepsReceived(true).synAckEchoCheck(true).synDataOnlyFastOpen(true)
                .tsoMinSegs(2).writeAccounting(true).rtoVarianceFloor(true).linuxWindowProbes(true)
                .minshallNagle(true).rackFirstLossWait(false).rackNoDupThresh(false).rackRecoveryProbe(false)
                .sendBufferMaxBytes(4 << 20).build();
    }

    /** 2×MSL, how long TIME-WAIT lasts. */
    public long timeWaitNs() {
        return 2 * mslNs;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder(defaults());
    }

    /** Builds a {@link TcpConfig}; every setter validates when {@link #build()} is called. */
    public static final class Builder {
        private int defaultMssV4;
        private int defaultMssV6;
        private boolean windowScaling;
        private boolean timestamps;
        private boolean sack;
        private int sendBufferBytes;
        private int receiveBufferBytes;
        private long initialRtoNs;
        private long minRtoNs;
        private long maxRtoNs;
        private long synRetransmitTimeoutNs;
        private int r1Retransmissions;
        private long r2TimeoutNs;
        private long mslNs;
        private long delayedAckNs;
        private int initialWindowSegments;
        private long keepAliveIdleNs;
        private long keepAliveIntervalNs;
        private int keepAliveProbes;
        private long finWait2TimeoutNs;
        private int challengeAckPerSecond;
        private SynCookieMode synCookies;
        private boolean timeWaitReuse;
        private int timestampHz;
        private int dupAckThreshold;
        private EcnMode ecn;
        private CongestionAlgorithm congestionControl;
        private boolean rack;
        private long invalidRateLimitNs;
        private int synAckRetries;
        private boolean quickAck;
        private int receiveBufferMaxBytes;
        private int sendBufferMaxBytes;
        private boolean frto;
        private boolean pingPongAck;
        private boolean pushEachBurst;
        private boolean resetCarriesAck;
        private boolean cwndValidation;
        private boolean linuxRecovery;
        private boolean sackGrowsWindow;
        private int hyStartDetect;
        private boolean failureKeepsReceived;
        private boolean synAckEchoCheck;
        private boolean synDataOnlyFastOpen;
        private int tsoMinSegs;
        private int notSentLowatBytes;
        private boolean writeAccounting;
        private boolean rtoVarianceFloor;
        private boolean linuxWindowProbes;
        private boolean bbrLossTolerant;
        private boolean rackFirstLossWait;
        private boolean minshallNagle;
        private boolean tailLossProbes;
        private boolean slowStartAfterIdle;
        private boolean rackNoDupThresh;
        private boolean rackRecoveryProbe;

        private Builder(TcpConfig c) {
            defaultMssV4 = c.defaultMssV4;
            defaultMssV6 = c.defaultMssV6;
            windowScaling = c.windowScaling;
            timestamps = c.timestamps;
            sack = c.sack;
            sendBufferBytes = c.sendBufferBytes;
            receiveBufferBytes = c.receiveBufferBytes;
            initialRtoNs = c.initialRtoNs;
            minRtoNs = c.minRtoNs;
            maxRtoNs = c.maxRtoNs;
            synRetransmitTimeoutNs = c.synRetransmitTimeoutNs;
            r1Retransmissions = c.r1Retransmissions;
            r2TimeoutNs = c.r2TimeoutNs;
            mslNs = c.mslNs;
            delayedAckNs = c.delayedAckNs;
            initialWindowSegments = c.initialWindowSegments;
            keepAliveIdleNs = c.keepAliveIdleNs;
            keepAliveIntervalNs = c.keepAliveIntervalNs;
            keepAliveProbes = c.keepAliveProbes;
            finWait2TimeoutNs = c.finWait2TimeoutNs;
            challengeAckPerSecond = c.challengeAckPerSecond;
            synCookies = c.synCookies;
            timeWaitReuse = c.timeWaitReuse;
            timestampHz = c.timestampHz;
            dupAckThreshold = c.dupAckThreshold;
            ecn = c.ecn;
            congestionControl = c.congestionControl;
            rack = c.rack;
            invalidRateLimitNs = c.invalidRateLimitNs;
            synAckRetries = c.synAckRetries;
            quickAck = c.quickAck;
            receiveBufferMaxBytes = c.receiveBufferMaxBytes;
            sendBufferMaxBytes = c.sendBufferMaxBytes;
            frto = c.frto;
            pingPongAck = c.pingPongAck;
            pushEachBurst = c.pushEachBurst;
            resetCarriesAck = c.resetCarriesAck;
            cwndValidation = c.cwndValidation;
            linuxRecovery = c.linuxRecovery;
            sackGrowsWindow = c.sackGrowsWindow;
            hyStartDetect = c.hyStartDetect;
            failureKeepsReceived = c.failureKeepsReceived;
            synAckEchoCheck = c.synAckEchoCheck;
            synDataOnlyFastOpen = c.synDataOnlyFastOpen;
            tsoMinSegs = c.tsoMinSegs;
            notSentLowatBytes = c.notSentLowatBytes;
            writeAccounting = c.writeAccounting;
            rtoVarianceFloor = c.rtoVarianceFloor;
            linuxWindowProbes = c.linuxWindowProbes;
            bbrLossTolerant = c.bbrLossTolerant;
            rackFirstLossWait = c.rackFirstLossWait;
            minshallNagle = c.minshallNagle;
            tailLossProbes = c.tailLossProbes;
            slowStartAfterIdle = c.slowStartAfterIdle;
            rackNoDupThresh = c.rackNoDupThresh;
            rackRecoveryProbe = c.rackRecoveryProbe;
        }

        public Builder defaultMss(int v4, int v6) { defaultMssV4 = v4; defaultMssV6 = v6; return this; }
        public Builder windowScaling(boolean on) { windowScaling = on; return this; }
        public Builder timestamps(boolean on) { timestamps = on; return this; }
        public Builder sack(boolean on) { sack = on; return this; }
        public Builder sendBufferBytes(int bytes) { sendBufferBytes = bytes; return this; }
        public Builder receiveBufferBytes(int bytes) { receiveBufferBytes = bytes; return this; }
        public Builder initialRto(Duration d) { initialRtoNs = d.toNanos(); return this; }
        public Builder minRto(Duration d) { minRtoNs = d.toNanos(); return this; }
        public Builder maxRto(Duration d) { maxRtoNs = d.toNanos(); return this; }
        public Builder synRetransmitTimeout(Duration d) { synRetransmitTimeoutNs = d.toNanos(); return this; }
        public Builder r1Retransmissions(int n) { r1Retransmissions = n; return this; }
        public Builder r2Timeout(Duration d) { r2TimeoutNs = d.toNanos(); return this; }
        public Builder msl(Duration d) { mslNs = d.toNanos(); return this; }
        public Builder delayedAck(Duration d) { delayedAckNs = d.toNanos(); return this; }
        public Builder initialWindowSegments(int n) { initialWindowSegments = n; return this; }
        public Builder keepAlive(Duration idle, Duration interval, int probes) {
            keepAliveIdleNs = idle.toNanos();
            keepAliveIntervalNs = interval.toNanos();
            keepAliveProbes = probes;
            return this;
        }
        public Builder finWait2Timeout(Duration d) { finWait2TimeoutNs = d.toNanos(); return this; }
        public Builder challengeAckPerSecond(int n) { challengeAckPerSecond = n; return this; }
        public Builder synCookies(SynCookieMode mode) { synCookies = mode; return this; }
        public Builder timeWaitReuse(boolean on) { timeWaitReuse = on; return this; }
        public Builder timestampHz(int hz) { timestampHz = hz; return this; }
        public Builder dupAckThreshold(int n) { dupAckThreshold = n; return this; }
        public Builder ecn(EcnMode mode) { ecn = mode; return this; }
        public Builder congestionControl(CongestionAlgorithm a) { congestionControl = a; return this; }
        public Builder rack(boolean on) { rack = on; return this; }
        public Builder invalidRateLimit(Duration d) { invalidRateLimitNs = d.toNanos(); return this; }
        public Builder synAckRetries(int n) { synAckRetries = n; return this; }
        public Builder quickAck(boolean on) { quickAck = on; return this; }
        public Builder receiveBufferMaxBytes(int bytes) { receiveBufferMaxBytes = bytes; return this; }
        public Builder sendBufferMaxBytes(int bytes) { sendBufferMaxBytes = bytes; return this; }
        public Builder frto(boolean on) { frto = on; return this; }
        public Builder pingPongAck(boolean on) { pingPongAck = on; return this; }
        public Builder pushEachBurst(boolean on) { pushEachBurst = on; return this; }
        public Builder resetCarriesAck(boolean on) { resetCarriesAck = on; return this; }
        public Builder cwndValidation(boolean on) { cwndValidation = on; return this; }
        public Builder linuxRecovery(boolean on) { linuxRecovery = on; return this; }
        public Builder sackGrowsWindow(boolean on) { sackGrowsWindow = on; return this; }
        public Builder hyStartDetect(int bits) { hyStartDetect = bits; return this; }
        public Builder failureKeepsReceived(boolean on) { failureKeepsReceived = on; return this; }
        public Builder synAckEchoCheck(boolean on) { synAckEchoCheck = on; return this; }
        public Builder synDataOnlyFastOpen(boolean on) { synDataOnlyFastOpen = on; return this; }
        public Builder tsoMinSegs(int segs) { tsoMinSegs = segs; return this; }
        public Builder notSentLowatBytes(int bytes) { notSentLowatBytes = bytes; return this; }
        public Builder writeAccounting(boolean on) { writeAccounting = on; return this; }
        public Builder rtoVarianceFloor(boolean on) { rtoVarianceFloor = on; return this; }
        public Builder linuxWindowProbes(boolean on) { linuxWindowProbes = on; return this; }
        public Builder bbrLossTolerant(boolean on) { bbrLossTolerant = on; return this; }
        public Builder rackFirstLossWait(boolean on) { rackFirstLossWait = on; return this; }
        public Builder minshallNagle(boolean on) { minshallNagle = on; return this; }
        public Builder tailLossProbes(boolean on) { tailLossProbes = on; return this; }
        public Builder slowStartAfterIdle(boolean on) { slowStartAfterIdle = on; return this; }
        public Builder rackNoDupThresh(boolean on) { rackNoDupThresh = on; return this; }
        public Builder rackRecoveryProbe(boolean on) { rackRecoveryProbe = on; return this; }

        public TcpConfig build() {
            return new TcpConfig(defaultMssV4, defaultMssV6, windowScaling, timestamps, sack, sendBufferBytes,
                    receiveBufferBytes, initialRtoNs, minRtoNs, maxRtoNs, synRetransmitTimeoutNs, r1Retransmissions,
                    r2TimeoutNs, mslNs, delayedAckNs, initialWindowSegments, keepAliveIdleNs, keepAliveIntervalNs,
                    keepAliveProbes, finWait2TimeoutNs, challengeAckPerSecond, synCookies, timeWaitReuse, timestampHz,
                    dupAckThreshold, ecn, congestionControl, rack, invalidRateLimitNs, synAckRetries, quickAck,
                    receiveBufferMaxBytes, sendBufferMaxBytes, frto, pingPongAck, pushEachBurst, resetCarriesAck,
                    cwndValidation, linuxRecovery, sackGrowsWindow, hyStartDetect,
                    failureKeepsReceived, synAckEchoCheck, synDataOnlyFastOpen,
                    tsoMinSegs, notSentLowatBytes, writeAccounting, rtoVarianceFloor, linuxWindowProbes,
                    bbrLossTolerant,
                    rackFirstLossWait,
                    minshallNagle,
                    tailLossProbes,
                    slowStartAfterIdle,
                    rackNoDupThresh, rackRecoveryProbe);
        }
    }
}
