package dev.jtcp.testutil;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TraceEvent;
import dev.jtcp.stack.Host;
import dev.jtcp.tcp.TcpConfig;
import dev.jtcp.wire.IpAddress;
import dev.jtcp.wire.IpPacket;
import dev.jtcp.wire.PacketWriter;
import dev.jtcp.wire.SeqNum;
import dev.jtcp.wire.TcpFlags;
import dev.jtcp.wire.TcpHeader;
import dev.jtcp.wire.TcpPacket;
import dev.jtcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One real host under test ("local", 198.18.0.2) facing a scripted peer ("remote", 198.18.0.1,
 * port 40000 by default) that injects segment literals and inspects what the host sends, on a
 * manual virtual clock. The shape of smoltcp's socket tests and of packetdrill scripts.
 */
public final class ScriptedPeer {
    public static final IpAddress LOCAL = IpAddress.parse("198.18.0.2");
    public static final IpAddress REMOTE = IpAddress.parse("198.18.0.1");
    public static final int REMOTE_PORT = 40000;
    public static final int LOCAL_PORT = 80;

    public final Host host;
    public final List<TraceEvent> events = new ArrayList<>();
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    private final PacketWriter writer = new PacketWriter();
    private final ByteBuffer buf = ByteBuffer.allocate(70_000);
    private long now;

    /** A segment the host sent. */
    public record Sent(long timeNs, TcpHeader h, byte[] payload) {
        public boolean is(int flags) {
            return (h.flags() & (TcpFlags.ALL & ~TcpFlags.PSH)) == flags;
        }

        public int seq() {
            return h.seq();
        }

        public int ack() {
            return h.ack();
        }

        public int window() {
            return h.window();
        }

        @Override
        public String toString() {
            return String.format("[%s] seq %s ack %s win %d len %d %s", TcpFlags.toString(h.flags()),
                    SeqNum.toString(h.seq()), SeqNum.toString(h.ack()), h.window(), payload.length, h.options());
        }
    }

    /** A host with the given config whose connections take the ISNs {@code isns} in order. */
    public ScriptedPeer(TcpConfig config, int... isns) {
        host = new Host("local", config, new SplittableRandom(7)).addAddress("198.18.0.2/24").tracer(events::add);
        if (isns.length > 0) {
            int[] next = {0};
            host.isnSource((t, a, b, c, d, e, f) -> isns[Math.min(next[0]++, isns.length - 1)]);
        }
        IpPacket ip = new IpPacket();
        TcpPacket tcp = new TcpPacket();
        host.attach(p -> {
            ip.wrap(p, p.position(), p.remaining()).check();
            if (ip.protocol() == dev.jtcp.wire.IpProtocol.TCP) {
                tcp.wrap(p, ip.payloadOffset(), ip.payloadLength());
                byte[] payload = new byte[tcp.payloadLength()];
                p.get(tcp.payloadOffset(), payload);
                sent.add(new Sent(now, TcpHeader.of(tcp), payload));
            }
        });
    }

    public ScriptedPeer() {
        this(TcpConfig.defaults());
    }

    public long now() {
        return now;
    }

    /** A segment literal from the remote: ports 40000 → 80, window 65535 unless set. */
    public static Seg seg(int flags) {
        return new Seg(flags);
    }

    /** Builder for an injected segment. */
    public static final class Seg {
        final TcpSegment s = new TcpSegment();

        Seg(int flags) {
            s.srcPort = REMOTE_PORT;
            s.dstPort = LOCAL_PORT;
            s.flags = flags;
            s.window = 65535;
        }

        public Seg seq(int seq) {
            s.seq = seq;
            return this;
        }

        public Seg ack(int ack) {
            s.ack = ack;
            return this;
        }

        public Seg window(int window) {
            s.window = window;
            return this;
        }

        public Seg ports(int src, int dst) {
            s.srcPort = src;
            s.dstPort = dst;
            return this;
        }

        public Seg mss(int mss) {
            s.options.mss = mss;
            return this;
        }

        public Seg wscale(int shift) {
            s.options.windowScale = shift;
            return this;
        }

        public Seg sackOk() {
            s.options.sackPermitted = true;
            return this;
        }

        /** Adds a SACK block [left, right) (RFC 2018). */
        public Seg sack(int left, int right) {
            s.options.addSackBlock(left, right);
            return this;
        }

        public Seg ts(int val, int ecr) {
            s.options.timestamps(val, ecr);
            return this;
        }

        public Seg urg(int pointer) {
            s.urgentPointer = pointer;
            return this;
        }

        public Seg data(String text) {
            return data(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }

        public Seg data(byte[] bytes) {
            s.payload(ByteBuffer.wrap(bytes), 0, bytes.length);
            return this;
        }

        public Seg data(int length) {
            return data(new byte[length]);
        }
    }

    /** Delivers {@code seg} to the host now. */
    public ScriptedPeer inject(Seg seg) {
        return inject(seg, REMOTE, LOCAL);
    }

    /** Delivers {@code seg} from {@code src} to {@code dst}, for addresses other than the defaults. */
    public ScriptedPeer inject(Seg seg, IpAddress src, IpAddress dst) {
        return injectRaw(packet(seg, src, dst));
    }

    /** The IP packet that would carry {@code seg}, checksummed, for a test to damage before {@link #injectRaw}. */
    public byte[] packet(Seg seg, IpAddress src, IpAddress dst) {
        int n = writer.writeTcp(buf, 0, src, dst, 64, 0, seg.s);
        byte[] bytes = new byte[n];
        buf.get(0, bytes);
        return bytes;
    }

    /** Delivers the raw IP packet {@code packet} to the host now. */
    public ScriptedPeer injectRaw(byte[] packet) {
        buf.clear();
        buf.put(0, packet).limit(packet.length).position(0);
        host.onPacket(now, buf);
        buf.clear();
        return this;
    }

    /** Advances the clock by {@code ns}, running every host timer that falls due on the way. */
    public ScriptedPeer advance(long ns) {
        long end = now + ns;
        while (true) {
            long d = host.nextDeadlineNs();
            if (d > end) {
                break;
            }
            now = Math.max(now, d);
            host.onTimer(now);
        }
        now = end;
        return this;
    }

    /** The next segment the host sent; fails if there is none. */
    public Sent next() {
        Sent s = sent.poll();
        assertThat(s).as("expected the host to have sent a segment").isNotNull();
        return s;
    }

    /** Segments sent and not yet taken. */
    public List<Sent> pending() {
        return List.copyOf(sent);
    }

    public ScriptedPeer expectNothingSent() {
        assertThat(sent).as("segments sent").isEmpty();
        return this;
    }

    public void clearSent() {
        sent.clear();
    }
}
