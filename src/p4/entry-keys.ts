// The identity of a table entry on a switch (table, match and priority) and
// of its action, as strings the sidecar keys its maps with. Byte strings
// are compared canonically: leading zero bytes do not count, so a padded
// value read back from a switch and the canonical one planned here agree.
// The keys are written into one scratch buffer and read out as a single
// latin1 string: built by concatenation (hex digits, one string per byte)
// they cost a string per byte, and each key was flattened again when a Map
// hashed it. They are not meant to be read by people.
import type { ActionParam, FieldMatch, TableEntry } from './p4runtime-types.js';

let scratch = Buffer.allocUnsafe(512);
let pos = 0;

function room(n: number): void {
  if (pos + n <= scratch.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, pos + n));
  scratch.copy(bigger, 0, 0, pos);
  scratch = bigger;
}

function u32(v: number): void {
  room(5);
  // Varint: short, and never ambiguous with what follows.
  while (v >= 0x80) {
    scratch[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 0x80);
  }
  scratch[pos++] = v;
}

/** A byte string without its leading zero bytes (one zero byte stays; empty stays empty), length first. */
function bytes(b: Uint8Array | undefined): void {
  const n = b?.length ?? 0;
  let i = 0;
  while (i < n - 1 && b?.[i] === 0) i++;
  u32(n - i);
  room(n - i);
  for (; i < n; i++) scratch[pos++] = b?.[i] as number;
}

function tag(t: number): void {
  room(1);
  scratch[pos++] = t;
}

const take = (): string => scratch.toString('latin1', 0, pos);

export function sortedByField(ms: FieldMatch[]): boolean {
  for (let i = 1; i < ms.length; i++) if ((ms[i - 1]?.field_id ?? 0) > (ms[i]?.field_id ?? 0)) return false;
  return true;
}

function sortedByParam(ps: ActionParam[]): boolean {
  for (let i = 1; i < ps.length; i++) if ((ps[i - 1]?.param_id ?? 0) > (ps[i]?.param_id ?? 0)) return false;
  return true;
}

/** The identity of an entry on a switch: table, match and priority (canonical). */
export function entryKey(e: TableEntry): string {
  const ms = e.match ?? [];
  const sorted = sortedByField(ms) ? ms : [...ms].sort((a, b) => (a.field_id ?? 0) - (b.field_id ?? 0));
  pos = 0;
  u32(e.table_id ?? 0);
  u32(e.priority ?? 0);
  for (const f of sorted) {
    u32(f.field_id ?? 0);
    if (f.exact) {
      tag(1);
      bytes(f.exact.value);
    } else if (f.ternary) {
      tag(2);
      bytes(f.ternary.value);
      bytes(f.ternary.mask);
    } else if (f.lpm) {
      tag(3);
      bytes(f.lpm.value);
      u32(f.lpm.prefix_len ?? 0);
    } else if (f.range) {
      tag(4);
      bytes(f.range.low);
      bytes(f.range.high);
    } else if (f.optional) {
      tag(5);
      bytes(f.optional.value);
    } else tag(0);
  }
  return take();
}

/** The action part (and metadata), to tell whether an entry needs a MODIFY. */
export function actionKey(e: TableEntry): string {
  const a = e.action?.action;
  const ps = a?.params ?? [];
  const sorted = sortedByParam(ps) ? ps : [...ps].sort((x, y) => (x.param_id ?? 0) - (y.param_id ?? 0));
  pos = 0;
  u32(a?.action_id ?? 0);
  u32(sorted.length);
  for (const p of sorted) {
    u32(p.param_id ?? 0);
    bytes(p.value);
  }
  bytes(e.metadata);
  return take();
}
