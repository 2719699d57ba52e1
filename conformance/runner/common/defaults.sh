#!/bin/bash
# A settings file in the style of the public suites' defaults.sh, for the runner's own tests.
# Written for jtcp; the runner reads it, it is never executed.

ip tcp_metrics flush all > /dev/null 2>&1

# Buffers: the largest receive buffer decides the window scale (15 MiB: wscale 8).
sysctl -q net.ipv4.tcp_rmem="4096 540000 $((15*1024*1024))"
sysctl -q net.ipv4.tcp_wmem="4096 $((256*1024)) 4194304"

sysctl -q net.ipv4.tcp_timestamps=1 net.ipv4.tcp_sack=1   # two settings on one line
sysctl -q net.ipv4.tcp_dsack=1
sysctl -q -w net/ipv4/tcp_reordering=3
sysctl -q net.ipv4.tcp_fastopen=0x70403
sysctl -q net.ipv4.tcp_ecn=0

tc qdisc add dev tun0 root pfifo
