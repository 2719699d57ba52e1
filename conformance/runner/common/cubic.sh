# A baseline jtcp cannot honour: noted, not skipped.
sysctl -q net.ipv4.tcp_congestion_control=cubic
