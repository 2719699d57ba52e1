package dev.jtcp.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A {@link Link} that wraps another and forwards every call to it; decorators ({@link
 * ImpairedLink}, {@link CaptureLink}) override what they change. {@link #transmitGso} is the
 * exception: it is not forwarded but cut in software ({@link TcpSegmenter}) into {@link
 * #transmit}, so a decorator sees, impairs and captures packets as they travel on the wire.
 *
 * <p>Thread-safety: that of the wrapped link (one event-loop thread).
 */
public abstract class ForwardingLink implements Link {
    /** The wrapped link. */
    protected final Link inner;

    protected ForwardingLink(Link inner) {
        this.inner = Objects.requireNonNull(inner);
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public int readinessFd() {
        return inner.readinessFd();
    }

    @Override
    public void onAttach(Runnable wakeup) {
        inner.onAttach(wakeup);
    }

    @Override
    public int receive(long nowNs, Receiver receiver, int maxPackets) throws IOException {
        return inner.receive(nowNs, receiver, maxPackets);
    }

    @Override
    public void transmit(ByteBuffer packet) {
        inner.transmit(packet);
    }

    @Override
    public void flush(long nowNs) throws IOException {
        inner.flush(nowNs);
    }

    @Override
    public long nextDeadlineNs() {
        return inner.nextDeadlineNs();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return inner.toString();
    }
}
