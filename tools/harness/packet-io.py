#!/usr/bin/env python3
# Sends raw Ethernet frames into BMv2's data ports and reports what comes
# out, for the differential packet tests. Runs inside the test's network
# namespace (ip netns exec), where interface hN is the far end of BMv2 port N.
# stdin: one JSON object {"ports": [0, 1, ...], "frames": [{"port": N,
# "hex": "..."}], "wait_ms": 300}. stdout: one JSON list, per frame, of
# {"port": N, "hex": "..."} received on any port. Frames are sent one at a
# time; only frames carrying the sent frame's 8-byte tag (its last 8 bytes)
# count, so kernel chatter on the links is ignored.
import json
import select
import socket
import sys
import time

from raw_frames import packet_socket, with_vlan_tag


def main():
    req = json.load(sys.stdin)
    socks = {}
    for p in req["ports"]:
        socks[p] = packet_socket(f"h{p}")
    wait = req.get("wait_ms", 300) / 1000.0
    out = []
    for f in req["frames"]:
        frame = bytes.fromhex(f["hex"])
        tag = frame[-8:]
        for s in socks.values():  # drop anything queued before this frame
            try:
                while s.recv(65535):
                    pass
            except BlockingIOError:
                pass
        socks[f["port"]].send(frame)
        got = []
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select(list(socks.values()), [], [], left)
            for s in ready:
                port = next(p for p, x in socks.items() if x is s)
                try:
                    while True:
                        data, ancdata, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(64))
                        # PACKET_OUTGOING is our own send on the ingress link.
                        if addr[2] == socket.PACKET_OUTGOING:
                            continue
                        data = with_vlan_tag(data, ancdata)
                        if data.endswith(tag):
                            got.append({"port": port, "hex": data.hex()})
                except BlockingIOError:
                    pass
        out.append(got)
    json.dump(out, sys.stdout)


main()
