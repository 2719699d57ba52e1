package dev.jtcp.api;

import dev.jtcp.link.tun.Epoll;
import dev.jtcp.link.tun.EventFd;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * How an event loop sleeps and is woken: {@link #await} blocks until a link's descriptor is
 * readable, {@link #wake} is called, or the timeout passes.
 *
 * <p>Thread-safety: {@link #wake} from any thread; the rest on the loop thread.
 */
sealed interface Poller extends AutoCloseable {
    /** Sleeps up to {@code timeoutNs} (0: don't; {@link Long#MAX_VALUE}: until woken). */
    void await(long timeoutNs) throws IOException;

    /** Ends the current or next {@link #await} early. */
    void wake();

    @Override
    void close();

    /** epoll over the links' descriptors and an eventfd for wake-ups. */
    final class EpollPoller implements Poller {
        private static final long WAKE_TOKEN = -1;
        private final Epoll epoll;
        private final EventFd wakeFd;

        EpollPoller(int[] fds) throws IOException {
            epoll = Epoll.open();
            wakeFd = EventFd.open();
            epoll.add(wakeFd.fd(), WAKE_TOKEN);
            for (int i = 0; i < fds.length; i++) {
                epoll.add(fds[i], i);
            }
        }

        @Override
        public void await(long timeoutNs) throws IOException {
            // epoll_wait counts milliseconds: round up, so a timer never fires early.
            int ms = timeoutNs == Long.MAX_VALUE ? -1 : (int) Math.min(Integer.MAX_VALUE, (timeoutNs + 999_999) / 1_000_000);
            int n = epoll.await(ms);
            for (int i = 0; i < n; i++) {
                if (epoll.token(i) == WAKE_TOKEN) {
                    wakeFd.drain();
                }
            }
        }

        @Override
        public void wake() {
            wakeFd.signal();
        }

        @Override
        public void close() {
            epoll.close();
            wakeFd.close();
        }
    }

    /** For loops whose links have no descriptor (in-memory links): park and unpark. */
    final class ParkPoller implements Poller {
        private volatile Thread loopThread;
        private volatile boolean woken;

        @Override
        public void await(long timeoutNs) {
            loopThread = Thread.currentThread();
            if (!woken) {
                if (timeoutNs == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, timeoutNs);
                }
            }
            woken = false;
        }

        @Override
        public void wake() {
            woken = true;
            Thread t = loopThread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public void close() {
        }
    }
}
