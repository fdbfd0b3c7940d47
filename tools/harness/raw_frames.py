# Raw Ethernet frames on Linux packet sockets, shared by the packet helpers
# (packet-io.py for the BMv2 differential test, zone-probe.py for the zone
# network tests): a socket that sees every frame of an interface, and the
# 802.1Q tag the kernel may have taken out of a received frame put back.
import socket
import struct

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40


def packet_socket(iface, receive=True):
    """A raw socket on IFACE; for receiving, non-blocking and with the auxdata that carries a stripped tag."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    if receive:
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.setblocking(False)
    return s


def with_vlan_tag(data, ancdata):
    # VLAN offload may take the tag out of the frame and report it beside it.
    for level, kind, cdata in ancdata:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cdata) >= 20:
            status, _len, _snap, _mac, _net, tci, tpid = struct.unpack("IIIHHHH", cdata[:20])
            if status & TP_STATUS_VLAN_VALID:
                tpid = tpid if status & TP_STATUS_VLAN_TPID_VALID else 0x8100
                return data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data
