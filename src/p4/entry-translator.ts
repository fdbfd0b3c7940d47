// Names to IDs: turns an entry of the P4 entry plan (table, fields, action
// and parameters by name, values as integer text) into a P4Runtime
// TableEntry with canonical byte strings, checking it against the P4Info
// first so that a bad desired state is rejected before anything is written.
import type { PlannedEntry, PlannedMatch } from '../core/network/p4-entries.js';
import { bigIntToBytes, maskOfWidth, significantBits } from './bytestrings.js';
import { sortedByField } from './entry-keys.js';
import type { MatchFieldInfo, P4InfoIndex } from './p4info.js';
import type { ActionParam, FieldMatch, TableEntry } from './p4runtime-types.js';

export interface EntryProblem {
  path: string;
  reason: string;
}

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;
  NIBBLE['0123456789ABCDEF'.charCodeAt(i)] = i;
}
const KIND: Record<string, string> = {
  EXACT: 'exact',
  TERNARY: 'ternary',
  LPM: 'lpm',
  RANGE: 'range',
  OPTIONAL: 'optional',
};

/**
 * Canonical bytes of 0x-hex text or of decimal text below 10^15, read
 * without BigInt or regular expressions (this runs for every value of every
 * entry the operator hands over); undefined for any other text.
 */
function plainBytes(text: string): Buffer | undefined {
  const n = text.length;
  if (n > 2 && text.charCodeAt(0) === 48 && (text.charCodeAt(1) | 0x20) === 120) {
    for (let j = 2; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c > 127 || NIBBLE[c] < 0) return undefined;
    }
    let i = 2;
    while (i < n - 1 && text.charCodeAt(i) === 48) i++;
    const buf = Buffer.allocUnsafe((n - i + 1) >> 1);
    let j = n - 1;
    for (let k = buf.length - 1; k >= 0; k--) {
      const lo = NIBBLE[text.charCodeAt(j--)];
      buf[k] = j >= i ? (NIBBLE[text.charCodeAt(j--)] << 4) | lo : lo;
    }
    return buf;
  }
  if (n === 0 || n > 15) return undefined;
  let v = 0;
  for (let j = 0; j < n; j++) {
    const d = text.charCodeAt(j) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  let len = 1;
  for (let t = v; t >= 256; t = Math.floor(t / 256)) len++;
  const buf = Buffer.allocUnsafe(len);
  for (let k = len - 1; k >= 0; k--) {
    buf[k] = v % 256;
    v = Math.floor(v / 256);
  }
  return buf;
}

/** Canonical bytes of an unsigned integer in text that fits `bitwidth` bits; throws a reason otherwise. */
function uintBytes(text: string, bitwidth: number, what: string): Buffer {
  const b = plainBytes(text);
  if (b === undefined) return bigIntToBytes(parseUint(text, bitwidth, what));
  if (significantBits(b) > bitwidth) throw new Error(`${what}: ${text} does not fit in ${bitwidth} bits`);
  return b;
}

function parseUint(text: string, bitwidth: number, what: string): bigint {
  let v: bigint;
  try {
    v = BigInt(text);
  } catch {
    throw new Error(`${what}: '${text}' is not an integer`);
  }
  if (v < 0n) throw new Error(`${what}: ${text} is negative`);
  if (v > maskOfWidth(bitwidth)) throw new Error(`${what}: ${text} does not fit in ${bitwidth} bits`);
  return v;
}

/** Whether canonical `value` has a one bit where canonical `mask` has none. */
function outsideMask(value: Uint8Array, mask: Uint8Array): boolean {
  for (let k = 0; k < value.length; k++) {
    const m = k < mask.length ? mask[mask.length - 1 - k] : 0;
    if ((value[value.length - 1 - k] & ~m) !== 0) return true;
  }
  return false;
}

/** Whether canonical `value` has a one bit in the low `bitwidth - prefixLen` bits. */
function pastPrefix(value: Uint8Array, prefixLen: number, bitwidth: number): boolean {
  const zero = bitwidth - prefixLen;
  for (let k = 0; k < value.length && 8 * k < zero; k++) {
    const low = zero - 8 * k >= 8 ? 0xff : (1 << (zero - 8 * k)) - 1;
    if ((value[value.length - 1 - k] & low) !== 0) return true;
  }
  return false;
}

const fail = (path: string, sub: string, reason: string): { problem: EntryProblem } => ({
  problem: { path: `${path}${sub}`, reason },
});

