#!/usr/bin/env python3
# The kernel side of `jtcp script --against-linux`, run by LinuxTarget inside a private network
# namespace (`ip netns exec NAME python3 -u linux_peer.py ...`). It owns a TUN device whose far end
# is the script's peer: packets the kernel sends to the remote address are read from the TUN and
# reported; packets the script injects are written into it. It also performs the script's system
# calls on real kernel sockets, on command.
#
# Protocol: one line per message, over stdin (commands) and stdout (reports).
#   commands: inject HEX | call ID ASYNC NAME PYTHON-LITERAL-ARGS | sysctl NAME VALUE
#             | tcpinfo LOCAL LPORT REMOTE RPORT | quit
#   reports:  ready | pkt MONO_NS HEX | started ID MONO_NS | done ID MONO_NS RET ERRNO OUT EXTRA | blocked ID
#             | info key=value,... | ok | err MESSAGE
# Times are time.monotonic_ns(), the same CLOCK_MONOTONIC as Java's System.nanoTime().
import ast
import errno
import fcntl
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
SIOCINQ = 0x541B
SIOCOUTQ = 0x5411
SO_LINGER = 13
MSG_FASTOPEN = 0x20000000
TCP_INFO = 11
DEFAULT_PORT = 8080
# How long a call the script did not mark as blocking ('T...END') may take before it counts as blocked.
BLOCK_GRACE_S = 1.0

out_lock = threading.Lock()
sockets = {}  # fd -> socket object
peers = {}  # fd -> (local port, remote address, remote port) of a connected socket, kept after a reset
epolls = {}  # fd -> select.epoll object
known = set()  # every (local port, remote address, remote port) a socket has had, kept after close()


def emit(line):
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def open_tun(name, local, prefix, mtu, v6):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    sh("ip", "link", "set", "lo", "up")
    sh("ip", "link", "set", name, "mtu", str(mtu), "up")
    if v6:
        sh("ip", "-6", "addr", "add", "%s/%d" % (local, prefix), "dev", name, "nodad")
    else:
        sh("ip", "addr", "add", "%s/%d" % (local, prefix), "dev", name)
    return fd


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def probe_syn(src, dst, v6):
    """A SYN from the script's address to a closed port of ours (9, discard), to warm the paths up."""
    tcp = struct.pack("!HHIIBBHHH", 40999, 9, 1, 0, 5 << 4, 0x02, 1024, 0, 0)
    family = socket.AF_INET6 if v6 else socket.AF_INET
    s, d = socket.inet_pton(family, src), socket.inet_pton(family, dst)
    if v6:
        pseudo = s + d + struct.pack("!IxxxB", len(tcp), 6)
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        return struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64) + s + d + tcp
    pseudo = s + d + struct.pack("!xBH", 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, s, d)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp


def warm_up(fd, local, remote, v6):
    """The first packets through a new namespace can be slow; send one SYN and swallow the RST."""
    os.write(fd, probe_syn(remote, local, v6))
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
        if ready and is_tcp(os.read(fd, 65600)):
            return


def is_tcp(p):
    if len(p) < 20:
        return False
    v = p[0] >> 4
    return (v == 4 and p[9] == 6) or (v == 6 and len(p) >= 40 and p[6] == 6)


def read_tun(fd):
    while True:
        try:
            p = os.read(fd, 65600)
        except OSError:
            return  # the device was closed: quitting
        now = time.monotonic_ns()
        if is_tcp(p):
            emit("pkt %d %s" % (now, p.hex()))


class Ctx:
    def __init__(self, local, remote, v6):
        self.local = local
        self.remote = remote
        self.family = socket.AF_INET6 if v6 else socket.AF_INET


def sockaddr(ctx, a, default_ip):
    if a is None:
        return (default_ip, DEFAULT_PORT)
    ip = a.get("sin_addr", a.get("sin6_addr", default_ip))
    port = a.get("sin_port", a.get("sin6_port", DEFAULT_PORT))
    if isinstance(ip, int):
        ip = "0.0.0.0" if ip == 0 else socket.inet_ntoa(struct.pack("!I", ip))
    return (ip, port)


TCP_CONGESTION = 13
TCP_NOTSENT_LOWAT = 25
# The congestion control set per socket when the namespace refused it as the default, or None.
forced_cc = None


def cc_available(name):
    try:
        with open("/proc/sys/net/ipv4/tcp_available_congestion_control") as f:
            return name.strip() in f.read().split()
    except OSError:
        return False


def arg_int(a):
    if isinstance(a, list) and len(a) == 1:
        return a[0]
    return a


