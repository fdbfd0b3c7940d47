// The diff from what a switch holds to what it should hold, in the order
// that keeps table capacity and never leaves a gap: DELETE first (frees
// room), then MODIFY, then INSERT; cut into bounded batches.
import { actionKey, entryKey } from '../p4/entry-keys.js';
import type { TableEntry } from '../p4/p4runtime-types.js';
import { encodeTableEntry, withoutAction, type WriteType } from '../p4/write-encoding.js';

/**
 * An entry as the sidecar keeps it, desired or mirrored: its identity, its
 * action and its encoding, made once and reused by every write. The
 * TableEntry object itself is not kept: the sidecar holds every entry of
 * every zone twice (desired and mirror), and the objects of a translated
 * entry (matches, byte strings, action, parameters) were most of what its
 * garbage collector had to copy and mark.
 */
export interface HeldEntry {
  key: string;
  action: string;
  tableId: number;
  encoded: Buffer;
}

export function heldEntry(e: TableEntry): HeldEntry {
  return { key: entryKey(e), action: actionKey(e), tableId: e.table_id ?? 0, encoded: encodeTableEntry(e) };
}

export interface ReconcilePlan {
  deletes: HeldEntry[];
  modifies: HeldEntry[];
  inserts: HeldEntry[];
}

/** `held` is the switch (or its mirror), `want` the desired state; both keyed by entry key. */
export function planReconcile(
  held: ReadonlyMap<string, HeldEntry>,
  want: ReadonlyMap<string, HeldEntry>,
): ReconcilePlan {
  const plan: ReconcilePlan = { deletes: [], modifies: [], inserts: [] };
  for (const [k, h] of held) if (!want.has(k)) plan.deletes.push(h);
  for (const [k, w] of want) {
    const h = held.get(k);
    if (!h) plan.inserts.push(w);
    else if (h.action !== w.action) plan.modifies.push(w);
  }
  return plan;
}

/** `entry` is the entry written; once an INSERT or MODIFY succeeds the switch holds it, once a DELETE does it holds none. */
export interface PlannedUpdate {
  type: WriteType;
  entry: HeldEntry;
}

export function toUpdates(plan: ReconcilePlan): PlannedUpdate[] {
  const u =
    (type: WriteType) =>
    (entry: HeldEntry): PlannedUpdate => ({ type, entry });
  return [...plan.deletes.map(u('DELETE')), ...plan.modifies.map(u('MODIFY')), ...plan.inserts.map(u('INSERT'))];
}

/** The TableEntry bytes an update carries: a DELETE names only the key (match and priority), without the action. */
export function updateBytes(u: PlannedUpdate): Buffer {
  return u.type === 'DELETE' ? withoutAction(u.entry.encoded) : u.entry.encoded;
}

export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
