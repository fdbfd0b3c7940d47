// What the switches should hold: the entries of every zone, translated to
// P4Runtime form and checked as a whole before the sidecar accepts them. A
// zone update that fails any check changes nothing.
import type { PlannedEntry, PlannedMatch } from '../core/network/p4-entries.js';
import { translateEntry } from '../p4/entry-translator.js';
import type { P4InfoIndex } from '../p4/p4info.js';
import { heldEntry, type HeldEntry } from './reconcile-plan.js';

export interface DesiredEntry extends HeldEntry {
  zone: string;
}

export interface ZoneDesired {
  zone: string;
  generation: number;
  entries: Map<string, DesiredEntry>;
  /** The entries as the operator planned them and what each became, in its order: the next update of the zone reuses what did not change. */
  planned: PlannedEntry[];
  translated: DesiredEntry[];
  /** The VLAN the operator said the zone has (0: not said), echoed in its status. */
  vlanId: number;
}

const sameMatch = (a: PlannedMatch, b: PlannedMatch): boolean =>
  a.field === b.field && a.kind === b.kind && a.value === b.value && a.mask === b.mask && a.prefixLen === b.prefixLen;

function samePlanned(a: PlannedEntry, b: PlannedEntry): boolean {
  if (a.table !== b.table || a.action !== b.action || a.priority !== b.priority) return false;
  if (a.match.length !== b.match.length || a.params.length !== b.params.length) return false;
  for (let i = 0; i < a.match.length; i++) if (!sameMatch(a.match[i], b.match[i])) return false;
  for (let i = 0; i < a.params.length; i++)
    if (a.params[i]?.name !== b.params[i]?.name || a.params[i]?.value !== b.params[i]?.value) return false;
  return true;
}

/** A rejected zone update: each problem names the entry path and the reason. */
export class DesiredStateError extends Error {
  constructor(
    readonly kind: 'invalid' | 'capacity',
    readonly problems: { path: string; reason: string }[],
  ) {
    super(
      problems
        .slice(0, 10)
        .map((p) => `${p.path}: ${p.reason}`)
        .join('; ') + (problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''),
    );
  }
}

export class DesiredState {
  readonly zones = new Map<string, ZoneDesired>();
  /** entry key -> owning zone, across all zones */
  private readonly owner = new Map<string, string>();
  private readonly perTable = new Map<number, number>();

  constructor(private readonly p4info: P4InfoIndex) {}

  /**
   * Validate and translate a zone's entries; throws DesiredStateError and
   * changes nothing on failure. An entry equal to the one at the same place
   * in the zone's last update is taken over as it was (translation, keys
   * and encoding), since operators re-send whole zones that mostly did not
   * change; the checks across entries and zones still run for it.
   */
  prepare(zone: string, generation: number, planned: PlannedEntry[], vlanId = 0): ZoneDesired {
    const problems: { path: string; reason: string }[] = [];
    if (zone.trim() === '') problems.push({ path: 'zone', reason: 'zone name is empty' });
    const entries = new Map<string, DesiredEntry>();
    const translated: DesiredEntry[] = [];
    const last = this.zones.get(zone);
    for (let i = 0; i < planned.length; i++) {
      const p = planned[i];
      const before = last?.planned[i];
      let d = before !== undefined && samePlanned(before, p) ? last?.translated[i] : undefined;
      if (!d) {
        const { entry, problem } = translateEntry(this.p4info, p, `entries[${i}]`);
        if (problem || !entry) {
          problems.push(problem ?? { path: `entries[${i}]`, reason: 'untranslatable' });
          continue;
        }
        const h = heldEntry(entry);
        // Spelled out: an object spread here cost more than the entry's translation.
        d = { key: h.key, action: h.action, tableId: h.tableId, encoded: h.encoded, zone };
      }
      if (entries.has(d.key)) {
        problems.push({
          path: `entries[${i}]`,
          reason: `same table, match and priority as another entry of zone ${zone}`,
        });
        continue;
      }
      const other = this.owner.get(d.key);
      if (other !== undefined && other !== zone) {
        problems.push({ path: `entries[${i}]`, reason: `the key is already owned by zone ${other}` });
        continue;
      }
      entries.set(d.key, d);
      translated.push(d);
    }
    if (problems.length > 0) throw new DesiredStateError('invalid', problems);
    // Capacity: the zone's new share plus every other zone must fit the P4Info sizes.
    const counts = new Map(this.perTable);
    for (const e of this.zones.get(zone)?.entries.values() ?? [])
      counts.set(e.tableId, (counts.get(e.tableId) ?? 0) - 1);
    for (const e of entries.values()) counts.set(e.tableId, (counts.get(e.tableId) ?? 0) + 1);
    for (const [tableId, n] of counts) {
      const t = this.p4info.table(tableId);
      if (t && n > t.size)
        problems.push({ path: t.name, reason: `${n} entries would exceed the table size ${t.size}` });
    }
    if (problems.length > 0) throw new DesiredStateError('capacity', problems);
    return { zone, generation, entries, planned, translated, vlanId };
  }

  commit(z: ZoneDesired): void {
    this.remove(z.zone);
    this.zones.set(z.zone, z);
    for (const e of z.entries.values()) {
      this.owner.set(e.key, z.zone);
      const t = e.tableId;
      this.perTable.set(t, (this.perTable.get(t) ?? 0) + 1);
    }
  }

  remove(zone: string): ZoneDesired | undefined {
    const old = this.zones.get(zone);
    if (!old) return undefined;
    this.zones.delete(zone);
    for (const e of old.entries.values()) {
      this.owner.delete(e.key);
      const t = e.tableId;
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

  ownerOf(key: string): string | undefined {
    return this.owner.get(key);
  }
  size(): number {
    return this.owner.size;
  }
}
