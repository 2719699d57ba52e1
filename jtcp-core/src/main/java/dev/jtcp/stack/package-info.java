/**
 * The host around the TCP engine: addresses and MTU, the receive path (IP checks, checksum,
 * demultiplexing by 4-tuple, TIME-WAIT records, listeners, RST for segments that match nothing), the
 * transmit path (building packets in place), ephemeral ports, drop counters and the timer wheel.
 * Sans-IO like the engine: every call takes the time, and the host says when to call it next.
 */
package dev.jtcp.stack;
