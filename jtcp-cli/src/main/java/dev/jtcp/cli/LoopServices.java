package dev.jtcp.cli;

import dev.jtcp.api.LoopConnection;
import dev.jtcp.api.LoopHandler;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * {@code jtcp serve echo} and {@code discard} as {@link LoopHandler}s: each connection is served on
 * jtcp's event loop, with no thread of its own and no hand-off between threads. Bytes pass through
 * one buffer shared by the loop's connections (the loop runs one handler at a time).
 *
 * <p>Thread-safety: loop thread only, except {@link #scratch()}, which makes a buffer for one loop.
 */
final class LoopServices {
    private LoopServices() {
    }

    /** A buffer for the handlers of one loop to share. */
    static ByteBuffer scratch() {
        return ByteBuffer.allocateDirect(64 * 1024);
    }

    /** Echoes what it reads, reading no more than the send buffer takes; closes after the peer's FIN. */
    static final class Echo extends Counted {
        Echo(ByteBuffer scratch, Progress progress, boolean quiet) {
            super(scratch, progress, quiet, "echoed ");
        }

        @Override
        public void onReadable(LoopConnection c) {
            pump(c);
        }

        @Override
        public void onWritable(LoopConnection c) {
            pump(c);
        }

        private void pump(LoopConnection c) {
            try {
                while (true) {
                    int room = c.writable();
                    if (room == 0) {
                        return; // onWritable resumes once the peer has taken some
                    }
                    scratch.clear().limit(Math.min(room, scratch.capacity()));
                    int n = c.read(scratch);
                    if (n < 0) {
                        c.close();
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                    progress.received(n);
                    c.write(scratch.flip()); // fits: no more was read than the send buffer takes
                    progress.sent(n);
                    bytes += n;
                }
            } catch (IOException e) {
                failed(c, e);
            }
        }
    }

    /** Reads and forgets; closes after the peer's FIN. */
    static final class Discard extends Counted {
        Discard(ByteBuffer scratch, Progress progress, boolean quiet) {
            super(scratch, progress, quiet, "discarded ");
        }

        @Override
        public void onReadable(LoopConnection c) {
            try {
                while (true) {
                    int n = c.read(scratch.clear());
                    if (n < 0) {
                        c.close();
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                    progress.received(n);
                    bytes += n;
                }
            } catch (IOException e) {
                failed(c, e);
            }
        }
    }

    /** The bookkeeping both services share: the progress line's counts and the log line at the end. */
    private abstract static class Counted implements LoopHandler {
        final ByteBuffer scratch;
        final Progress progress;
        private final boolean quiet;
        private final String verb;
        /** Bytes served on this connection. */
        long bytes;
        private long openedNs;
        /** Its failure has been logged already. */
        private boolean logged;

        Counted(ByteBuffer scratch, Progress progress, boolean quiet, String verb) {
            this.scratch = scratch;
            this.progress = progress;
            this.quiet = quiet;
            this.verb = verb;
        }

        @Override
        public void onOpen(LoopConnection c) {
            openedNs = System.nanoTime();
            progress.opened();
        }

        void failed(LoopConnection c, IOException e) {
            log(c, e.getMessage());
            logged = true;
            c.abort();
        }

        @Override
        public void onClosed(LoopConnection c, IOException error) {
            progress.closed();
            if (error == null) {
                log(c, verb + Progress.took(bytes, System.nanoTime() - openedNs));
            } else if (!logged) {
                log(c, error.getMessage());
            }
        }

        private void log(LoopConnection c, String what) {
            if (!quiet) {
                progress.println("jtcp: " + Addresses.format(c.getRemoteSocketAddress()) + " " + what);
            }
        }
    }
}
