package dev.jtcp.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jtcp} command. Each subcommand lives in its own class; this one only wires them up.
 */
@Command(name = "jtcp", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"A userspace TCP/IP stack for the JVM that shows how TCP really works.", ""},
        subcommands = {DemoCommand.class, TraceCommand.class, ServeCommand.class, ConnectCommand.class,
                GetCommand.class, ScriptCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run 'jtcp COMMAND --help' for a command's options."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        // Diagrams and explanations use a few non-ASCII characters (§, ×); write UTF-8 whatever the locale.
        cl.setOut(new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                StandardCharsets.UTF_8), true));
        System.exit(cl.execute(args));
    }

    /** The configured command line (tests execute it directly). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** Prints the build's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jtcp " + (v == null ? "(development build)" : v),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