def do_call(ctx, name, args):
    """Returns (ret, out, extra)."""
    if name == "socket":
        typ = args[1] if len(args) > 1 and args[1] is not None else socket.SOCK_STREAM
        proto = args[2] if len(args) > 2 and args[2] is not None else 0
        s = socket.socket(ctx.family, typ, proto)
        if forced_cc and typ & 0xf == socket.SOCK_STREAM:
            # Root in the namespace may choose a congestion control outside tcp_allowed_congestion_control
            # per socket (CAP_NET_ADMIN); accepted sockets inherit it from their listener.
            s.setsockopt(socket.IPPROTO_TCP, TCP_CONGESTION, forced_cc.encode())
        sockets[s.fileno()] = s
        return s.fileno(), None, {}
    fd = args[0] if args else None
    if name == "poll":
        p = select.poll()
        for pfd in args[0]:
            p.register(pfd["fd"], pfd.get("events", 0))
        ready = dict(p.poll(args[2]))
        revents = [ready.get(pfd["fd"], 0) for pfd in args[0]]
        return sum(1 for r in revents if r), revents, {}
    if name == "epoll_create":
        ep = select.epoll()
        epolls[ep.fileno()] = ep
        return ep.fileno(), None, {}
    if name in ("epoll_ctl", "epoll_wait"):
        ep = epolls.get(fd)
        if ep is None:
            raise OSError(errno.EBADF, "bad epoll fd")
        if name == "epoll_wait":
            ready = ep.poll(args[3] / 1000.0 if args[3] >= 0 else -1, args[2])
            # The first event, as the scripts' one-element {events=..., fd=...} shows it.
            return len(ready), {"events": ready[0][1] if ready else 0}, {}
        op, target, ev = args[1], args[2], args[3] if len(args) > 3 else None
        mask = ev.get("events", 0) if isinstance(ev, dict) else 0
        if op == 1:
            ep.register(target, mask)
        elif op == 3:
            ep.modify(target, mask)
        else:
            ep.unregister(target)
        return 0, None, {}
    s = sockets.get(fd)
    if s is None:
        raise OSError(errno.EBADF, "bad fd")
    if name == "bind":
        addr = sockaddr(ctx, args[1] if len(args) > 1 else None, ctx.local)
        s.bind(addr)
        return 0, None, {}
    if name == "listen":
        s.listen(args[1])
        return 0, None, {"lport": s.getsockname()[1]}
    if name == "accept":
        c, peer = s.accept()
        sockets[c.fileno()] = c
        peers[c.fileno()] = (c.getsockname()[1], peer[0], peer[1])
        known.add(peers[c.fileno()])
        return c.fileno(), None, {"rport": peer[1]}
    if name == "connect":
        addr = sockaddr(ctx, args[1] if len(args) > 1 else None, ctx.remote)
        try:
            s.connect(addr)
        finally:
            try:
                emit_port = s.getsockname()[1]
            except OSError:
                emit_port = -1
            do_call.last_extra = {"lport": emit_port, "rport": addr[1]}
            peers[fd] = (emit_port, addr[0], addr[1])
            known.add(peers[fd])
        return 0, None, do_call.last_extra
    if name in ("readv", "recvmsg", "writev", "sendmsg"):
        # The iovecs' total length, as the plain call (the helper moves byte counts, not bytes).
        msg = name.endswith("msg")
        iov = args[1].get("msg_iov") if msg else args[1]
        total = sum(v["iov_len"] for v in iov)
        flags = (args[2] if len(args) > 2 and args[2] is not None else 0) if msg else 0
        if name in ("readv", "recvmsg"):
            return len(s.recv(total, flags)), None, {}
        return s.send(b"\0" * total, flags), None, {}
    if name in ("read", "recv", "recvfrom"):
        flags = args[3] if len(args) > 3 else 0
        data = s.recv(args[2], flags)
        return len(data), None, {}
    if name in ("write", "send", "sendto"):
        flags = args[3] if len(args) > 3 else 0
        if name == "sendto" and len(args) > 4 and args[4] is not None or flags & MSG_FASTOPEN:
            # An address (Fast Open's sendto): connect and send in one call.
            addr = sockaddr(ctx, args[4] if len(args) > 4 else None, ctx.remote)
            n = s.sendto(b"\0" * args[2], flags, addr)
            peers[fd] = (s.getsockname()[1], addr[0], addr[1])
            known.add(peers[fd])
            return n, None, {"lport": s.getsockname()[1], "rport": addr[1]}
        n = s.send(b"\0" * args[2], flags) if name != "write" else os.write(fd, b"\0" * args[2])
        return n, None, {}
    if name == "close":
        del sockets[fd]
        peers.pop(fd, None)
        s.close()
        return 0, None, {}
    if name == "shutdown":
        s.shutdown(args[1])
        return 0, None, {}
    if name == "fcntl":
        if len(args) > 2:
            return fcntl.fcntl(fd, args[1], args[2]), None, {}
        return fcntl.fcntl(fd, args[1]), None, {}
    if name == "setsockopt":
        v = args[3]
        if isinstance(v, dict):
            s.setsockopt(args[1], args[2], struct.pack("ii", v["onoff"], v["linger"]))
        elif isinstance(arg_int(v), int) and arg_int(v) > 0x7fffffff:
            # An unsigned value past int (TCP_NOTSENT_LOWAT's UINT_MAX): Python takes it only as bytes.
            s.setsockopt(args[1], args[2], struct.pack("I", arg_int(v) & 0xffffffff))
        else:
            s.setsockopt(args[1], args[2], arg_int(v))
        return 0, None, {}
    if name == "getsockopt":
        if args[1] == socket.SOL_SOCKET and args[2] == SO_LINGER:
            onoff, linger = struct.unpack("ii", s.getsockopt(args[1], args[2], 8))
            return 0, {"onoff": onoff, "linger": linger}, {}
        v = s.getsockopt(args[1], args[2])
        if args[1] == socket.IPPROTO_TCP and args[2] == TCP_NOTSENT_LOWAT:
            v &= 0xffffffff  # unsigned in the kernel
        return 0, v, {}
    if name == "ioctl":
        buf = fcntl.ioctl(fd, args[1], struct.pack("i", 0))
        return 0, struct.unpack("i", buf)[0], {}
    raise OSError(errno.ENOSYS, "unsupported call " + name)


