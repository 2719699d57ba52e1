"""The kernel-side peer of the TCP interop tests: small socket programs, one per behaviour.

usage: tcp_peer.py MODE ARGS...
  echo-after-eof PORT            accept one connection, read to EOF, then send it all back, close
  expect-reset PORT              accept one, read until EOF or error; print EOF or RESET
  reset-after-read PORT          accept one, read a little, then close with SO_LINGER 0 (RST)
  simultaneous LADDR LPORT RADDR RPORT IFNAME
                                 bind LADDR:LPORT once interface IFNAME is up with that address,
                                 connect to RADDR:RPORT, send "kernel\\n", shut down writing, print
                                 what comes
  udp-probe ADDR PORT            send a UDP datagram to ADDR:PORT from a connected socket and print
                                 the error the kernel reports from the ICMP answer (errno name)
Each prints "ready" once listening (or bound), and its result on the last line.
"""
import socket
import struct
import sys
import time


def listener(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", port))
    s.listen(8)
    print("ready", flush=True)
    return s


def read_all(c):
    data = bytearray()
    while True:
        b = c.recv(1 << 16)
        if not b:
            return bytes(data)
        data += b


mode = sys.argv[1]
if mode == "echo-after-eof":
    c, _ = listener(int(sys.argv[2])).accept()
    data = read_all(c)
    c.sendall(data)
    c.close()
    print("echoed", len(data), flush=True)
elif mode == "expect-reset":
    c, _ = listener(int(sys.argv[2])).accept()
    try:
        read_all(c)
        print("EOF", flush=True)
    except ConnectionResetError:
        print("RESET", flush=True)
elif mode == "reset-after-read":
    c, _ = listener(int(sys.argv[2])).accept()
    c.recv(100)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    print("reset sent", flush=True)
elif mode == "simultaneous":
    laddr, lport, raddr, rport, ifname = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    deadline = time.time() + 30
    while True:
        try:
            with open("/sys/class/net/%s/flags" % ifname) as f:
                up = int(f.read(), 16) & 1
            if up:
                s.bind((laddr, lport))
                break
        except OSError:
            if time.time() > deadline:
                raise
        time.sleep(0.002)
    print("ready", flush=True)
    s.settimeout(20)
    s.connect((raddr, rport))
    s.sendall(b"kernel\n")
    s.shutdown(socket.SHUT_WR)
    print("got", read_all(s).decode().strip(), flush=True)
elif mode == "udp-probe":
    import errno
    family = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
    u = socket.socket(family, socket.SOCK_DGRAM)
    u.settimeout(5)
    u.connect((sys.argv[2], int(sys.argv[3])))
    u.send(b"anyone?")
    try:
        u.recv(100)
        print("no error", flush=True)
    except socket.timeout:
        print("timeout", flush=True)
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)), flush=True)
else:
    sys.exit("unknown mode " + mode)
