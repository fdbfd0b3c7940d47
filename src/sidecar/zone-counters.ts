// Per-zone packet and byte counts from the switches' direct counters
// (zone_switch.p4's zone_traffic on zone_mark). The switch knows entries,
// not zones: the sidecar owns which entry belongs to which zone
// (DesiredState), so it names the zone of every counter it reads. One Read
// per switch and counted table; a zone's count is the sum over switches.
import { entryKey } from '../p4/entry-keys.js';
import type { P4InfoIndex } from '../p4/p4info.js';
import type { DirectCounterEntry } from '../p4/p4runtime-types.js';

export interface ZoneCount {
  zone: string;
  packets: bigint;
  bytes: bigint;
}

export interface ZoneCountsSnapshot {
  /** Zones with a counted entry on at least one switch that answered, sorted by name. */
  zones: ZoneCount[];
  /**
   * Every switch answered. A partial snapshot undercounts, so it must not
   * be taken as evidence that a zone was idle.
   */
  complete: boolean;
  /** When the last answer was in (ms since the epoch): every packet counted was counted by then; 0 before the first read. */
  readAtMs: number;
  /** Why the snapshot is partial ('' when complete). */
  message: string;
}

export const EMPTY_SNAPSHOT: ZoneCountsSnapshot = { zones: [], complete: false, readAtMs: 0, message: 'not read yet' };

/** Tables with a direct counter, whose reads name the zones' counts. */
export function countedTables(index: P4InfoIndex): number[] {
  return index.tables.filter((t) => t.directCounter !== undefined).map((t) => t.id);
}

/**
 * Sum the counters read from the switches by the zone that owns each entry.
 * Entries no zone owns (left from a deleted zone, not yet pruned) count
 * for nobody.
 */
export function countsByZone(
  reads: readonly (readonly DirectCounterEntry[])[],
  ownerOf: (key: string) => string | undefined,
): ZoneCount[] {
  const by = new Map<string, ZoneCount>();
  for (const read of reads) {
    for (const c of read) {
      if (!c.table_entry) continue;
      const zone = ownerOf(entryKey(c.table_entry));
      if (zone === undefined) continue;
      let z = by.get(zone);
      if (!z) {
        z = { zone, packets: 0n, bytes: 0n };
        by.set(zone, z);
      }
      z.packets += BigInt(c.data?.packet_count ?? '0');
      z.bytes += BigInt(c.data?.byte_count ?? '0');
    }
  }
  return [...by.values()].sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0));
}
