package dev.jtcp.scenario;

/**
 * One packet as a capture on its sender would record it: when it left, and its IP bytes (raw IP,
 * no link header).
 *
 * @param timeNs virtual time, nanoseconds from the start of the scenario
 * @param bytes  the IP packet; not copied, do not modify
 */
public record Frame(long timeNs, byte[] bytes) {}
