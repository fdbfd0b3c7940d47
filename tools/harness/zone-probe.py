#!/usr/bin/env python3
# Packet probes for the end-to-end zone network tests, run inside an
# instance's or the router's network namespace (ip netns exec):
#
#   udp-recv PORT WAIT_MS          print "ready", then one JSON line: the first
#                                  datagram's sender, payload and the Traffic
#                                  Class it arrived with, or {"timeout": true}
#                                  WAIT_MS after a line on stdin (the caller
#                                  writes one once it has sent)
#   udp-send ADDR PORT PAYLOAD     one datagram through the kernel's stack
#   raw-udp IFACE VLAN SRC_MAC DST_MAC SRC DST PORT PAYLOAD
#                                  one 802.1Q-tagged IPv6/UDP frame written on
#                                  IFACE as it is (any VLAN tag, as a
#                                  misbehaving instance could)
#   capture IFACE WAIT_MS TAG      print "ready", then one JSON line: every
#                                  frame seen on IFACE whose bytes contain TAG
#                                  (hex, with its 802.1Q tag put back) until
#                                  WAIT_MS after a line on stdin
import json
import select
import socket
import struct
import sys
import time

from raw_frames import packet_socket, with_vlan_tag

IPV6_RECVTCLASS = getattr(socket, "IPV6_RECVTCLASS", 66)
IPV6_TCLASS = getattr(socket, "IPV6_TCLASS", 67)


def ready():
    print("ready", flush=True)


def wait_for(sock, wait_ms):
    """True once `sock` is readable; gives up WAIT_MS after a line on stdin
    says the probe was sent (process start-up on a busy machine takes
    seconds, so the time counts from the send, not from here)."""
    deadline = time.monotonic() + 120
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([sock, sys.stdin], [], [], left)
        if sock in r:
            return True
        if sys.stdin in r:
            sys.stdin.readline()
            deadline = time.monotonic() + int(wait_ms) / 1000.0


def udp_recv(port, wait_ms):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVTCLASS, 1)
    s.bind(("::", int(port)))
    ready()
    if not wait_for(s, wait_ms):
        print(json.dumps({"timeout": True}), flush=True)
        return
    data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(4))
    tclass = None
    for level, kind, cdata in anc:
        if level == socket.IPPROTO_IPV6 and kind == IPV6_TCLASS:
            tclass = struct.unpack("i", cdata[:4])[0]
    print(json.dumps({"from": addr[0], "payload": data.decode("utf-8", "replace"), "tclass": tclass}), flush=True)


def udp_send(addr, port, payload):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.sendto(payload.encode(), (addr, int(port)))


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def raw_udp(iface, vlan, src_mac, dst_mac, src, dst, port, payload):
    body = payload.encode()
    src_b = socket.inet_pton(socket.AF_INET6, src)
    dst_b = socket.inet_pton(socket.AF_INET6, dst)
    length = 8 + len(body)
    udp = struct.pack("!HHHH", 40000, int(port), length, 0) + body
    pseudo = src_b + dst_b + struct.pack("!IxxxB", length, 17)
    c = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip6 = struct.pack("!IHBB", 6 << 28, length, 17, 64) + src_b + dst_b
    frame = mac_bytes(dst_mac) + mac_bytes(src_mac) + struct.pack("!HH", 0x8100, int(vlan) & 0xFFF)
    frame += struct.pack("!H", 0x86DD) + ip6 + udp
    packet_socket(iface, receive=False).send(frame)


def capture(iface, wait_ms, tag):
    s = packet_socket(iface)
    ready()
    needle = tag.encode()
    got = []
    deadline = time.monotonic() + 120
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([s, sys.stdin], [], [], left)
        if sys.stdin in r:
            # The probe was sent: WAIT_MS more from now (see wait_for).
            sys.stdin.readline()
            deadline = time.monotonic() + int(wait_ms) / 1000.0
        if s not in r:
            continue
        try:
            while True:
                data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(64))
                if addr[2] == socket.PACKET_OUTGOING:
                    continue
                data = with_vlan_tag(data, anc)
                if needle in data:
                    got.append(data.hex())
        except BlockingIOError:
            pass
    print(json.dumps(got), flush=True)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"udp-recv": udp_recv, "udp-send": udp_send, "raw-udp": raw_udp, "capture": capture}[cmd](*args)


main()
