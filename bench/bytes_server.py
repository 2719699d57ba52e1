"""A fast HTTP/1.0 source for bench/forward.sh: GET /N answers N bytes of a fixed pseudo-random
stream (a 1 MiB + 7 byte block repeated, so bytes out of order or lost change the SHA-256), then
closes. python3 bytes_server.py ADDRESS PORT; python3 bytes_server.py --sha256 N prints the
stream's digest."""
import hashlib
import random
import socket
import sys
import threading

BLOCK = random.Random(14).randbytes((1 << 20) + 7)


def stream(n):
    view = memoryview(BLOCK)
    while n > 0:
        k = min(n, len(BLOCK))
        yield view[:k]
        n -= k


def serve(c):
    with c:
        req = b""
        while b"\r\n\r\n" not in req:
            d = c.recv(4096)
            if not d:
                return
            req += d
        n = int(req.split(b" ")[1][1:])
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % n)
        for chunk in stream(n):
            c.sendall(chunk)


if sys.argv[1] == "--sha256":
    h = hashlib.sha256()
    for chunk in stream(int(sys.argv[2])):
        h.update(chunk)
    print(h.hexdigest())
    sys.exit(0)
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(64)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