do_call.last_extra = {}


def encode_out(out):
    if out is None:
        return "-"
    if isinstance(out, dict):
        return "d:" + ",".join("%s=%d" % kv for kv in out.items())
    if isinstance(out, list):
        return "l:" + ",".join(str(x) for x in out)
    return "i:%d" % out


def encode_extra(extra):
    return ",".join("%s=%s" % kv for kv in extra.items()) or "-"


def run_call(ctx, cid, name, args, result_box, is_async):
    if is_async:
        emit("started %s %d" % (cid, time.monotonic_ns()))
    try:
        ret, out, extra = do_call(ctx, name, args)
        result_box.append("done %s %d %d - %s %s" % (cid, time.monotonic_ns(), ret, encode_out(out), encode_extra(extra)))
    except OSError as e:
        code = errno.errorcode.get(e.errno, "E%d" % (e.errno or 0))
        extra = do_call.last_extra if name == "connect" else {}
        result_box.append("done %s %d -1 %s - %s" % (cid, time.monotonic_ns(), code, encode_extra(extra)))
    except Exception as e:  # arguments this helper cannot turn into a real call
        sys.stderr.write("linux_peer: %s(%r): %s\n" % (name, args, e))
        result_box.append("done %s %d -1 UNSUPPORTED - -" % (cid, time.monotonic_ns()))
    emit(result_box[-1])


INFO_FIELDS = ["tcpi_state", "tcpi_ca_state", "tcpi_retransmits", "tcpi_probes", "tcpi_backoff", "tcpi_options",
               "wscale", "flags", "tcpi_rto", "tcpi_ato", "tcpi_snd_mss", "tcpi_rcv_mss", "tcpi_unacked",
               "tcpi_sacked", "tcpi_lost", "tcpi_retrans", "tcpi_fackets", "tcpi_last_data_sent",
               "tcpi_last_ack_sent", "tcpi_last_data_recv", "tcpi_last_ack_recv", "tcpi_pmtu",
               "tcpi_rcv_ssthresh", "tcpi_rtt", "tcpi_rttvar", "tcpi_snd_ssthresh", "tcpi_snd_cwnd",
               "tcpi_advmss", "tcpi_reordering", "tcpi_rcv_rtt", "tcpi_rcv_space", "tcpi_total_retrans"]


def proc_addr(ip):
    """An address as /proc/net/tcp{,6} writes it: 32-bit words in host (little-endian) order."""
    raw = socket.inet_pton(socket.AF_INET6 if ":" in ip else socket.AF_INET, ip)
    return "".join("%08X" % struct.unpack("<I", raw[i:i + 4])[0] for i in range(0, len(raw), 4))


