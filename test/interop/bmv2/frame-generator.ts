// Seeded property-based frames for the differential packet test: from any
// port, tagged or not, IPv4 or IPv6, to an instance of the same zone, of
// another zone, on another zone's VLAN (spoofed), to the router, to an
// unknown destination, or a neighbour solicitation for an instance of the
// same zone (to its solicited-node group). Each frame ends with a unique 8-byte tag so the
// packet helper can tell it from anything else on the links.
import fc from 'fast-check';
import { instanceMac, solicitedNodeGroup, solicitedNodeMac } from '../../../src/core/network/p4-entries.js';
import type { ZoneNetworkPlan } from '../../../src/core/network/types.js';
import { buildFrame, ipv4Checksum } from '../../../src/switch/frame.js';

export type FrameKind =
  'in-zone' | 'cross-zone' | 'spoofed-vlan' | 'router' | 'unknown-destination' | 'neighbour-solicitation';

export interface TestFrame {
  kind: FrameKind;
  tagged: boolean;
  family: 4 | 6;
  port: number;
  frame: Buffer;
  what: string;
}

/** The same IPv4 frame with one 4-byte option (four NOPs): IHL 6, length and checksum fixed. */
export function withIpv4Option(frame: Buffer, ipOffset: number): Buffer {
  const out = Buffer.concat([
    frame.subarray(0, ipOffset + 20),
    Buffer.from([1, 1, 1, 1]),
    frame.subarray(ipOffset + 20),
  ]);
  out[ipOffset] = 0x46;
  out.writeUInt16BE(out.readUInt16BE(ipOffset + 2) + 4, ipOffset + 2);
  out.writeUInt16BE(ipv4Checksum(out.subarray(ipOffset, ipOffset + 24)), ipOffset + 10);
  return out;
}

/** `portOf`: the switch port of a provider; frames come from the sender's own port or from any of `ports`. */
export function generateFrames(
  plans: ZoneNetworkPlan[],
  ports: number[],
  portOf: (provider: string) => number,
  router: string,
  seed: number,
  count: number,
): TestFrame[] {
  const zone = fc.integer({ min: 0, max: plans.length - 1 });
  const spec = fc.record({
    kind: fc.constantFrom<FrameKind>(
      'in-zone',
      'cross-zone',
      'spoofed-vlan',
      'router',
      'unknown-destination',
      'neighbour-solicitation',
    ),
    tagged: fc.constantFrom(true, true, true, false),
    family: fc.constantFrom<4 | 6>(6, 6, 4),
    z: zone,
    w: zone,
    src: fc.nat(),
    dst: fc.nat(),
    fromOwnPort: fc.constantFrom(true, true, false),
    port: fc.constantFrom(...ports),
    unknown: fc.bigInt({ min: 1n, max: (1n << 40n) - 1n }),
    ipv4Options: fc.constantFrom(false, false, true),
  });
  return fc.sample(spec, { seed, numRuns: count }).map((s, i) => {
    const from = plans[s.z];
    const other = plans[s.w === s.z ? (s.w + 1) % plans.length : s.w];
    const src = from.instances[s.src % from.instances.length];
    const target = s.kind === 'cross-zone' || s.kind === 'spoofed-vlan' ? other : from;
    const dst = target.instances[s.dst % target.instances.length];
    if (!src || !dst) throw new Error('a zone without instances');
    const vlan = s.kind === 'spoofed-vlan' ? other.vlanId : from.vlanId;
    let dstMac = instanceMac(dst.address);
    let dstAddr = dst.address;
    if (s.kind === 'router') {
      dstMac = '02:ff:00:00:00:01';
      dstAddr = router;
    }
    if (s.kind === 'unknown-destination') {
      dstMac = `02:${s.unknown
        .toString(16)
        .padStart(10, '0')
        .replace(/(..)(?!$)/g, '$1:')}`;
      dstAddr = `2001:db8::${(s.unknown & 0xffffn).toString(16)}`;
    }
    const solicit = s.kind === 'neighbour-solicitation';
    if (solicit) {
      dstMac = solicitedNodeMac(dst.address);
      dstAddr = solicitedNodeGroup(dst.address);
    }
    // IPv4: the zone's network is IPv6; an IPv4 frame carries private addresses.
    const ip =
      s.family === 6 || solicit
        ? { ipv6: { src: src.address, dst: dstAddr } }
        : { ipv4: { src: '10.0.0.5', dst: `10.${vlan & 0xff}.0.${i & 0xff}` } };
    const port = s.fromOwnPort ? portOf(src.provider) : s.port;
    const tag = Buffer.alloc(8);
    tag.writeUInt32BE(seed >>> 0, 0);
    tag.writeUInt32BE(i, 4);
    const plain = buildFrame({
      dstMac,
      srcMac: instanceMac(src.address),
      ...(s.tagged ? { vlanId: vlan } : {}),
      ...ip,
      payload: Buffer.concat([Buffer.from('zonekeeper differential '), tag]),
    });
    const options = s.family === 4 && !solicit && s.ipv4Options;
    const frame = options ? withIpv4Option(plain, s.tagged ? 18 : 14) : plain;
    const family = `IPv${solicit ? 6 : s.family}${options ? ' with options' : ''}`;
    return {
      kind: s.kind,
      tagged: s.tagged,
      family: solicit ? 6 : s.family,
      port,
      frame,
      what: `#${i} ${s.kind} ${s.tagged ? `VLAN ${vlan}` : 'untagged'} ${family} port ${port} -> ${ip.ipv6?.dst ?? ip.ipv4?.dst ?? ''}`,
    };
  });
}
