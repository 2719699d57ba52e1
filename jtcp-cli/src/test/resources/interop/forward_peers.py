"""Peers for ForwardInteropTest, run inside the server's namespace: python3 forward_peers.py ADDRESS.

TCP 9000: reads to EOF, then answers "got N" and closes (the client half-closes first).
TCP 9001: sends "hello" and half-closes first, then prints what the client sends before its FIN.
UDP 9002: echoes every datagram.
"""
import socket
import sys
import threading

ADDRESS = sys.argv[1]


def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ADDRESS, port))
    s.listen(16)
    return s


def read_all(c):
    data = b""
    while True:
        d = c.recv(65536)
        if not d:
            return data
        data += d


def client_closes_first():
    s = listener(9000)
    while True:
        c, _ = s.accept()
        n = len(read_all(c))
        c.sendall(b"got %d" % n)
        c.close()


def server_closes_first():
    s = listener(9001)
    while True:
        c, _ = s.accept()
        c.sendall(b"hello")
        c.shutdown(socket.SHUT_WR)
        print("9001 got " + read_all(c).decode(), flush=True)
        c.close()


def udp_echo():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ADDRESS, 9002))
    while True:
        d, peer = s.recvfrom(65535)
        s.sendto(d, peer)


for f in (client_closes_first, server_closes_first, udp_echo):
    threading.Thread(target=f, daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
