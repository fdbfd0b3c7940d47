// The two hot requests of the sidecar API (SetZoneEntries, SetZones) read
// straight into the core's PlannedEntry shape. The generic path decoded
// protobufjs messages and then copied every entry, match and parameter into
// a PlannedEntry; this reads each field once. Field numbers are those of
// proto/zonekeeper/sidecar/v1/sidecar.proto; unknown fields are skipped.
// The client's side, PlannedEntry to bytes, is zone-request-encoding.ts.
import protobuf from 'protobufjs';
import type { MatchKind, PlannedEntry, PlannedMatch, PlannedParam } from '../core/network/p4-entries.js';

export interface ZoneRequest {
  zone: string;
  generation: number;
  entries: PlannedEntry[];
  /** The zone's VLAN, echoed in its status (0 or absent: not said). */
  vlanId?: number;
}

const LEN = 2;
const VARINT = 0;

/**
 * protobufjs' Reader.string() does not check that the string's length fits
 * the buffer (a truncated request would decode as a shorter string), so
 * every length is checked here before it is used.
 */
function fieldEnd(r: protobuf.Reader, limit: number): number {
  const n = r.uint32();
  if (r.pos + n > limit)
    throw new Error(`a field of length ${n} at offset ${r.pos} runs past the end of its message (offset ${limit})`);
  return r.pos + n;
}

/** An unknown field skipped past the end of its message. */
function overrun(r: protobuf.Reader, end: number): void {
  if (r.pos > end) throw new Error(`a field runs past the end of its message (offset ${end})`);
}

function str(r: protobuf.Reader, limit: number): string {
  const e = fieldEnd(r, limit);
  const s = protobuf.util.utf8.read(r.buf, r.pos, e);
  r.pos = e;
  return s;
}

/**
 * Names (of tables, actions, match fields, match kinds and parameters) come
 * from one P4Info's small vocabulary and recur in every entry: each is
 * decoded once and then shared, which saves decoding it again and keeps
 * about nine strings per entry off the heap. Only ASCII names are kept, and
 * at most NAME_LIMIT of them, so a client sending ever new names cannot
 * grow the table (those are decoded as usual).
 */
const NAMES = new Map<number, string[]>();
const NAME_LIMIT = 4096;
const NAME_MAX_BYTES = 64;
let namesKept = 0;

function sameAscii(s: string, buf: Uint8Array, start: number, n: number): boolean {
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

function name(r: protobuf.Reader, limit: number): string {
  const e = fieldEnd(r, limit);
  const buf = r.buf;
  const start = r.pos;
  const n = e - start;
  r.pos = e;
  if (n > NAME_MAX_BYTES) return protobuf.util.utf8.read(buf, start, e);
  let h = n;
  for (let i = start; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  const bucket = NAMES.get(h);
  if (bucket) for (const s of bucket) if (sameAscii(s, buf, start, n)) return s;
  const s = protobuf.util.utf8.read(buf, start, e);
  // protobufjs reads every byte >= 0x80 as part of a sequence of two or more, so equal lengths mean ASCII.
  if (s.length === n && namesKept < NAME_LIMIT) {
    if (bucket) bucket.push(s);
    else NAMES.set(h, [s]);
    namesKept++;
  }
  return s;
}

function readMatch(r: protobuf.Reader, end: number): PlannedMatch {
  const m: PlannedMatch = { field: '', kind: '' as MatchKind, value: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    const w = tag & 7;
    if (f === 1 && w === LEN) m.field = name(r, end);
    else if (f === 2 && w === LEN) m.kind = name(r, end) as MatchKind;
    else if (f === 3 && w === LEN) m.value = str(r, end);
    else if (f === 4 && w === LEN) {
      const s = str(r, end);
      if (s !== '') m.mask = s;
    } else if (f === 5 && w === VARINT) {
      const n = r.int32();
      if (n !== 0) m.prefixLen = n;
    } else r.skipType(w);
  }
  overrun(r, end);
  return m;
}

function readParam(r: protobuf.Reader, end: number): PlannedParam {
  const p: PlannedParam = { name: '', value: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    const w = tag & 7;
    if (f === 1 && w === LEN) p.name = name(r, end);
    else if (f === 2 && w === LEN) p.value = str(r, end);
    else r.skipType(w);
  }
  overrun(r, end);
  return p;
}

function readEntry(r: protobuf.Reader, end: number): PlannedEntry {
  const e: PlannedEntry = { table: '', match: [], priority: 0, action: '', params: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    const w = tag & 7;
    if (f === 1 && w === LEN) e.table = name(r, end);
    else if (f === 2 && w === LEN) e.match.push(readMatch(r, fieldEnd(r, end)));
    else if (f === 3 && w === VARINT) e.priority = r.int32();
    else if (f === 4 && w === LEN) e.action = name(r, end);
    else if (f === 5 && w === LEN) e.params.push(readParam(r, fieldEnd(r, end)));
    else r.skipType(w);
  }
  overrun(r, end);
  return e;
}

function readZone(r: protobuf.Reader, end: number): ZoneRequest {
  const z: ZoneRequest = { zone: '', generation: 0, entries: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    const w = tag & 7;
    if (f === 1 && w === LEN) z.zone = str(r, end);
    else if (f === 2 && w === VARINT) z.generation = protobuf.util.LongBits.from(r.int64()).toNumber();
    else if (f === 3 && w === LEN) z.entries.push(readEntry(r, fieldEnd(r, end)));
    else if (f === 4 && w === VARINT) z.vlanId = r.uint32();
    else r.skipType(w);
  }
  overrun(r, end);
  return z;
}

export function decodeSetZoneEntriesRequest(b: Uint8Array): ZoneRequest {
  const r = protobuf.Reader.create(b);
  return readZone(r, r.len);
}

export function decodeSetZonesRequest(b: Uint8Array): { zones: ZoneRequest[] } {
  const r = protobuf.Reader.create(b);
  const zones: ZoneRequest[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === LEN) zones.push(readZone(r, fieldEnd(r, r.len)));
    else r.skipType(tag & 7);
  }
  return { zones };
}