def proc_state(local, lport, remote, rport):
    """The kernel's state of a 4-tuple from /proc/net/tcp (this namespace's); else 10 if a listener has
    the port, else None."""
    table = "/proc/net/tcp6" if ":" in local else "/proc/net/tcp"
    want_local = "%s:%04X" % (proc_addr(local), lport)
    want_remote = "%s:%04X" % (proc_addr(remote), rport)
    listening = False
    with open(table) as f:
        next(f)
        for line in f:
            cols = line.split()
            if cols[1] == want_local and cols[2] == want_remote:
                return int(cols[3], 16)
            if cols[1].endswith(":%04X" % lport) and int(cols[3], 16) == 10:
                listening = True
    return 10 if listening else None


def tcpinfo(local, lport, remote, rport):
    """TCP_INFO of the socket with this 4-tuple if the script still holds it; its state is the kernel's
    state of the 4-tuple (a socket whose connection moved to TIME-WAIT itself reads CLOSE)."""
    state = proc_state(local, lport, remote, rport)
    for fd, peer in list(peers.items()):
        s = sockets.get(fd)
        try:
            if s is not None and peer == (lport, remote, rport):
                raw = s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 232)
                vals = struct.unpack("8B24I", raw[:104])
                info = dict(zip(INFO_FIELDS, vals))
                if len(raw) >= 192:
                    # The chronographs (Linux 4.10+): tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited, usecs.
                    busy, rwnd, sndbuf = struct.unpack("3Q", raw[168:192])
                    info.update(tcpi_busy_time=busy, tcpi_rwnd_limited=rwnd, tcpi_sndbuf_limited=sndbuf)
                if len(raw) >= 224:
                    # Linux 5.4+: tcpi_reord_seen, how often reordering was detected.
                    info["tcpi_reord_seen"] = struct.unpack("I", raw[220:224])[0]
                info["tcpi_snd_wscale"] = info["wscale"] & 0xF
                info["tcpi_rcv_wscale"] = info["wscale"] >> 4
                del info["wscale"], info["flags"]
                if state is not None and state != 10:
                    info["tcpi_state"] = state
                return info
        except OSError:
            continue
    # A socket the application closed (TIME-WAIT, FIN-WAIT-2...) or never accepted: the kernel's table;
    # a connection the script had that is gone from it is CLOSED, even if a listener holds the port.
    if state is None or (state == 10 and (lport, remote, rport) in known):
        state = 7
    return {"tcpi_state": state}


def main():
    global forced_cc
    local, remote, prefix, mtu = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    v6 = ":" in local
    tun = open_tun("jtcp0", local, prefix, mtu, v6)
    # Linux's documented defaults, whatever the host has set (these are per namespace).
    sh("sysctl", "-q", "-w", "net.ipv4.tcp_rmem=4096 131072 6291456", "net.ipv4.tcp_wmem=4096 16384 4194304")
    warm_up(tun, local, remote, v6)
    threading.Thread(target=read_tun, args=(tun,), daemon=True).start()
    ctx = Ctx(local, remote, v6)
    emit("ready")
    for line in sys.stdin:
        parts = line.rstrip("\n").split(" ", 4)
        cmd = parts[0]
        try:
            if cmd == "quit":
                break
            elif cmd == "inject":
                os.write(tun, bytes.fromhex(parts[1]))
            elif cmd == "call":
                cid, is_async, name = parts[1], parts[2] == "1", parts[3]
                args = ast.literal_eval(parts[4])
                box = []
                t = threading.Thread(target=run_call, args=(ctx, cid, name, args, box, is_async), daemon=True)
                t.start()
                if not is_async:
                    t.join(BLOCK_GRACE_S)
                    if t.is_alive():
                        emit("blocked %s" % cid)
            elif cmd == "sysctl":
                value = line.rstrip("\n").split(" ", 2)[2]
                r = subprocess.run(["sysctl", "-q", "-w", "%s=%s" % (parts[1], value)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                if r.returncode != 0 and parts[1] == "net.ipv4.tcp_congestion_control" and cc_available(value):
                    # Outside the initial namespace only tcp_allowed_congestion_control may be the default
                    # (cubic is often not in it); set it on every new socket instead.
                    forced_cc = value.strip()
                elif r.returncode == 0 and parts[1] == "net.ipv4.tcp_congestion_control":
                    forced_cc = None
                elif r.returncode != 0:
                    raise subprocess.CalledProcessError(r.returncode, r.args, stderr=r.stderr)
                emit("ok")
            elif cmd == "tcpinfo":
                info = tcpinfo(parts[1], int(parts[2]), parts[3], int(parts[4]))
                emit("info " + ",".join("%s=%d" % kv for kv in info.items()))
            else:
                emit("err unknown command " + cmd)
        except Exception as e:  # report, keep serving
            emit("err %s: %s" % (type(e).__name__, str(e).replace("\n", " ")))
    os.close(tun)


if __name__ == "__main__":
    main()
