/**
 * Capture files: writers for pcap and pcapng with raw IP packets, and a reader that accepts the
 * common capture formats and link types and hands back each packet positioned on its IP header.
 *
 * <p>References: the pcap savefile format as described in
 * <a href="https://www.tcpdump.org/manpages/pcap-savefile.5.txt">pcap-savefile(5)</a>, the pcapng
 * format of <a href="https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/">
 * draft-ietf-opsawg-pcapng</a>, and the link-type registry at
 * <a href="https://www.tcpdump.org/linktypes.html">tcpdump.org/linktypes.html</a>.
 *
 * <p>Writers never interpret the packets they write. The reader never throws on malformed input:
 * it ends reading or skips the packet and names the reason ({@link dev.jtcp.pcap.SkipReason}).
 *
 * <p>Read first: {@link dev.jtcp.pcap.CaptureWriter} and {@link dev.jtcp.pcap.CaptureReader}.
 *
 * <p>Uses nothing else of jtcp: a capture file holds bytes, whoever made them.
 *
 * <p>Thread-safety: a writer or a reader belongs to one thread.
 */
package dev.jtcp.pcap;
