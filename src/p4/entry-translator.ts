// Names to IDs: turns an entry of the P4 entry plan (table, fields, action
// and parameters by name, values as integer text) into a P4Runtime
// TableEntry with canonical byte strings, checking it against the P4Info
// first so that a bad desired state is rejected before anything is written.
import type { PlannedEntry } from '../core/network/p4-entries.js';
import { bigIntToBytes, maskOfWidth, prefixMask } from './bytestrings.js';
import type { P4InfoIndex } from './p4info.js';
import type { FieldMatch, TableEntry } from './p4runtime-types.js';

export interface EntryProblem { path: string; reason: string }

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Canonical bytes of an exact value or parameter, without BigInt for the
 * common cases (hex text, or decimal below 2^53): this runs for every
 * entry the operator hands over.
 */
function uintBytes(text: string, bitwidth: number, what: string): Buffer {
  let hex: string | undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) hex = text.slice(2).replace(/^0+(?=.)/, '');
  else if (/^[0-9]{1,15}$/.test(text)) hex = Number(text).toString(16);
  if (hex === undefined) return bigIntToBytes(parseUint(text, bitwidth, what));
  const first = parseInt(hex[0] as string, 16);
  const bits = first === 0 ? 0 : (hex.length - 1) * 4 + (32 - Math.clz32(first));
  if (bits > bitwidth) throw new Error(`${what}: ${text} does not fit in ${bitwidth} bits`);
  return Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
}

function parseUint(text: string, bitwidth: number, what: string): bigint {
  let v: bigint;
  try { v = BigInt(text); } catch { throw new Error(`${what}: '${text}' is not an integer`); }
  if (v < 0n) throw new Error(`${what}: ${text} is negative`);
  if (v > maskOfWidth(bitwidth)) throw new Error(`${what}: ${text} does not fit in ${bitwidth} bits`);
  return v;
}

export function translateEntry(p4info: P4InfoIndex, e: PlannedEntry, path: string): { entry?: TableEntry; problem?: EntryProblem } {
  const problem = (sub: string, reason: string): { problem: EntryProblem } => ({ problem: { path: `${path}${sub}`, reason } });
  const t = p4info.tableByName(e.table);
  if (!t) return problem('.table', `unknown table ${e.table}`);
  const match: FieldMatch[] = [];
  const seen = new Set<number>();
  for (const [i, m] of e.match.entries()) {
    const f = t.matchFields.find((x) => x.name === m.field);
    if (!f) return problem(`.match[${i}]`, `${t.name} has no field ${m.field}`);
    if (seen.has(f.id)) return problem(`.match[${i}]`, `field ${m.field} given twice`);
    seen.add(f.id);
    if (m.kind.toUpperCase() !== f.matchType) return problem(`.match[${i}]`, `${m.field} is ${f.matchType}, not ${m.kind}`);
    try {
      if (m.kind === 'exact') { match.push({ field_id: f.id, exact: { value: uintBytes(m.value, f.bitwidth, m.field) } }); continue; }
      const value = parseUint(m.value, f.bitwidth, m.field);
      if (m.kind === 'ternary') {
        const mask = parseUint(m.mask ?? '', f.bitwidth, `${m.field} mask`);
        if (mask === 0n) return problem(`.match[${i}]`, `${m.field}: a zero mask means don't-care; leave the field out`);
        if ((value & ~mask) !== 0n) return problem(`.match[${i}]`, `${m.field}: value has bits outside the mask`);
        match.push({ field_id: f.id, ternary: { value: bigIntToBytes(value), mask: bigIntToBytes(mask) } });
      } else {
        const len = m.prefixLen ?? 0;
        if (!Number.isInteger(len) || len < 1 || len > f.bitwidth) return problem(`.match[${i}]`, `${m.field}: prefix length ${len} outside 1–${f.bitwidth}`);
        if ((value & ~prefixMask(len, f.bitwidth)) !== 0n) return problem(`.match[${i}]`, `${m.field}: value has bits past the prefix`);
        match.push({ field_id: f.id, lpm: { value: bigIntToBytes(value), prefix_len: len } });
      }
    } catch (err) {
      return problem(`.match[${i}]`, (err as Error).message);
    }
  }
  for (const f of t.matchFields) if (f.matchType === 'EXACT' && !seen.has(f.id)) return problem('.match', `exact field ${f.name} is missing`);
  if (t.needsPriority && !(e.priority > 0)) return problem('.priority', `${t.name} needs a priority > 0`);
  if (!t.needsPriority && e.priority !== 0) return problem('.priority', `${t.name} takes no priority`);
  const a = p4info.actionByName(e.action);
  if (!a) return problem('.action', `unknown action ${e.action}`);
  const scope = t.actionRefs.get(a.id);
  if (scope === undefined) return problem('.action', `${a.name} is not an action of ${t.name}`);
  if (scope === 'DEFAULT_ONLY') return problem('.action', `${a.name} is @defaultonly in ${t.name}`);
  const params = [];
  for (const [i, p] of e.params.entries()) {
    const info = a.params.find((x) => x.name === p.name);
    if (!info) return problem(`.params[${i}]`, `${a.name} has no parameter ${p.name}`);
    try { params.push({ param_id: info.id, value: uintBytes(p.value, info.bitwidth, `${a.name}.${p.name}`) }); } catch (err) { return problem(`.params[${i}]`, (err as Error).message); }
  }
  for (const p of a.params) if (!e.params.some((x) => x.name === p.name)) return problem('.params', `${a.name}: parameter ${p.name} is missing`);
  if (new Set(e.params.map((p) => p.name)).size !== e.params.length) return problem('.params', 'a parameter is given twice');
  match.sort((x, y) => (x.field_id ?? 0) - (y.field_id ?? 0));
  return { entry: { table_id: t.id, match, action: { action: { action_id: a.id, params } }, priority: e.priority } };
}

