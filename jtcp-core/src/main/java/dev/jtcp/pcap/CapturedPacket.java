package dev.jtcp.pcap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One packet record of a capture file: its metadata, its captured bytes, and (unless it was
 * skipped) a view positioned on its IP header.
 *
 * <p>This is a flyweight: {@link CaptureReader#next(CapturedPacket)} refills the same instance for
 * every packet, and {@link #frame()} and {@link #ip()} are views into the reader's buffer that stay
 * valid only until the next call to {@code next}. {@link #copy()} makes an independent packet.
 *
 * <pre>
 * frame():  | link-layer header | IP header ... | padding/FCS |   (captured bytes, big-endian view)
 * ip():                         | IP header ... |                 (ends at the IP length field's end)
 * </pre>
 *
 * <p>The {@code ip()} view ends where the IPv4 total length or IPv6 payload length says the packet
 * ends, when that lies inside the captured bytes, so link-layer padding and frame check sequences
 * are excluded. For a skipped packet {@code ip()} is empty and {@link #skipReason()} says why.
 *
 * <p>Thread-safety: not thread-safe; a holder belongs to the thread that passes it to the reader.
 */
public final class CapturedPacket {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** Nanoseconds since the Unix epoch; 0 for a pcapng SPB or a packet of an undeclared interface. */
    private long timestampNs;
    /** The LINKTYPE_ value of the packet's interface; -1 if the interface is unknown. */
    private int linkType;
    /** Interface id within its pcapng section; always 0 for pcap. */
    private int interfaceIndex;
    /** Length of the packet on the wire, unsigned 32 bits as read from the file. */
    private long originalLength;
    /** Why no IP view is offered; null when {@link #ip} is positioned on an IP header. */
    private SkipReason skipReason;
    /** 4 or 6 when an IP view is offered, 0 otherwise. */
    private int ipVersion;
    /** The buffer {@link #frame} and {@link #ip} were duplicated from. */
    private ByteBuffer backing = EMPTY;
    /** Read-only big-endian view of the captured bytes. */
    private ByteBuffer frame = EMPTY;
    /** Read-only big-endian view of the IP packet; empty when skipped. */
    private ByteBuffer ip = EMPTY;
    /** Bounds of the views within {@link #backing}: frameStart ≤ ipStart ≤ ipEnd ≤ frameEnd. */
    private int frameStart;
    private int frameEnd;
    private int ipStart;
    private int ipEnd;

    /** An empty holder to pass to {@link CaptureReader#next(CapturedPacket)}. */
    public CapturedPacket() {
    }

    /**
     * Capture time in nanoseconds since 1970-01-01T00:00Z; 0 for pcapng Simple Packet Blocks (they
     * carry none) and for packets of an undeclared pcapng interface (their unit is unknown).
     */
    public long timestampNs() {
        return timestampNs;
    }

    /** The LINKTYPE_ value (see {@link LinkType}); -1 when the pcapng interface is undeclared. */
    public int linkType() {
        return linkType;
    }

    /** The interface id within its pcapng section (ids restart in each section); 0 for pcap. */
    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** Number of bytes captured, the length of {@link #frame()}. */
    public int capturedLength() {
        return frameEnd - frameStart;
    }

    /** Length of the packet on the wire as the file states it (unsigned 32 bits). */
    public long originalLength() {
        return originalLength;
    }

    /** Whether fewer bytes were captured than the packet had on the wire. */
    public boolean isTruncated() {
        return capturedLength() < originalLength;
    }

    /** Whether {@link #ip()} is positioned on an IPv4 or IPv6 header. */
    public boolean isIp() {
        return skipReason == null;
    }

    /** Why the packet offers no IP view, or null if it does. */
    public SkipReason skipReason() {
        return skipReason;
    }

    /** 4 or 6 for an IP packet, 0 for a skipped one. */
    public int ipVersion() {
        return ipVersion;
    }

    /** The captured bytes including any link-layer header; read-only, valid until the next read. */
    public ByteBuffer frame() {
        return frame.clear().position(frameStart).limit(frameEnd).order(ByteOrder.BIG_ENDIAN);
    }

    /** The IP packet; read-only, valid until the next read, empty for a skipped packet. */
    public ByteBuffer ip() {
        return ip.clear().position(ipStart).limit(ipEnd).order(ByteOrder.BIG_ENDIAN);
    }

    /** An independent packet with its own copy of the captured bytes. */
    public CapturedPacket copy() {
        byte[] bytes = new byte[capturedLength()];
        backing.get(frameStart, bytes);
        CapturedPacket copy = new CapturedPacket();
        copy.start(timestampNs, linkType, interfaceIndex, originalLength);
        copy.frame(ByteBuffer.wrap(bytes), 0, bytes.length);
        copy.skipReason = skipReason;
        copy.ipVersion = ipVersion;
        copy.ipStart = ipStart - frameStart;
        copy.ipEnd = ipEnd - frameStart;
        return copy;
    }

    @Override
    public String toString() {
        String content = isIp() ? "IPv" + ipVersion + " " + (ipEnd - ipStart) + " bytes"
                : "skipped: " + skipReason.description();
        return "CapturedPacket[timestampNs=" + timestampNs + ", link=" + LinkType.name(linkType)
                + ", interface=" + interfaceIndex + ", captured=" + capturedLength()
                + ", original=" + originalLength + ", " + content + "]";
    }

    /** Begins a new record; the reader then calls {@link #frame} and {@link #ip} or {@link #skip}. */
    void start(long timestampNs, int linkType, int interfaceIndex, long originalLength) {
        this.timestampNs = timestampNs;
        this.linkType = linkType;
        this.interfaceIndex = interfaceIndex;
        this.originalLength = originalLength;
    }

    /** Sets the captured bytes to {@code backing[start, end)}, with no IP view yet. */
    void frame(ByteBuffer backing, int start, int end) {
        if (backing != this.backing) {
            this.backing = backing;
            this.frame = backing.asReadOnlyBuffer();
            this.ip = backing.asReadOnlyBuffer();
        }
        frameStart = start;
        frameEnd = end;
        skip(SkipReason.NOT_IP);
    }

    /** The buffer the frame lies in, for the link decoder's absolute big-endian reads. */
    ByteBuffer backing() {
        return backing;
    }

    int frameStart() {
        return frameStart;
    }

    int frameEnd() {
        return frameEnd;
    }

    /** Offers {@code [start, end)} of the frame as an IP packet of the given version. */
    void ip(int start, int end, int version) {
        skipReason = null;
        ipVersion = version;
        ipStart = start;
        ipEnd = end;
    }

    /** Marks the packet skipped for {@code reason}; the IP view becomes empty. */
    void skip(SkipReason reason) {
        skipReason = reason;
        ipVersion = 0;
        ipStart = frameStart;
        ipEnd = frameStart;
    }
}
