/**
 * Packet formats: zero-copy views over buffers, parsed representations, sequence numbers and
 * checksums. No I/O, no time, no dependencies beyond the JDK.
 */
package dev.jtcp.wire;
