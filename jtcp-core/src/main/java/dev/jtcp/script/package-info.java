/**
 * The packetdrill-language script runner ({@code jtcp script}): {@code Lexer}, {@code Parser} and
 * {@code Script} read a script; the {@code Interpreter} runs it against a {@code Target} with
 * packetdrill's timing rules, building the packets the script injects and matching the ones the
 * stack sends; {@link dev.jtcp.script.ScriptRunner} runs files and reports passed, failed, skipped or
 * expected failure. {@code JtcpTarget} is jtcp on virtual time with an emulated socket API ({@code
 * JtcpSockets}); {@code LinuxTarget} is the kernel in a private network namespace, for differential
 * runs.
 *
 * <p>Read first: {@link dev.jtcp.script.ScriptRunner}, then {@code Interpreter} and {@code Target};
 * the language is described in the workspace's {@code packetdrill-language.md}.
 *
 * <p>Uses {@code stack} (one host as the stack under test) and {@code trace} (the events shown when a
 * line fails), with what they use. A tool above the stack: nothing below depends on it.
 *
 * <p>Thread-safety: a runner runs one script at a time on the calling thread. {@code JtcpTarget} is
 * single-threaded on virtual time; {@code LinuxTarget} is the one place with processes, threads and
 * the wall clock.
 */
package dev.jtcp.script;