/** Hex of an unsigned byte string without leading zero bytes ("" stays ""); padded and canonical agree. */
function hexOf(b: Uint8Array | undefined): string {
  if (!b || b.length === 0) return '';
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let out = '';
  for (; i < b.length; i++) out += HEX[b[i] as number];
  return out;
}

/** The identity of an entry on a switch: table, match and priority (canonical). */
export function entryKey(e: TableEntry): string {
  const ms = e.match ?? [];
  const sorted = ms.length > 1 ? [...ms].sort((a, b) => (a.field_id ?? 0) - (b.field_id ?? 0)) : ms;
  let key = `${e.table_id ?? 0}|${e.priority ?? 0}|`;
  for (const f of sorted) {
    const id = f.field_id ?? 0;
    if (f.exact) key += `${id}=${hexOf(f.exact.value)},`;
    else if (f.ternary) key += `${id}=${hexOf(f.ternary.value)}&${hexOf(f.ternary.mask)},`;
    else if (f.lpm) key += `${id}=${hexOf(f.lpm.value)}/${f.lpm.prefix_len ?? 0},`;
    else if (f.range) key += `${id}=${hexOf(f.range.low)}..${hexOf(f.range.high)},`;
    else if (f.optional) key += `${id}=${hexOf(f.optional.value)}?,`;
    else key += `${id}=?,`;
  }
  return key;
}

/** The action part, to tell whether an entry needs a MODIFY. */
export function actionKey(e: TableEntry): string {
  const a = e.action?.action;
  const ps = a?.params ?? [];
  const sorted = ps.length > 1 ? [...ps].sort((x, y) => (x.param_id ?? 0) - (y.param_id ?? 0)) : ps;
  let key = `${a?.action_id ?? 0}(`;
  for (const p of sorted) key += `${p.param_id ?? 0}=${hexOf(p.value)},`;
  return `${key})|${hexOf(e.metadata)}`;
}
