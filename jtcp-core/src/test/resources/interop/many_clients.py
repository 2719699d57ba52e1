"""Kernel clients for the many-connections test: SEQUENTIAL connections one after another, then
PARALLEL at once. Each sends one line, reads until the server closes, and checks the echo.

usage: many_clients.py HOST PORT SEQUENTIAL PARALLEL
Prints "sequential OK/N", "parallel OK/N" and any failures.
"""
import socket
import sys
import threading

host, port, sequential, parallel = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])


def one(i):
    with socket.create_connection((host, port), timeout=20) as s:
        line = ("hello %d\n" % i).encode()
        s.sendall(line)
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
        return data == line


ok = 0
for i in range(sequential):
    try:
        ok += one(i)
    except OSError as e:
        print("sequential", i, "failed:", e, flush=True)
print("sequential %d/%d" % (ok, sequential), flush=True)

results = [False] * parallel


def worker(i):
    try:
        results[i] = one(sequential + i)
    except OSError as e:
        print("parallel", i, "failed:", e, flush=True)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(parallel)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("parallel %d/%d" % (sum(results), parallel), flush=True)
