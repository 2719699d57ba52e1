/**
 * The {@code jtcp} command: {@link dev.jtcp.cli.Main} and one class per subcommand, over the
 * {@code dev.jtcp} module. Exports nothing; picocli reads and sets the commands' annotated fields
 * by reflection, hence the {@code opens}.
 */
module dev.jtcp.cli {
    requires dev.jtcp;
    requires info.picocli;
    requires java.management; // jtcp bench reports heap and GC figures

    opens dev.jtcp.cli to info.picocli;
}
