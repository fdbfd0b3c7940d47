// What the switches should hold: the entries of every zone, translated to
// P4Runtime form and checked as a whole before the sidecar accepts them. A
// zone update that fails any check changes nothing.
import type { PlannedEntry } from '../core/network/p4-entries.js';
import { actionKey, entryKey, translateEntry } from '../p4/entry-translator.js';
import type { P4InfoIndex } from '../p4/p4info.js';
import type { TableEntry } from '../p4/p4runtime-types.js';

export interface DesiredEntry { key: string; action: string; entry: TableEntry; zone: string }

export interface ZoneDesired {
  zone: string;
  generation: number;
  entries: Map<string, DesiredEntry>;
}

/** A rejected zone update: each problem names the entry path and the reason. */
export class DesiredStateError extends Error {
  constructor(readonly kind: 'invalid' | 'capacity', readonly problems: { path: string; reason: string }[]) {
    super(problems.slice(0, 10).map((p) => `${p.path}: ${p.reason}`).join('; ') + (problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''));
  }
}

export class DesiredState {
  readonly zones = new Map<string, ZoneDesired>();
  /** entry key -> owning zone, across all zones */
  private readonly owner = new Map<string, string>();
  private readonly perTable = new Map<number, number>();

  constructor(private readonly p4info: P4InfoIndex) {}

  /** Validate and translate a zone's entries; throws DesiredStateError and changes nothing on failure. */
  prepare(zone: string, generation: number, planned: PlannedEntry[]): ZoneDesired {
    const problems: { path: string; reason: string }[] = [];
    if (zone.trim() === '') problems.push({ path: 'zone', reason: 'zone name is empty' });
    const entries = new Map<string, DesiredEntry>();
    for (const [i, p] of planned.entries()) {
      const { entry, problem } = translateEntry(this.p4info, p, `entries[${i}]`);
      if (problem || !entry) { problems.push(problem ?? { path: `entries[${i}]`, reason: 'untranslatable' }); continue; }
      const key = entryKey(entry);
      if (entries.has(key)) { problems.push({ path: `entries[${i}]`, reason: `same table, match and priority as another entry of zone ${zone}` }); continue; }
      const other = this.owner.get(key);
      if (other !== undefined && other !== zone) { problems.push({ path: `entries[${i}]`, reason: `the key is already owned by zone ${other}` }); continue; }
      entries.set(key, { key, action: actionKey(entry), entry, zone });
    }
    if (problems.length > 0) throw new DesiredStateError('invalid', problems);
    // Capacity: the zone's new share plus every other zone must fit the P4Info sizes.
    const counts = new Map(this.perTable);
    for (const e of this.zones.get(zone)?.entries.values() ?? []) counts.set(e.entry.table_id ?? 0, (counts.get(e.entry.table_id ?? 0) ?? 0) - 1);
    for (const e of entries.values()) counts.set(e.entry.table_id ?? 0, (counts.get(e.entry.table_id ?? 0) ?? 0) + 1);
    for (const [tableId, n] of counts) {
      const t = this.p4info.table(tableId);
      if (t && n > t.size) problems.push({ path: t.name, reason: `${n} entries would exceed the table size ${t.size}` });
    }
    if (problems.length > 0) throw new DesiredStateError('capacity', problems);
    return { zone, generation, entries };
  }

  commit(z: ZoneDesired): void {
    this.remove(z.zone);
    this.zones.set(z.zone, z);
    for (const e of z.entries.values()) {
      this.owner.set(e.key, z.zone);
      const t = e.entry.table_id ?? 0;
      this.perTable.set(t, (this.perTable.get(t) ?? 0) + 1);
    }
  }

  remove(zone: string): ZoneDesired | undefined {
    const old = this.zones.get(zone);
    if (!old) return undefined;
    this.zones.delete(zone);
    for (const e of old.entries.values()) {
      this.owner.delete(e.key);
      const t = e.entry.table_id ?? 0;
      this.perTable.set(t, (this.perTable.get(t) ?? 0) - 1);
    }
    return old;
  }

  /** Every desired entry, keyed. */
  all(): Map<string, DesiredEntry> {
    const out = new Map<string, DesiredEntry>();
    for (const z of this.zones.values()) for (const [k, e] of z.entries) out.set(k, e);
    return out;
  }

  ownerOf(key: string): string | undefined { return this.owner.get(key); }
  size(): number { return this.owner.size; }
}
