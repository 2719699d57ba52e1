/**
 * The RFC 9293 engine, sans-IO: one {@link dev.jtcp.tcp.TcpConnection} per connection, split into
 * rooms by concern. Only the connection changes state; the parts share its {@code Tcb} and are
 * handed the collaborators they need, never the connection.
 *
 * <p>Reading order for a newcomer, with the RFC sections each file answers:
 *
 * <ol>
 *   <li>{@code TcpConnection}: RFC 9293 §3.10 event processing, in the RFC's order: OPEN, SEND,
 *       RECEIVE, CLOSE, ABORT, STATUS, SEGMENT ARRIVES (§3.10.7.1 CLOSED, §3.10.7.3 SYN-SENT,
 *       §3.10.7.4 the synchronized states: sequence check, RST, SYN, ACK, URG, text, FIN), the
 *       timeouts (§3.10.8; keep-alive §3.8.4, zero-window probing §3.8.6.1, R1/R2 §3.8.3), ICMP
 *       errors (§3.9.2.2), every transition through {@code setState}; RFC 5961 challenge ACKs and
 *       RFC 7323 PAWS at their steps.
 *   <li>{@code Tcb}: §3.3.1, the send and receive sequence variables and the negotiated options,
 *       each field with its invariant.
 *   <li>{@code Receiver}: §3.10.7.4's receiving steps: the acceptability table, trimming to the
 *       window, the urgent pointer (§3.8.5, RFC 6093), storing text, ECN marks (RFC 3168 §6.1.3).
 *   <li>{@code Sender}: §3.7 segmentation and Nagle (§3.7.4), sender and receiver SWS avoidance
 *       (§3.8.6.2), the advertised window (SHLD-14), delayed ACKs (§3.8.6.3) with Linux's quick-ACK
 *       mode, RST (with TSopt, RFC 7323 §3.2) and challenge ACK
 *       (RFC 5961 §7), zero-window and keep-alive probes, arming the retransmission timer (RFC 6298
 *       §5), ECT and CWR on new data (RFC 3168 §6.1.2, §6.1.5).
 *   <li>{@code SynOptions}: the handshake's options: MSS (§3.7.1, MUST-14..16, MUST-67), window
 *       scale and timestamps (RFC 7323), SACK-permitted (RFC 2018 §2), ECN setup (RFC 3168
 *       §6.1.1), the initial window.
 *   <li>{@code LossRecovery}, {@code DupAckRecovery}: duplicate ACKs and fast retransmit (RFC 5681
 *       §2, §3.2), NewReno (RFC 6582), SACK-based recovery (RFC 6675, over {@code SackScoreboard}),
 *       Limited Transmit (RFC 3042), Eifel (RFC 3522, RFC 4015). RACK (RFC 8985) and PRR (RFC
 *       6937) belong here.
 *   <li>{@code TailLossProbe}: RFC 8985 §7, the probe timeout and the probe.
 *   <li>{@code CongestionControl}, {@code NewReno}: RFC 5681 windows with RFC 6582's partial ACKs;
 *       CUBIC and BBR plug in beside NewReno.
 *   <li>{@code RttEstimator}: RFC 6298 (SRTT, RTTVAR, RTO, backoff, Karn's rule).
 *   <li>{@code TimerSet}: one deadline per timer kind, and the host's wake-up.
 *   <li>{@code ConnectionOptions}: the socket-option-like settings (SHLD-7 no-delay, MUST-24 keep-alive,
 *       MUST-48 TOS, MUST-21 user timeout, TCP_MAXSEG, SHLD-20 soft error reports, buffer sizes).
 *   <li>{@code SendBuffer}, {@code ReceiveBuffer}: the rings; out-of-order data waits in place and
 *       yields SACK blocks (RFC 2018). Both grow by autotuning up to {@code TcpConfig}'s maxima:
 *       {@code ReceiveAutotuner} (Linux's dynamic right-sizing: bytes read per receiver RTT), and
 *       twice the congestion window for the send buffer.
 *   <li>{@code TcpListener} (§3.10.7.2 LISTEN, MUST-11), {@code SynCookies} (RFC 4987), {@code
 *       TimeWaitEntry} (§3.6 TIME-WAIT, RFC 6191), {@code IsnGenerator} (§3.4.1, RFC 6528), {@code
 *       ChallengeAckLimiter} (RFC 5961 §7).
 *   <li>{@code TcpContext}: the whole boundary to the host; {@code TcpConfig}: the numbers.
 * </ol>
 *
 * <p>Where new mechanisms go: RACK-TLP and PRR as {@code LossRecovery} implementations or parts of
 * that room, CUBIC (with HyStart++) and BBR as {@code CongestionControl} implementations chosen in
 * {@code CongestionControl.forConnection}, pacing in {@code Sender}, F-RTO beside Eifel in the
 * recovery room. TCP Fast Open (RFC 7413): {@code FastOpen} (mode, key, cookies), the listener's
 * verdict, the option in {@code SynOptions}, the client's {@code TcpConnection.openFastOpen}.
 *
 * <p>Uses {@code event} and {@code wire} only: the engine never sees a host, a link or a thread. It
 * never sends, schedules or reads a clock itself; the host passes the time in and carries out what
 * the engine asks through {@code TcpContext}.
 *
 * <p>Thread-safety: none. One thread drives a host and every connection and listener on it.
 */
package dev.jtcp.tcp;
