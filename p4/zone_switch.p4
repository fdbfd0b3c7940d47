/*
 * zone_switch.p4 -- the zonekeeper zone switch (P4_16, v1model).
 *
 * One VLAN per execution zone, port 0 a trunk to the router (the paper's
 * Figure 5), the zone's Table IV privacy mark written into the DSCP bits,
 * and every packet that breaks the zone's rules dropped. Every table and
 * action ID is pinned with @id so that the P4Info (zone_switch.p4info.txtpb)
 * and every controller that wrote entries keep their meaning across
 * recompiles.
 *
 * Pipeline, in order; each table drops by default (default deny):
 *   zone_admit    (ingress port, VLAN)     -> is this port a member of the zone?
 *   zone_mark     (VLAN)                   -> the zone's DSCP privacy mark
 *   zone_acl      (VLAN, destination)      -> own network, VPN peers, router;
 *                                             released instances dropped
 *   mac_forward   (VLAN, destination MAC)  -> output port; a miss goes to port 0
 *   egress_vlan   (VLAN, egress port)      -> may this port carry the zone?
 *
 * IPv4 destinations are looked up as IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d, RFC 4291) so one ACL serves both families.
 */
#include <core.p4>
#include <v1model.p4>

const bit<16> ETHERTYPE_VLAN = 0x8100;
const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<16> ETHERTYPE_IPV6 = 0x86dd;
const bit<9>  TRUNK_PORT     = 0;

typedef bit<48>  mac_addr_t;
typedef bit<12>  vlan_id_t;
typedef bit<9>   port_t;

header ethernet_t {
    mac_addr_t dstAddr;
    mac_addr_t srcAddr;
    bit<16>    etherType;
}

header vlan_t {
    bit<3>     pcp;
    bit<1>     dei;
    vlan_id_t  vid;
    bit<16>    etherType;
}

header ipv4_t {
    bit<4>   version;
    bit<4>   ihl;
    bit<6>   dscp;
    bit<2>   ecn;
    bit<16>  totalLen;
    bit<16>  identification;
    bit<3>   flags;
    bit<13>  fragOffset;
    bit<8>   ttl;
    bit<8>   protocol;
    bit<16>  hdrChecksum;
    bit<32>  srcAddr;
    bit<32>  dstAddr;
}

header ipv6_t {
    bit<4>   version;
    bit<6>   dscp;
    bit<2>   ecn;
    bit<20>  flowLabel;
    bit<16>  payloadLen;
    bit<8>   nextHdr;
    bit<8>   hopLimit;
    bit<128> srcAddr;
    bit<128> dstAddr;
}

struct headers_t {
    ethernet_t ethernet;
    vlan_t     vlan;
    ipv4_t     ipv4;
    ipv6_t     ipv6;
}

struct metadata_t {
    /* The destination as an IPv6 address (IPv4-mapped for IPv4). */
    bit<128> dst_addr;
}

parser ZoneParser(packet_in packet, out headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t standard_metadata) {
    state start {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
            ETHERTYPE_VLAN: parse_vlan;
            default: accept;
        }
    }
    state parse_vlan {
        packet.extract(hdr.vlan);
        transition select(hdr.vlan.etherType) {
            ETHERTYPE_IPV4: parse_ipv4;
            ETHERTYPE_IPV6: parse_ipv6;
            default: accept;
        }
    }
    state parse_ipv4 {
        packet.extract(hdr.ipv4);
        transition accept;
    }
    state parse_ipv6 {
        packet.extract(hdr.ipv6);
        transition accept;
    }
}

control ZoneVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control ZoneIngress(inout headers_t hdr, inout metadata_t meta,
                    inout standard_metadata_t standard_metadata) {

    @id(0x01000001) action drop() {
        mark_to_drop(standard_metadata);
    }

    /* zone_admit: the port is a member of the zone's VLAN. */
    @id(0x01000002) action admit() { }

    /* zone_mark: the zone's privacy mark (Table IV bits 7..2 = DSCP). */
    @id(0x01000003) action set_dscp(bit<6> dscp) {
        if (hdr.ipv4.isValid()) {
            hdr.ipv4.dscp = dscp;
        }
        if (hdr.ipv6.isValid()) {
            hdr.ipv6.dscp = dscp;
        }
    }

    /* zone_acl: the destination is one the zone may reach. */
    @id(0x01000004) action acl_permit() { }

    /* mac_forward: a known instance behind this port. */
    @id(0x01000005) action forward(port_t port) {
        standard_metadata.egress_spec = port;
    }

    /* mac_forward miss: up the trunk to the router (paper, Figure 5). */
    @id(0x01000006) action to_trunk() {
        standard_metadata.egress_spec = TRUNK_PORT;
    }

    @id(0x02000001) table zone_admit {
        key = {
            standard_metadata.ingress_port : exact;
            hdr.vlan.vid                   : exact;
        }
        actions = { admit; @defaultonly drop; }
        default_action = drop();
        /* 4,094 zones, each on the trunk and up to three provider ports. */
        size = 16384;
    }

    /* Packets and bytes per zone: one zone_mark entry per VLAN, so this
     * counts each zone's admitted IP traffic (the termination condition
     * "network idleness" reads it; docs/p4.md, "Per-zone counters"). */
    @id(0x13000001) direct_counter(CounterType.packets_and_bytes) zone_traffic;

    @id(0x02000002) table zone_mark {
        key = {
            hdr.vlan.vid : exact;
        }
        actions = { set_dscp; @defaultonly drop; }
        default_action = drop();
        counters = zone_traffic;
        size = 4096;
    }

    @id(0x02000003) table zone_acl {
        key = {
            hdr.vlan.vid  : exact;
            meta.dst_addr : ternary;
        }
        actions = { acl_permit; drop; }
        default_action = drop();
        /* 4,094 zones with eight destination rules each, and as many
         * again for the addresses of released instances (a drop above the
         * zone's own network, so they do not go up the trunk). */
        size = 65536;
    }

    @id(0x02000004) table mac_forward {
        key = {
            hdr.vlan.vid         : exact;
            hdr.ethernet.dstAddr : exact;
        }
        actions = { forward; to_trunk; drop; }
        default_action = to_trunk();
        size = 65536;
    }

    apply {
        /* Only tagged frames belong to a zone. */
        if (!hdr.vlan.isValid()) {
            drop();
            exit;
        }
        /* A miss ran the default drop; exit so no later action undoes it. */
        if (!zone_admit.apply().hit) {
            exit;
        }
        /* ipv4_t has no options, and the checksum update covers the fixed
         * 20 bytes: a packet with options (IHL > 5) would leave with a wrong
         * header checksum, and IHL < 5 is malformed. Zones carry no IPv4
         * options, so such packets are dropped. */
        if (hdr.ipv4.isValid() && hdr.ipv4.ihl != 5) {
            drop();
            exit;
        }
        if (hdr.ipv4.isValid()) {
            meta.dst_addr = ((bit<96>)0xffff) ++ hdr.ipv4.dstAddr;
        } else if (hdr.ipv6.isValid()) {
            meta.dst_addr = hdr.ipv6.dstAddr;
        } else {
            /* Zones carry IP only. */
            drop();
            exit;
        }
        if (!zone_mark.apply().hit) {
            exit;
        }
        switch (zone_acl.apply().action_run) {
            acl_permit: {
                mac_forward.apply();
                /* Never hairpin a frame out of the port it came in on. */
                if (standard_metadata.egress_spec == standard_metadata.ingress_port) {
                    drop();
                }
            }
        }
    }
}

control ZoneEgress(inout headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t standard_metadata) {

    @id(0x01000007) action egress_drop() {
        mark_to_drop(standard_metadata);
    }

    @id(0x01000008) action egress_permit() { }

    /* A port carries a zone's frames only if it is a member of the VLAN. */
    @id(0x02000005) table egress_vlan {
        key = {
            hdr.vlan.vid                 : exact;
            standard_metadata.egress_port : exact;
        }
        actions = { egress_permit; @defaultonly egress_drop; }
        default_action = egress_drop();
        size = 16384;
    }

    apply {
        egress_vlan.apply();
    }
}

control ZoneComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply {
        /* The DSCP rewrite changed the IPv4 header; IPv6 has no checksum. */
        update_checksum(
            hdr.ipv4.isValid(),
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.dscp, hdr.ipv4.ecn,
              hdr.ipv4.totalLen, hdr.ipv4.identification, hdr.ipv4.flags,
              hdr.ipv4.fragOffset, hdr.ipv4.ttl, hdr.ipv4.protocol,
              hdr.ipv4.srcAddr, hdr.ipv4.dstAddr },
            hdr.ipv4.hdrChecksum,
            HashAlgorithm.csum16);
    }
}

control ZoneDeparser(packet_out packet, in headers_t hdr) {
    apply {
        packet.emit(hdr.ethernet);
        packet.emit(hdr.vlan);
        packet.emit(hdr.ipv4);
        packet.emit(hdr.ipv6);
    }
}

V1Switch(ZoneParser(), ZoneVerifyChecksum(), ZoneIngress(), ZoneEgress(),
         ZoneComputeChecksum(), ZoneDeparser()) main;
