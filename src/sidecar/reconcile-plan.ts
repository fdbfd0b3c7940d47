// The diff from what a switch holds to what it should hold, in the order
// that keeps table capacity and never leaves a gap: DELETE first (frees
// room), then MODIFY, then INSERT; cut into bounded batches.
import type { Update, TableEntry } from '../p4/p4runtime-types.js';

export interface HeldEntry {
  key: string;
  action: string;
  entry: TableEntry;
  /** The entry's TableEntry encoding, made once and reused by every write. */
  encoded?: Buffer;
}

export interface ReconcilePlan {
  deletes: HeldEntry[];
  modifies: HeldEntry[];
  inserts: HeldEntry[];
}

/** `held` is the switch (or its mirror), `want` the desired state; both keyed by entry key. */
export function planReconcile(held: ReadonlyMap<string, HeldEntry>, want: ReadonlyMap<string, HeldEntry>): ReconcilePlan {
  const plan: ReconcilePlan = { deletes: [], modifies: [], inserts: [] };
  for (const [k, h] of held) if (!want.has(k)) plan.deletes.push(h);
  for (const [k, w] of want) {
    const h = held.get(k);
    if (!h) plan.inserts.push(w);
    else if (h.action !== w.action) plan.modifies.push(w);
  }
  return plan;
}

export interface PlannedUpdate { key: string; update: Update; after: HeldEntry | undefined }

export function toUpdates(plan: ReconcilePlan): PlannedUpdate[] {
  const u = (type: 'INSERT' | 'MODIFY' | 'DELETE', e: HeldEntry, keep: boolean): PlannedUpdate => ({
    key: e.key,
    update: { type, entity: { table_entry: type === 'DELETE' ? { ...e.entry, action: undefined } : e.entry } },
    after: keep ? e : undefined,
  });
  return [...plan.deletes.map((e) => u('DELETE', e, false)), ...plan.modifies.map((e) => u('MODIFY', e, true)), ...plan.inserts.map((e) => u('INSERT', e, true))];
}

export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
