// The P4 entry plan: from the zones' network plans and the switch's port map
// to the table entries zone_switch.p4 needs, by table, field, action and
// parameter NAME (the sidecar translates names to P4Info IDs). Pure: no I/O,
// no clock; the same plans always give the same entries in the same order.
import type { ZoneNetworkPlan } from './types.js';

export interface SwitchPortMap {
  /** The trunk to the router (the paper's port 0). */
  trunkPort: number;
  /** The switch port behind which each provider's instances sit. */
  providerPorts: Record<string, number>;
  /** Router addresses every zone may reach (IPv6, optionally with /len). */
  routerAddresses?: string[];
  /** Networks behind each provider's VPN peer (`<Provider>-SWITCH`), IPv6 prefixes. */
  vpnPeerNetworks?: Record<string, string[]>;
}

export type MatchKind = 'exact' | 'ternary' | 'lpm';

export interface PlannedMatch {
  field: string;
  kind: MatchKind;
  /** An unsigned integer as text BigInt() reads: `1000` or `0xfd3f...`. */
  value: string;
  /** ternary only */
  mask?: string;
  /** lpm only */
  prefixLen?: number;
}

export interface PlannedParam {
  name: string;
  value: string;
}

export interface PlannedEntry {
  table: string;
  match: PlannedMatch[];
  /** 0 for tables of exact fields only; higher wins. */
  priority: number;
  action: string;
  params: PlannedParam[];
}

export interface ZoneP4Entries {
  /** The zone's application id; the sidecar's unit of ownership. */
  zone: string;
  vlanId: number;
  entries: PlannedEntry[];
}

export interface PlanProblem {
  path: string;
  reason: string;
}

export interface P4EntryPlan {
  zones: ZoneP4Entries[];
  problems: PlanProblem[];
}

export const TABLES = {
  admit: 'ZoneIngress.zone_admit',
  mark: 'ZoneIngress.zone_mark',
  acl: 'ZoneIngress.zone_acl',
  forward: 'ZoneIngress.mac_forward',
  egress: 'ZoneEgress.egress_vlan',
} as const;

export const ACL_PRIORITY = { released: 110, ownNetwork: 100, linkLocal: 90, router: 80, vpnPeer: 70 } as const;

const ALL_ONES_128 = (1n << 128n) - 1n;

