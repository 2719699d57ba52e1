/**
 * The vocabulary shared by the engine and everything that watches it: the RFC 9293 states, timer
 * kinds, connection keys, and the trace events the engine and host emit. Depends on {@code wire}
 * only, so renderers ({@code trace}) never see engine internals.
 */
package dev.jtcp.event;
