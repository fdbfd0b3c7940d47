// Building and reading the Ethernet frames the packet pipeline runs:
// Ethernet II, one 802.1Q tag, IPv4 or IPv6. Used by the pipeline itself,
// by tests and by the CLI's packet command.
import { ipv6ToBigInt, macToBigInt } from '../core/network/p4-entries.js';
import { bigIntToPaddedBytes } from '../p4/bytestrings.js';

export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

export interface FrameSpec {
  dstMac: string;
  srcMac: string;
  /** Omit for an untagged frame. */
  vlanId?: number;
  ipv6?: { src: string; dst: string; dscp?: number };
  ipv4?: { src: string; dst: string; dscp?: number };
  /** Anything else: a raw EtherType with no IP header. */
  etherType?: number;
  payload?: Buffer;
}

function ipv4Bytes(text: string): Buffer {
  const o = text.split('.').map(Number);
  if (o.length !== 4 || o.some((x) => !Number.isInteger(x) || x < 0 || x > 255))
    throw new Error(`not an IPv4 address: ${text}`);
  return Buffer.from(o);
}

/** The 16-bit ones' complement checksum of an IPv4 header (checksum field zeroed). */
export function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) {
    if (i === 10) continue;
    sum += (header[i] << 8) | (header[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function buildFrame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.from('zonekeeper');
  const parts: Buffer[] = [
    bigIntToPaddedBytes(macToBigInt(spec.dstMac), 48),
    bigIntToPaddedBytes(macToBigInt(spec.srcMac), 48),
  ];
  const inner = spec.ipv6 ? ETHERTYPE_IPV6 : spec.ipv4 ? ETHERTYPE_IPV4 : (spec.etherType ?? 0x88b5);
  const u16 = (v: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    return b;
  };
  if (spec.vlanId !== undefined) parts.push(u16(ETHERTYPE_VLAN), u16(spec.vlanId & 0x0fff));
  parts.push(u16(inner));
  if (spec.ipv6) {
    const h = Buffer.alloc(40);
    const dscp = spec.ipv6.dscp ?? 0;
    h.writeUInt32BE(((6 << 28) | (dscp << 22)) >>> 0, 0);
    h.writeUInt16BE(payload.length, 4);
    h[6] = 59; // no next header
    h[7] = 64;
    bigIntToPaddedBytes(ipv6ToBigInt(spec.ipv6.src), 128).copy(h, 8);
    bigIntToPaddedBytes(ipv6ToBigInt(spec.ipv6.dst), 128).copy(h, 24);
    parts.push(h);
  } else if (spec.ipv4) {
    const h = Buffer.alloc(20);
    h[0] = 0x45;
    h[1] = (spec.ipv4.dscp ?? 0) << 2;
    h.writeUInt16BE(20 + payload.length, 2);
    h[8] = 64;
    h[9] = 253; // experimental protocol number (RFC 3692)
    ipv4Bytes(spec.ipv4.src).copy(h, 12);
    ipv4Bytes(spec.ipv4.dst).copy(h, 16);
    h.writeUInt16BE(ipv4Checksum(h), 10);
    parts.push(h);
  }
  parts.push(payload);
  return Buffer.concat(parts);
}

export interface ParsedFrame {
  dstMac: bigint;
  srcMac: bigint;
  vlan?: { vid: number; offset: number };
  ipv4?: { offset: number; dst: bigint; dscp: number; ihl: number };
  ipv6?: { offset: number; dst: bigint; dscp: number };
}

/** Parse as zone_switch.p4's parser does; undefined if the frame is too short. */
export function parseFrame(frame: Buffer): ParsedFrame | undefined {
  if (frame.length < 14) return undefined;
  const out: ParsedFrame = { dstMac: BigInt(frame.readUIntBE(0, 6)), srcMac: BigInt(frame.readUIntBE(6, 6)) };
  if (frame.readUInt16BE(12) !== ETHERTYPE_VLAN) return out;
  if (frame.length < 18) return undefined;
  out.vlan = { vid: frame.readUInt16BE(14) & 0x0fff, offset: 14 };
  const inner = frame.readUInt16BE(16);
  const ip = 18;
  if (inner === ETHERTYPE_IPV4) {
    if (frame.length < ip + 20) return undefined;
    out.ipv4 = {
      offset: ip,
      dst: BigInt(frame.readUInt32BE(ip + 16)),
      dscp: frame[ip + 1] >> 2,
      ihl: frame[ip] & 0x0f,
    };
  } else if (inner === ETHERTYPE_IPV6) {
    if (frame.length < ip + 40) return undefined;
    let dst = 0n;
    for (let i = 0; i < 16; i++) dst = (dst << 8n) | BigInt(frame[ip + 24 + i]);
    out.ipv6 = { offset: ip, dst, dscp: (frame.readUInt16BE(ip) >> 6) & 0x3f };
  }
  return out;
}
