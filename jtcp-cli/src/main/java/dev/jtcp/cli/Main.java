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
        subcommands = {DemoCommand.class, TraceCommand.class, ServeCommand.class, ForwardCommand.class, ConnectCommand.class,
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
        // No @-files: picocli would read "@x" as a file of arguments, and throw on a directory.
        cl.setExpandAtFiles(false);
        cl.registerConverter(java.time.Duration.class, new Converters.DurationConverter());
        Failures.install(cl);
        return cl;
    }

    /** Prints the version and the git commit it was built from (build-info.properties, made at build time). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {describe(Main.class.getResourceAsStream("build-info.properties")),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }

        /** {@code jtcp 0.1.0-SNAPSHOT (commit 0123456789ab)}, from the build's properties if there are any. */
        static String describe(java.io.InputStream buildInfo) {
            java.util.Properties p = new java.util.Properties();
            if (buildInfo != null) {
                try (buildInfo) {
                    p.load(buildInfo);
                } catch (java.io.IOException e) {
                    p.clear();
                }
            }
            String version = p.getProperty("version", "(development build)");
            String commit = p.getProperty("commit", "unknown");
            String where = commit.equals("unknown") ? "commit unknown: not built from a git checkout"
                    : "commit " + commit + (Boolean.parseBoolean(p.getProperty("dirty")) ? " with local changes" : "");
            return "jtcp " + version + " (" + where + ")";
        }
    }
}
