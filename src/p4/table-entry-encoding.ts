// A hand-written p4.v1.TableEntry encoder for the shape the translator
// builds (table_id, match of exact/ternary/lpm/range/optional, a direct
// action with params, priority, metadata). The sidecar encodes every desired
// entry once; protobufjs spends most of that time allocating one writer
// operation per field, so this sizes the message first and writes it into
// one buffer. Field numbers are p4.v1's: TableEntry{table_id 1, match 2,
// action 3, priority 4, metadata 11}, FieldMatch{field_id 1, exact 2,
// ternary 3, lpm 4, range 6, optional 7}, TableAction{action 1},
// Action{action_id 1, params 4}, Action.Param{param_id 2, value 3}.
// Default values are left out, as proto3 writers do.
import type { FieldMatch, P4Action, TableEntry } from './p4runtime-types.js';

export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Writes an unsigned 32-bit varint at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

const isU32 = (v: number | undefined): boolean => v === undefined || (Number.isInteger(v) && v >= 0 && v <= 0xffffffff);
const bytesField = (b: Uint8Array | undefined): number => (b && b.length > 0 ? 1 + varintSize(b.length) + b.length : 0);
const u32Field = (v: number | undefined): number => (v ? 1 + varintSize(v) : 0);
const nested = (len: number): number => 1 + varintSize(len) + len;

function writeBytes(buf: Buffer, pos: number, tag: number, b: Uint8Array | undefined): number {
  if (!b || b.length === 0) return pos;
  buf[pos++] = tag;
  pos = writeVarint(buf, pos, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

function writeU32(buf: Buffer, pos: number, tag: number, v: number | undefined): number {
  if (!v) return pos;
  buf[pos++] = tag;
  return writeVarint(buf, pos, v);
}

/** The one kind of a field match this encoder writes, with its inner size; undefined when it cannot. */
interface MatchKind {
  tag: number;
  a: Uint8Array | undefined;
  b: Uint8Array | undefined;
  len: number;
  n?: number | undefined;
}

function matchKind(m: FieldMatch): MatchKind | undefined {
  if (!isU32(m.field_id) || m.other) return undefined;
  const kinds = (m.exact ? 1 : 0) + (m.ternary ? 1 : 0) + (m.lpm ? 1 : 0) + (m.range ? 1 : 0) + (m.optional ? 1 : 0);
  if (kinds !== 1) return undefined;
  if (m.exact) return { tag: (2 << 3) | 2, a: m.exact.value, b: undefined, len: bytesField(m.exact.value) };
  if (m.ternary)
    return {
      tag: (3 << 3) | 2,
      a: m.ternary.value,
      b: m.ternary.mask,
      len: bytesField(m.ternary.value) + bytesField(m.ternary.mask),
    };
  if (m.range)
    return {
      tag: (6 << 3) | 2,
      a: m.range.low,
      b: m.range.high,
      len: bytesField(m.range.low) + bytesField(m.range.high),
    };
  if (m.optional) return { tag: (7 << 3) | 2, a: m.optional.value, b: undefined, len: bytesField(m.optional.value) };
  const n = m.lpm?.prefix_len;
  if (!isU32(n) || (n ?? 0) > 0x7fffffff) return undefined;
  return { tag: (4 << 3) | 2, a: m.lpm?.value, b: undefined, len: bytesField(m.lpm?.value) + u32Field(n), n };
}

function actionSize(a: P4Action): number | undefined {
  if (!isU32(a.action_id)) return undefined;
  let len = u32Field(a.action_id);
  for (const p of a.params ?? []) {
    if (!isU32(p.param_id)) return undefined;
    len += nested(u32Field(p.param_id) + bytesField(p.value));
  }
  return len;
}

/** The encoding of `e`, or undefined when it has fields outside the shape above (the caller falls back). */
export function encodeTableEntryDirect(e: TableEntry): Buffer | undefined {
  if (e.controller_metadata || e.is_default_action || e.idle_timeout_ns || e.is_const) return undefined;
  const ta = e.action;
  if (ta && (ta.action_profile_member_id !== undefined || ta.action_profile_group_id !== undefined || !ta.action))
    return undefined;
  if (!isU32(e.table_id) || !isU32(e.priority) || (e.priority ?? 0) > 0x7fffffff) return undefined;
  const ms = e.match ?? [];
  const kinds: MatchKind[] = [];
  let len = u32Field(e.table_id) + u32Field(e.priority) + bytesField(e.metadata);
  for (const m of ms) {
    const k = matchKind(m);
    if (!k) return undefined;
    kinds.push(k);
    len += nested(u32Field(m.field_id) + nested(k.len));
  }
  const aLen = ta?.action ? actionSize(ta.action) : 0;
  if (aLen === undefined) return undefined;
  if (ta?.action) len += nested(nested(aLen));

  const buf = Buffer.allocUnsafe(len);
  let pos = writeU32(buf, 0, (1 << 3) | 0, e.table_id);
  for (const [i, m] of ms.entries()) {
    const k = kinds[i];
    buf[pos++] = (2 << 3) | 2;
    pos = writeVarint(buf, pos, u32Field(m.field_id) + nested(k.len));
    pos = writeU32(buf, pos, (1 << 3) | 0, m.field_id);
    buf[pos++] = k.tag;
    pos = writeVarint(buf, pos, k.len);
    pos = writeBytes(buf, pos, (1 << 3) | 2, k.a);
    pos = k.tag === ((4 << 3) | 2) ? writeU32(buf, pos, (2 << 3) | 0, k.n) : writeBytes(buf, pos, (2 << 3) | 2, k.b);
  }
  if (ta?.action) {
    buf[pos++] = (3 << 3) | 2;
    pos = writeVarint(buf, pos, nested(aLen));
    buf[pos++] = (1 << 3) | 2;
    pos = writeVarint(buf, pos, aLen);
    pos = writeU32(buf, pos, (1 << 3) | 0, ta.action.action_id);
    for (const p of ta.action.params ?? []) {
      buf[pos++] = (4 << 3) | 2;
      pos = writeVarint(buf, pos, u32Field(p.param_id) + bytesField(p.value));
      pos = writeU32(buf, pos, (2 << 3) | 0, p.param_id);
      pos = writeBytes(buf, pos, (3 << 3) | 2, p.value);
    }
  }
  pos = writeU32(buf, pos, (4 << 3) | 0, e.priority);
  pos = writeBytes(buf, pos, (11 << 3) | 2, e.metadata);
  if (pos !== len) throw new Error(`TableEntry encoding: wrote ${pos} of ${len} bytes`);
  return buf;
}