function translateMatch(
  f: MatchFieldInfo,
  m: PlannedMatch,
  path: string,
  i: number,
): FieldMatch | { problem: EntryProblem } {
  try {
    if (f.matchType === 'EXACT') return { field_id: f.id, exact: { value: uintBytes(m.value, f.bitwidth, m.field) } };
    if (f.matchType === 'TERNARY') {
      const value = uintBytes(m.value, f.bitwidth, m.field);
      const mask = uintBytes(m.mask ?? '', f.bitwidth, `${m.field} mask`);
      if (mask.length === 1 && mask[0] === 0)
        return fail(path, `.match[${i}]`, `${m.field}: a zero mask means don't-care; leave the field out`);
      if (outsideMask(value, mask)) return fail(path, `.match[${i}]`, `${m.field}: value has bits outside the mask`);
      return { field_id: f.id, ternary: { value, mask } };
    }
    if (f.matchType === 'LPM') {
      const value = uintBytes(m.value, f.bitwidth, m.field);
      const len = m.prefixLen ?? 0;
      if (!Number.isInteger(len) || len < 1 || len > f.bitwidth)
        return fail(path, `.match[${i}]`, `${m.field}: prefix length ${len} outside 1–${f.bitwidth}`);
      if (pastPrefix(value, len, f.bitwidth))
        return fail(path, `.match[${i}]`, `${m.field}: value has bits past the prefix`);
      return { field_id: f.id, lpm: { value, prefix_len: len } };
    }
  } catch (err) {
    return fail(path, `.match[${i}]`, (err as Error).message);
  }
  return fail(path, `.match[${i}]`, `${m.field}: ${f.matchType} matches are not supported`);
}

export function translateEntry(
  p4info: P4InfoIndex,
  e: PlannedEntry,
  path: string,
): { entry?: TableEntry; problem?: EntryProblem } {
  const t = p4info.tableByName(e.table);
  if (!t) return fail(path, '.table', `unknown table ${e.table}`);
  const match: FieldMatch[] = [];
  let exactSeen = 0;
  for (let i = 0; i < e.match.length; i++) {
    const m = e.match[i];
    const f = t.matchFields.find((x) => x.name === m.field);
    if (!f) return fail(path, `.match[${i}]`, `${t.name} has no field ${m.field}`);
    if (match.some((x) => x.field_id === f.id)) return fail(path, `.match[${i}]`, `field ${m.field} given twice`);
    if (m.kind !== KIND[f.matchType] && m.kind.toUpperCase() !== f.matchType)
      return fail(path, `.match[${i}]`, `${m.field} is ${f.matchType}, not ${m.kind}`);
    const fm = translateMatch(f, m, path, i);
    if ('problem' in fm) return fm;
    match.push(fm);
    if (f.matchType === 'EXACT') exactSeen++;
  }
  if (exactSeen !== t.matchFields.reduce((n, f) => n + (f.matchType === 'EXACT' ? 1 : 0), 0)) {
    const missing = t.matchFields.find((f) => f.matchType === 'EXACT' && !match.some((x) => x.field_id === f.id));
    return fail(path, '.match', `exact field ${missing?.name ?? ''} is missing`);
  }
  if (t.needsPriority && !(e.priority > 0)) return fail(path, '.priority', `${t.name} needs a priority > 0`);
  if (!t.needsPriority && e.priority !== 0) return fail(path, '.priority', `${t.name} takes no priority`);
  const a = p4info.actionByName(e.action);
  if (!a) return fail(path, '.action', `unknown action ${e.action}`);
  const scope = t.actionRefs.get(a.id);
  if (scope === undefined) return fail(path, '.action', `${a.name} is not an action of ${t.name}`);
  if (scope === 'DEFAULT_ONLY') return fail(path, '.action', `${a.name} is @defaultonly in ${t.name}`);
  const params: ActionParam[] = [];
  let twice = false;
  for (let i = 0; i < e.params.length; i++) {
    const p = e.params[i];
    const info = a.params.find((x) => x.name === p.name);
    if (!info) return fail(path, `.params[${i}]`, `${a.name} has no parameter ${p.name}`);
    if (params.some((x) => x.param_id === info.id)) twice = true;
    try {
      params.push({ param_id: info.id, value: uintBytes(p.value, info.bitwidth, `${a.name}.${p.name}`) });
    } catch (err) {
      return fail(path, `.params[${i}]`, (err as Error).message);
    }
  }
  for (const p of a.params)
    if (!params.some((x) => x.param_id === p.id))
      return fail(path, '.params', `${a.name}: parameter ${p.name} is missing`);
  if (twice) return fail(path, '.params', 'a parameter is given twice');
  if (!sortedByField(match)) match.sort((x, y) => (x.field_id ?? 0) - (y.field_id ?? 0));
  return { entry: { table_id: t.id, match, action: { action: { action_id: a.id, params } }, priority: e.priority } };
}
