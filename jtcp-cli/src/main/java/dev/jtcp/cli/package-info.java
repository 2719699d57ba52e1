/**
 * The {@code jtcp} command (module jtcp-cli, with picocli): {@link dev.jtcp.cli.Main} wires one class
 * per subcommand: {@code demo} (scenarios and their ladders), {@code trace} (capture analysis),
 * {@code script} (the packetdrill-language runner), {@code serve} and {@code connect} and {@code get}
 * (jtcp on a TUN device, beside the kernel), and {@code bench} (what the engine costs).
 *
 * <p>Read first: {@link dev.jtcp.cli.Main}, then the subcommand you care about; {@link
 * dev.jtcp.cli.TunOptions} is what every command on a TUN device shares; {@link dev.jtcp.cli.Failures},
 * {@link dev.jtcp.cli.Converters}, {@link dev.jtcp.cli.Progress} and {@link dev.jtcp.cli.Addresses}
 * are how every command reports errors, reads values, shows progress and prints endpoints.
 *
 * <p>Uses any package of jtcp-core (it is the top of the layers), and picocli.
 *
 * <p>Thread-safety: each command runs on the main thread; the servers hand each connection to a
 * virtual thread and reach the stack only through the thread-safe {@code api}.
 */
package dev.jtcp.cli;
