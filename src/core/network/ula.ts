// IPv6 unique local addresses (RFC 4193): fd00::/8, a 40-bit global ID, and
// the zone's VLAN ID as the 16-bit subnet ID, so `fd3f:e79f:d35c:3e8::/64`
// is VLAN 1000 under global ID 0x3fe79fd35c (the paper's Listing 3).

import type { Environment } from '../api/types.js';

/** The paper's global ID (network_id 274468950876). */
export const PAPER_GLOBAL_ID = 0x3fe79fd35c;

export const MAX_GLOBAL_ID = 2 ** 40 - 1;

export function checkGlobalId(id: number): string | undefined {
  if (!Number.isInteger(id) || id < 0 || id > MAX_GLOBAL_ID)
    return `ULA global ID must be a 40-bit integer (0–0x${MAX_GLOBAL_ID.toString(16)}), got ${id}`;
  return undefined;
}

/** Parses `0x3fe79fd35c`, `3fe79fd35c` or a decimal string. */
export function parseGlobalId(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  const n = /^0x[0-9a-f]{1,10}$/.test(t)
    ? parseInt(t.slice(2), 16)
    : /^[0-9]+$/.test(t)
      ? Number(t)
      : /^[0-9a-f]{10}$/.test(t)
        ? parseInt(t, 16)
        : NaN;
  return Number.isNaN(n) || checkGlobalId(n) ? undefined : n;
}

/** The eight bytes of the /64 prefix. */
export function prefixBytes(globalId: number, vlan: number): number[] {
  const g = globalId;
  return [
    0xfd,
    Math.floor(g / 2 ** 32) & 0xff,
    (g >>> 24) & 0xff,
    (g >>> 16) & 0xff,
    (g >>> 8) & 0xff,
    g & 0xff,
    (vlan >> 8) & 0xff,
    vlan & 0xff,
  ];
}

/** RFC 5952 canonical text of 8 hextets (longest zero run of ≥2 becomes `::`). */
export function formatIpv6(hextets: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (hextets[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = hextets.map((h) => h.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function prefixHextets(globalId: number, vlan: number): number[] {
  const b = prefixBytes(globalId, vlan);
  return [0, 2, 4, 6].map((i) => (b[i] << 8) | b[i + 1]);
}

export function zoneNetwork(globalId: number, vlan: number): string {
  return `${formatIpv6([...prefixHextets(globalId, vlan), 0, 0, 0, 0])}/64`;
}

/**
 * An instance's address: interface ID `::<kind>:<n>` with kind 1 for
 * containers and 2 for VMs and n the instance number, so `C1` is `…::1:1`
 * as in Listing 3. Names are never reused within a zone, so neither are
 * addresses.
 */
export function instanceAddress(globalId: number, vlan: number, environment: Environment, n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 0xffff) throw new Error(`instance number ${n} is outside 1–65535`);
  return formatIpv6([...prefixHextets(globalId, vlan), 0, 0, environment === 'container' ? 1 : 2, n]);
}
