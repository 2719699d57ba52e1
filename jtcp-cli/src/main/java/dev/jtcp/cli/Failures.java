package dev.jtcp.cli;

import dev.jtcp.link.tun.ErrnoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * How a command that failed ends: one line on standard error ({@code jtcp: what went wrong}) and an
 * exit code from {@link ExitCodes}; never a stack trace, unless {@code JTCP_DEBUG} is set. Bad
 * input is {@link ExitCodes#USAGE}, found before any TUN device exists; a failed file or network
 * operation is {@link ExitCodes#FAILURE}.
 */
final class Failures {
    private Failures() {
    }

    /** Bad input found by a command's own checks (after picocli's): exit 2 with the message. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Refuses an output file whose directory does not exist, before any work is done, so that a
     * long run does not end in "no such file".
     *
     * @param option the option that named the file, for the message (e.g. {@code --svg})
     * @param file the file, or null when the option was not given
     */
    static void requireDirectoryOf(String option, java.nio.file.Path file) {
        if (file == null) {
            return;
        }
        java.nio.file.Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !java.nio.file.Files.isDirectory(parent)) {
            throw new UsageException(option + " " + file + ": " + (java.nio.file.Files.exists(parent)
                    ? parent + " is not a directory" : "directory " + parent + " does not exist"));
        }
    }

    /** Installs the handlers on {@code cl} (and so on every subcommand added before). */
    static void install(CommandLine cl) {
        cl.setParameterExceptionHandler(Failures::onBadArguments);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> onFailure(e, commandLine));
    }

    private static int onBadArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine c = e.getCommandLine();
        c.getErr().println("jtcp: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, c.getErr());
        c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
        c.getErr().flush();
        return ExitCodes.USAGE;
    }

    private static int onFailure(Exception e, CommandLine c) {
        if (Shutdown.inProgress()) {
            return ExitCodes.INTERRUPTED; // Ctrl-C or SIGTERM closed the stack under the command: nothing to report
        }
        c.getErr().println("jtcp: " + describe(e));
        if (System.getenv("JTCP_DEBUG") != null) {
            e.printStackTrace(new java.io.PrintWriter(c.getErr(), true));
        }
        c.getErr().flush();
        return exitCode(e);
    }

    static int exitCode(Throwable e) {
        if (e instanceof UsageException) {
            return ExitCodes.USAGE;
        }
        if (e instanceof ErrnoException errno
                && (errno.errno() == ErrnoException.EPERM || errno.errno() == ErrnoException.EACCES)) {
            return ExitCodes.NO_PERMISSION;
        }
        return ExitCodes.FAILURE;
    }

    /** The failure in one line: for a file, its name and the reason; otherwise the message. */
    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        }
        if (e instanceof FileSystemException f) {
            return describeFile(f);
        }
        if (e instanceof UsageException || e instanceof IOException) {
            return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
        return "unexpected " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + " (JTCP_DEBUG=1 shows where)";
    }

    private static String describeFile(FileSystemException f) {
        String file = f.getFile() != null ? f.getFile() : "?";
        String reason;
        if (f instanceof NoSuchFileException) {
            Path parent = Path.of(file).toAbsolutePath().getParent();
            reason = parent != null && !Files.isDirectory(parent) ? "directory " + parent + " does not exist"
                    : "no such file or directory";
        } else if (f instanceof AccessDeniedException) {
            reason = "permission denied";
        } else if (f instanceof NotDirectoryException) {
            reason = "not a directory";
        } else if (f instanceof FileAlreadyExistsException) {
            reason = "already exists";
        } else {
            reason = f.getReason() != null ? f.getReason() : "cannot be used";
        }
        return file + ": " + reason;
    }
}
