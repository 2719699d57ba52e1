"""The kernel's side of `jtcp bench flows` (python3, Linux):

  flows_peer.py server ADDRESS PORT          an echo server for many connections (one selector)
  flows_peer.py client ADDRESS PORT N        opens N connections, sends 100 bytes on each and reads
                                             them back, prints "open N", holds them until a line on
                                             standard input, closes them all, prints "closed"
  flows_peer.py flood SOURCE ADDRESS PORT N  sends N TCP SYNs from SOURCE (random ports) through a
                                             raw socket, prints "flooded N"
"""
import random
import resource
import selectors
import socket
import struct
import sys
import time

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def server(address, port):
    sel = selectors.DefaultSelector()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(4096)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            if key.fileobj is s:
                try:
                    c, _ = s.accept()
                except BlockingIOError:
                    continue
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
                continue
            c = key.fileobj
            try:
                d = c.recv(65536)
            except OSError:
                d = b""
            if d:
                c.send(d)
            else:
                sel.unregister(c)
                c.close()


def client(address, port, n):
    sel = selectors.DefaultSelector()
    pending = {}
    done = []
    started = 0
    window = 256
    deadline = time.time() + 600
    while len(done) < n:
        while started < n and len(pending) < window:
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex((address, port))
            pending[c] = 0
            sel.register(c, selectors.EVENT_WRITE)
            started += 1
        for key, ev in sel.select(timeout=1):
            c = key.fileobj
            if pending[c] == 0:
                err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    sys.exit("connect failed: " + str(err))
                c.send(b"x" * 100)
                pending[c] = 100
                sel.modify(c, selectors.EVENT_READ)
            else:
                d = c.recv(4096)
                if not d:
                    sys.exit("closed early")
                pending[c] -= len(d)
                if pending[c] <= 0:
                    sel.unregister(c)
                    del pending[c]
                    done.append(c)
        if time.time() > deadline:
            sys.exit("timed out with %d open" % len(done))
    print("open %d" % len(done), flush=True)
    sys.stdin.readline()
    for c in done:
        c.close()
    print("closed", flush=True)


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def flood(source, address, port, n):
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    src = socket.inet_aton(source)
    dst = socket.inet_aton(address)
    rnd = random.Random(14)
    for i in range(n):
        sport = rnd.randrange(1024, 65536)
        tcp = struct.pack("!HHIIBBHHH", sport, port, rnd.randrange(1 << 32), 0, 5 << 4, 0x02, 65535, 0, 0)
        csum = checksum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
        tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xFFFF, 0, 64, 6, 0, src, dst)
        while True:
            try:
                r.sendto(ip + tcp, (address, 0))
                break
            except (BlockingIOError, OSError):
                time.sleep(0.001)
    print("flooded %d" % n, flush=True)


if sys.argv[1] == "server":
    server(sys.argv[2], int(sys.argv[3]))
elif sys.argv[1] == "client":
    client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
else:
    flood(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
