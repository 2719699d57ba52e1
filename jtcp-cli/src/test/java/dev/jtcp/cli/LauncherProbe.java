package dev.jtcp.cli;

/** Stands in for the CLI in {@link LauncherTest}: prints its arguments and working directory. */
public final class LauncherProbe {
    private LauncherProbe() {
    }

    public static void main(String[] args) {
        System.out.println("probe " + String.join(" ", args) + " in " + System.getProperty("user.dir"));
    }
}
