#!/usr/bin/env python3
# An 802.1Q sub-interface in user space, for kernels built without VLAN
# devices (no 8021q, no bridge VLAN filtering): the instance's zone interface
# is a TAP device; what the instance sends on it leaves LOWER tagged with
# VID, and what arrives on LOWER tagged with VID reaches it untagged. The
# packet stand-in starts one per instance, inside the instance's namespace
# (ip netns exec), and stops it with the namespace; it also ends when its
# parent dies.
#
#   vlan-tagger.py TAP LOWER VID
import ctypes
import fcntl
import os
import select
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
PR_SET_PDEATHSIG = 1


def main():
    tap_name, lower, vid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", tap_name.encode(), IFF_TAP | IFF_NO_PI))
    wire = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    wire.bind((lower, 0))
    wire.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    tag = struct.pack("!HH", 0x8100, vid & 0x0FFF)
    print(f"vlan-tagger: {tap_name} <-> {lower} VLAN {vid}", flush=True)
    while True:
        ready, _, _ = select.select([tap, wire], [], [])
        if tap in ready:
            frame = os.read(tap, 65535)
            if len(frame) >= 14:
                wire.send(frame[:12] + tag + frame[12:])
        if wire in ready:
            data, anc, _flags, addr = wire.recvmsg(65535, socket.CMSG_SPACE(64))
            if addr[2] == socket.PACKET_OUTGOING or len(data) < 14:
                continue
            got = None
            for level, kind, cdata in anc:
                # The kernel may have taken the tag out of the frame already.
                if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cdata) >= 20:
                    status, _len, _snap, _mac, _net, tci, _tpid = struct.unpack("IIIHHHH", cdata[:20])
                    if status & TP_STATUS_VLAN_VALID:
                        got = (tci & 0x0FFF, data)
            if got is None and len(data) >= 18 and data[12:14] == b"\x81\x00":
                got = (struct.unpack("!H", data[14:16])[0] & 0x0FFF, data[:12] + data[16:])
            if got is not None and got[0] == vid:
                os.write(tap, got[1])


main()