/** Parse IPv6 text (with `::` and an optional dotted IPv4 tail) to a 128-bit integer. */
export function ipv6ToBigInt(text: string): bigint {
  const s = text.trim().toLowerCase();
  if (!/^[0-9a-f:.]+$/.test(s)) throw new Error(`not an IPv6 address: ${text}`);
  const halves = s.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${text}`);
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const o = g.split('.').map(Number);
        if (o.length !== 4 || o.some((x) => !Number.isInteger(x) || x < 0 || x > 255))
          throw new Error(`bad IPv4 tail in ${text}`);
        out.push((o[0] << 8) | o[1], (o[2] << 8) | o[3]);
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(g)) throw new Error(`not an IPv6 address: ${text}`);
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0 || (halves.length === 2 && fill < 1))
    throw new Error(`not an IPv6 address: ${text}`);
  const all = [...head, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** `fd3f:e79f:d35c:3e8::/64` -> value and prefix length (host bits cleared). */
export function parseIpv6Prefix(text: string): { value: bigint; prefixLen: number } {
  const [addr, len] = text.split('/');
  const prefixLen = len === undefined ? 128 : Number(len);
  if (!Number.isInteger(prefixLen) || prefixLen < 1 || prefixLen > 128) throw new Error(`bad prefix length in ${text}`);
  const mask = ALL_ONES_128 ^ ((1n << BigInt(128 - prefixLen)) - 1n);
  return { value: ipv6ToBigInt(addr) & mask, prefixLen };
}

export function prefixMask128(prefixLen: number): bigint {
  return ALL_ONES_128 ^ ((1n << BigInt(128 - prefixLen)) - 1n);
}

/**
 * The MAC address an instance must carry on its zone interface: a locally
 * administered unicast address (02:…) holding the low 40 bits of its IPv6
 * address, so the switch can forward to it without learning.
 */
export function instanceMac(address: string): string {
  const low = ipv6ToBigInt(address) & ((1n << 40n) - 1n);
  return macText((0x02n << 40n) | low);
}

/** A 48-bit value as `aa:bb:cc:dd:ee:ff`. */
function macText(v: bigint): string {
  return v
    .toString(16)
    .padStart(12, '0')
    .replace(/(..)(?!$)/g, '$1:');
}

/**
 * The Ethernet address a neighbour solicitation for this address goes to:
 * the solicited-node multicast group ff02::1:ffXX:XXXX (RFC 4291, 2.7.1)
 * holds the address's low 24 bits, and an IPv6 multicast group maps to
 * 33:33 and its low 32 bits (RFC 2464, 7). So 33:33:ff and the low 24 bits.
 */
export function solicitedNodeMac(address: string): string {
  return macText((0x3333ffn << 24n) | (ipv6ToBigInt(address) & 0xffffffn));
}

/** The solicited-node multicast group of an address, `ff02::1:ffXX:XXXX` (its low 24 bits). */
export function solicitedNodeGroup(address: string): string {
  const low = ipv6ToBigInt(address) & 0xffffffn;
  return `ff02::1:ff${(low >> 16n).toString(16).padStart(2, '0')}:${(low & 0xffffn).toString(16)}`;
}

export function macToBigInt(mac: string): bigint {
  const hex = mac.replace(/[:-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) throw new Error(`not a MAC address: ${mac}`);
  return BigInt(`0x${hex}`);
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const exact = (field: string, value: bigint | number): PlannedMatch => ({ field, kind: 'exact', value: String(value) });

function aclEntry(
  vlan: number,
  prefix: { value: bigint; prefixLen: number },
  priority: number,
  action = 'ZoneIngress.acl_permit',
): PlannedEntry {
  return {
    table: TABLES.acl,
    match: [
      exact('hdr.vlan.vid', vlan),
      { field: 'meta.dst_addr', kind: 'ternary', value: hex(prefix.value), mask: hex(prefixMask128(prefix.prefixLen)) },
    ],
    priority,
    action,
    params: [],
  };
}

/** Plan the entries of every zone. Zones with a problem are left out whole. */
export function planP4Entries(plans: readonly ZoneNetworkPlan[], ports: SwitchPortMap): P4EntryPlan {
  const zones: ZoneP4Entries[] = [];
  const problems: PlanProblem[] = [];
  const vlansSeen = new Map<number, string>();
  const routerPrefixes: { value: bigint; prefixLen: number }[] = [];
  for (const [i, r] of (ports.routerAddresses ?? []).entries()) {
    try {
      routerPrefixes.push(parseIpv6Prefix(r));
    } catch (e) {
      problems.push({ path: `ports.routerAddresses[${i}]`, reason: (e as Error).message });
    }
  }

  for (const [zi, plan] of plans.entries()) {
    const path = `plans[${zi}]`;
    const zoneProblems: PlanProblem[] = [];
    const v = plan.vlanId;
    if (!Number.isInteger(v) || v < 1 || v > 4094)
      zoneProblems.push({ path: `${path}.vlanId`, reason: `VLAN ${v} is outside 1–4094` });
    const other = vlansSeen.get(v);
    if (other !== undefined)
      zoneProblems.push({ path: `${path}.vlanId`, reason: `VLAN ${v} is also used by zone ${other}` });
    if (!Number.isInteger(plan.marking.dscp) || plan.marking.dscp < 0 || plan.marking.dscp > 63)
      zoneProblems.push({ path: `${path}.marking.dscp`, reason: `DSCP ${plan.marking.dscp} is outside 0–63` });

    const providers = [
      ...new Set([...plan.instances.map((x) => x.provider), ...plan.vpn.map((x) => x.provider)]),
    ].sort();
    const providerPorts: number[] = [];
    for (const p of providers) {
      const port = ports.providerPorts[p];
      if (port === undefined)
        zoneProblems.push({ path: `${path}.instances`, reason: `provider ${p} has no switch port` });
      else if (port === ports.trunkPort)
        zoneProblems.push({ path: `ports.providerPorts.${p}`, reason: `provider ${p} is on the trunk port ${port}` });
      else if (!providerPorts.includes(port)) providerPorts.push(port);
    }
    let network: { value: bigint; prefixLen: number } | undefined;
    try {
      network = parseIpv6Prefix(plan.network);
    } catch (e) {
      zoneProblems.push({ path: `${path}.network`, reason: (e as Error).message });
    }
    const macs = new Map<string, string>();
    // Solicited-node MAC -> the instance whose solicitations it carries and that instance's port.
    const solicited = new Map<string, { name: string; port: number | undefined }>();
    for (const [ii, inst] of plan.instances.entries()) {
      try {
        const mac = instanceMac(inst.address);
        const clash = macs.get(mac);
        if (clash)
          zoneProblems.push({
            path: `${path}.instances[${ii}]`,
            reason: `${inst.name} and ${clash} map to the same MAC ${mac}`,
          });
        macs.set(mac, inst.name);
        const group = solicitedNodeMac(inst.address);
        const port = ports.providerPorts[inst.provider];
        const shared = solicited.get(group);
        // One exact entry sends a solicitation to one port: two instances
        // behind different ports with the same low 24 bits cannot both be found.
        if (shared && shared.port !== port)
          zoneProblems.push({
            path: `${path}.instances[${ii}].address`,
            reason: `${inst.name} and ${shared.name} share the solicited-node group ${group} behind different ports`,
          });
        else solicited.set(group, { name: inst.name, port });
      } catch (e) {
        zoneProblems.push({ path: `${path}.instances[${ii}].address`, reason: (e as Error).message });
      }
    }
    const released: bigint[] = [];
    for (const [ri, r] of plan.released.entries()) {
      try {
        released.push(ipv6ToBigInt(r.address));
      } catch (e) {
        zoneProblems.push({ path: `${path}.released[${ri}].address`, reason: (e as Error).message });
      }
    }
    if (zoneProblems.length > 0 || !network) {
      problems.push(...zoneProblems);
      continue;
    }
    vlansSeen.set(v, plan.applicationId);

    const memberPorts = [ports.trunkPort, ...providerPorts.sort((a, b) => a - b)];
    const entries: PlannedEntry[] = [];
    for (const port of memberPorts) {
      entries.push({
        table: TABLES.admit,
        match: [exact('standard_metadata.ingress_port', port), exact('hdr.vlan.vid', v)],
        priority: 0,
        action: 'ZoneIngress.admit',
        params: [],
      });
    }
    entries.push({
      table: TABLES.mark,
      match: [exact('hdr.vlan.vid', v)],
      priority: 0,
      action: 'ZoneIngress.set_dscp',
      params: [{ name: 'dscp', value: String(plan.marking.dscp) }],
    });
    // A released instance's address is inside the zone's network, which
    // the next entry admits: without this, packets to it would miss
    // mac_forward and go up the trunk to the router.
    for (const r of released)
      entries.push(aclEntry(v, { value: r, prefixLen: 128 }, ACL_PRIORITY.released, 'ZoneIngress.drop'));
    entries.push(aclEntry(v, network, ACL_PRIORITY.ownNetwork));
    // Neighbour discovery and link-local traffic stay inside the VLAN.
    entries.push(aclEntry(v, parseIpv6Prefix('fe80::/10'), ACL_PRIORITY.linkLocal));
    entries.push(aclEntry(v, parseIpv6Prefix('ff02::/16'), ACL_PRIORITY.linkLocal));
    for (const r of routerPrefixes) entries.push(aclEntry(v, r, ACL_PRIORITY.router));
    const peerNets = new Set<string>();
    for (const link of plan.vpn) {
      for (const [ni, n] of (ports.vpnPeerNetworks?.[link.provider] ?? []).entries()) {
        try {
          const pfx = parseIpv6Prefix(n);
          const k = `${pfx.value}/${pfx.prefixLen}`;
          if (!peerNets.has(k)) {
            peerNets.add(k);
            entries.push(aclEntry(v, pfx, ACL_PRIORITY.vpnPeer));
          }
        } catch (e) {
          problems.push({ path: `ports.vpnPeerNetworks.${link.provider}[${ni}]`, reason: (e as Error).message });
        }
      }
    }
    for (const inst of plan.instances) {
      entries.push({
        table: TABLES.forward,
        match: [
          exact('hdr.vlan.vid', v),
          { field: 'hdr.ethernet.dstAddr', kind: 'exact', value: hex(macToBigInt(instanceMac(inst.address))) },
        ],
        priority: 0,
        action: 'ZoneIngress.forward',
        params: [{ name: 'port', value: String(ports.providerPorts[inst.provider]) }],
      });
    }
    // Neighbour discovery without flooding: a solicitation for an
    // instance's address goes to that instance's port, as its unicast
    // frames do; one for any other address (the router's) misses and goes
    // up the trunk. Without these, instances could not resolve each other.
    for (const [group, { port }] of solicited) {
      entries.push({
        table: TABLES.forward,
        match: [
          exact('hdr.vlan.vid', v),
          { field: 'hdr.ethernet.dstAddr', kind: 'exact', value: hex(macToBigInt(group)) },
        ],
        priority: 0,
        action: 'ZoneIngress.forward',
        params: [{ name: 'port', value: String(port) }],
      });
    }
    for (const port of memberPorts) {
      entries.push({
        table: TABLES.egress,
        match: [exact('hdr.vlan.vid', v), exact('standard_metadata.egress_port', port)],
        priority: 0,
        action: 'ZoneEgress.egress_permit',
        params: [],
      });
    }
    zones.push({ zone: plan.applicationId, vlanId: v, entries });
  }
  return { zones, problems };
}
