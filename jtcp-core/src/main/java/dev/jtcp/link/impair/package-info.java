/**
 * Network impairments: what a link does to packets, described and applied. {@link
 * dev.jtcp.link.impair.Impairments} is the description (delay, jitter, rate and queue, Bernoulli
 * and Gilbert–Elliott loss, reordering, duplication, corruption, ECN marking), parsed from and
 * printed as the CLI's {@code --impair} spec; {@link dev.jtcp.link.impair.FaultInjector} applies it
 * to a stream of packets with a seeded random source and reports each decision as a {@link
 * dev.jtcp.link.impair.DropCause} or a {@link dev.jtcp.link.impair.Fault}.
 *
 * <p>Read first: {@link dev.jtcp.link.impair.Impairments}, then {@link
 * dev.jtcp.link.impair.FaultInjector} (its class comment gives the order in which faults apply).
 *
 * <p>Uses {@code wire} only (the IPv4 header checksum, rewritten when a packet is marked CE). The
 * simulator ({@code link.sim}) and the real-time {@code link.ImpairedLink} both build on it; it
 * knows neither.
 *
 * <p>Thread-safety: {@code Impairments} is immutable; a {@code FaultInjector} belongs to the one
 * thread that feeds it, which passes the time in. The same seed and inputs give the same decisions.
 */
package dev.jtcp.link.impair;
