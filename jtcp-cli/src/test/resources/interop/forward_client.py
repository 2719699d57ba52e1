"""The client side of ForwardInteropTest, run in the client's namespace: python3 forward_client.py ADDRESS."""
import errno
import socket
import sys

ADDRESS = sys.argv[1]


def read_all(c):
    data = b""
    while True:
        d = c.recv(65536)
        if not d:
            return data
        data += d


# The client half-closes first; the server's answer still arrives.
c = socket.create_connection((ADDRESS, 9000), timeout=5)
c.sendall(b"x" * 100000)
c.shutdown(socket.SHUT_WR)
print("9000 " + read_all(c).decode())
c.close()

# The server half-closes first; ours still arrives.
c = socket.create_connection((ADDRESS, 9001), timeout=5)
print("9001 " + read_all(c).decode())
c.sendall(b"thanks")
c.close()

# UDP echo.
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(5)
u.sendto(b"ping", (ADDRESS, 9002))
d, peer = u.recvfrom(65535)
print("9002 " + d.decode() + " from " + peer[0] + ":" + str(peer[1]))

# A closed port is refused, at once.
try:
    socket.create_connection((ADDRESS, 9999), timeout=5)
    print("9999 connected")
except ConnectionRefusedError:
    print("9999 refused")
except OSError as e:
    print("9999 " + type(e).__name__)

# An address the far side cannot reach is unreachable here too (ICMP, not a RST).
try:
    socket.create_connection(("198.19.99.1", 80), timeout=5)
    print("198.19.99.1 connected")
except ConnectionRefusedError:
    print("198.19.99.1 refused")
except OSError as e:
    print("198.19.99.1 " + ("unreachable" if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH) else repr(e)))
