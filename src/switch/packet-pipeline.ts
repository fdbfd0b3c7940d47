// zone_switch.p4's control flow, run in software over the tables a
// controller installed: the same tables, keys, actions and order as the P4
// program (p4/zone_switch.p4), so a test of this pipeline is a test of what
// the program does with those entries.
import { TABLES } from '../core/network/p4-entries.js';
import type { TableStore } from './table-store.js';
import { ipv4Checksum, parseFrame } from './frame.js';

export type PacketResult =
  | { verdict: 'forward'; egressPort: number; vlanId: number; dscp: number; frame: Buffer }
  | { verdict: 'drop'; stage: string; reason: string };

const IPV4_MAPPED = 0xffffn << 32n;

const drop = (stage: string, reason: string): PacketResult => ({ verdict: 'drop', stage, reason });

export function processFrame(store: TableStore | undefined, input: Buffer, ingressPort: number): PacketResult {
  if (!store) return drop('pipeline', 'no forwarding pipeline config has been set');
  for (const t of Object.values(TABLES))
    if (!store.p4info.tableByName(t)) return drop('pipeline', `the installed P4Info is not zone_switch (no ${t})`);
  const frame = Buffer.from(input);
  const p = parseFrame(frame);
  if (!p) return drop('parser', 'truncated frame');
  if (!p.vlan) return drop('ingress', 'untagged frame: only tagged frames belong to a zone');
  const vid = BigInt(p.vlan.vid);
  const port = BigInt(ingressPort);

  if (!store.lookup(TABLES.admit, [port, vid]).hit)
    return drop(TABLES.admit, `port ${ingressPort} is not admitted to VLAN ${p.vlan.vid}`);

  // zone_switch.p4 drops IPv4 with options (or a malformed IHL) before any lookup.
  if (p.ipv4 && p.ipv4.ihl !== 5)
    return drop('ingress', `IPv4 header length ${p.ipv4.ihl * 4} bytes: options are not carried`);

  let dst: bigint;
  if (p.ipv4) dst = IPV4_MAPPED | p.ipv4.dst;
  else if (p.ipv6) dst = p.ipv6.dst;
  else return drop('ingress', 'not an IP packet: zones carry IP only');

  // zone_mark carries the direct counter zone_traffic: a hit counts the frame as received.
  const mark = store.lookup(TABLES.mark, [vid], input.length);
  if (!mark.hit) return drop(TABLES.mark, `VLAN ${p.vlan.vid} has no privacy mark`);
  const dscp = Number(mark.params.get('dscp') ?? 0n);
  if (p.ipv4) {
    const o = p.ipv4.offset;
    frame[o + 1] = (dscp << 2) | (frame[o + 1] & 0x03);
    // update_checksum(csum16) in ZoneComputeChecksum: over ipv4_t, the fixed 20 bytes.
    frame.writeUInt16BE(ipv4Checksum(frame.subarray(o, o + 20)), o + 10);
  } else if (p.ipv6) {
    const o = p.ipv6.offset;
    const w = frame.readUInt16BE(o);
    frame.writeUInt16BE((w & 0xf03f) | (dscp << 6), o);
  }

  const acl = store.lookup(TABLES.acl, [vid, dst]);
  if (acl.actionName !== 'acl_permit')
    return drop(
      TABLES.acl,
      `destination is not in VLAN ${p.vlan.vid}'s allowed set${acl.hit ? ' (explicit drop rule)' : ''}`,
    );

  const fwd = store.lookup(TABLES.forward, [vid, p.dstMac]);
  let egress: number;
  if (fwd.actionName === 'forward') egress = Number(fwd.params.get('port') ?? 0n);
  else if (fwd.actionName === 'to_trunk') egress = 0;
  else return drop(TABLES.forward, 'forwarding entry drops the frame');
  if (egress === ingressPort) return drop('ingress', `would hairpin out of ingress port ${ingressPort}`);

  if (!store.lookup(TABLES.egress, [vid, BigInt(egress)]).hit)
    return drop(TABLES.egress, `port ${egress} is not a member of VLAN ${p.vlan.vid}`);
  return { verdict: 'forward', egressPort: egress, vlanId: p.vlan.vid, dscp, frame };
}
