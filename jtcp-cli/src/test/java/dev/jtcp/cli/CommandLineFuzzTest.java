package dev.jtcp.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Fuzzes the values the {@code jtcp} command line takes: a subcommand, then options of that
 * command with fuzzed values (durations, probabilities, ports, sizes, addresses with prefix
 * lengths, MTUs, interface names, enums, {@code --impair} specs) and a fuzzed positional, parsed by
 * picocli with jtcp's converters, then checked as the command checks them before it creates
 * anything ({@link TunOptions#validate()}). A bad value must become picocli's
 * {@link ParameterException} or jtcp's {@link Failures.UsageException} (both exit 2 with one line),
 * never another exception. Nothing is executed: no TUN, no lookup, no traffic.
 * Corpus: {@code src/test/resources/dev/jtcp/cli/CommandLineFuzzTestInputs/values}.
 */
class CommandLineFuzzTest {
    /** Every command and subcommand, in a fixed order (the fuzzer picks by index). */
    private static final List<List<String>> COMMANDS = new ArrayList<>();
    /**
     * One command line for every run: building picocli's model is most of the cost, and picocli
     * resets every option to its initial value before each parse.
     */
    private static final CommandLine ROOT = Main.commandLine();

    static {
        collect(ROOT, new ArrayList<>());
    }

    private static void collect(CommandLine c, List<String> path) {
        COMMANDS.add(List.copyOf(path));
        for (var e : c.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            path.add(e.getKey());
            collect(e.getValue(), path);
            path.removeLast();
        }
    }

    @FuzzTest(maxDuration = "10s")
    void values(FuzzedDataProvider data) throws ReflectiveOperationException {
        CommandLine root = ROOT;
        List<String> path = COMMANDS.get(data.consumeInt(0, COMMANDS.size() - 1));
        CommandLine leaf = root;
        for (String name : path) {
            leaf = leaf.getSubcommands().get(name);
        }
        List<OptionSpec> options = leaf.getCommandSpec().options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp()).toList();
        List<String> args = new ArrayList<>(path);
        int n = data.consumeInt(0, 3);
        for (int i = 0; i < n && !options.isEmpty(); i++) {
            OptionSpec o = options.get(data.consumeInt(0, options.size() - 1));
            args.add(o.longestName());
            if (o.arity().min() > 0 || (o.arity().max() > 0 && data.consumeBoolean())) {
                args.add(data.consumeString(60));
            }
        }
        if (data.consumeBoolean()) {
            args.add(data.consumeRemainingAsString());
        }
        CommandLine.ParseResult parsed;
        try {
            parsed = root.parseArgs(args.toArray(String[]::new));
        } catch (ParameterException expected) {
            return;
        }
        Object command = parsed.subcommands().isEmpty() ? parsed.commandSpec().userObject()
                : leafOf(parsed).commandSpec().userObject();
        for (Field f : command.getClass().getDeclaredFields()) {
            if (f.getType() == TunOptions.class) {
                f.setAccessible(true);
                try {
                    ((TunOptions) f.get(command)).validate();
                } catch (Failures.UsageException expected) {
                    // The one-line usage error the command prints.
                }
            }
        }
    }

    private static CommandLine.ParseResult leafOf(CommandLine.ParseResult r) {
        while (!r.subcommands().isEmpty()) {
            r = r.subcommands().getLast();
        }
        return r;
    }
}
