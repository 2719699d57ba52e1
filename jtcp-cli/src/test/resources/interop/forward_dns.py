"""A DNS lookup over UDP by hand (RFC 1035), run in the client's namespace:
python3 forward_dns.py SERVER NAME -> "NAME A ADDRESS from SERVER:53" per answer, or "NAME NXDOMAIN"."""
import random
import socket
import struct
import sys

SERVER, NAME = sys.argv[1], sys.argv[2]
qid = random.randrange(65536)
question = b"".join(bytes([len(p)]) + p.encode() for p in NAME.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(query, (SERVER, 53))
d, peer = s.recvfrom(4096)
rid, flags, qd, an, _, _ = struct.unpack(">HHHHHH", d[:12])
assert rid == qid, "answer to another query"
if flags & 0xF == 3:
    print(NAME + " NXDOMAIN")
    sys.exit(0)


def skip_name(i):
    while True:
        n = d[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += 1 + n


i = 12
for _ in range(qd):
    i = skip_name(i) + 4
for _ in range(an):
    i = skip_name(i)
    rtype, _, _, rdlen = struct.unpack(">HHIH", d[i:i + 10])
    i += 10
    if rtype == 1:
        print(NAME + " A " + socket.inet_ntoa(d[i:i + rdlen]) + " from " + peer[0] + ":" + str(peer[1]))
    i += rdlen
