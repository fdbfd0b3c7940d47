// The two hot requests of the sidecar API (SetZoneEntries, SetZones) read
// straight into the core's PlannedEntry shape. The generic path decoded
// protobufjs messages and then copied every entry, match and parameter into
// a PlannedEntry; this reads each field once. Field numbers are those of
// proto/zonekeeper/sidecar/v1/sidecar.proto; unknown fields are skipped.
import protobuf from 'protobufjs';
import type { MatchKind, PlannedEntry, PlannedMatch, PlannedParam } from '../core/network/p4-entries.js';

export interface ZoneRequest { zone: string; generation: number; entries: PlannedEntry[] }

const LEN = 2;
const VARINT = 0;

/**
 * protobufjs' Reader.string() does not check that the string's length fits
 * the buffer (a truncated request would decode as a shorter string), so
 * every length is checked here before it is used.
 */
function fieldEnd(r: protobuf.Reader, limit: number): number {
  const n = r.uint32();
  if (r.pos + n > limit) throw new Error(`a field of length ${n} at offset ${r.pos} runs past the end of its message (offset ${limit})`);
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

function readMatch(r: protobuf.Reader, end: number): PlannedMatch {
  const m: PlannedMatch = { field: '', kind: '' as MatchKind, value: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    const w = tag & 7;
    if (f === 1 && w === LEN) m.field = str(r, end);
    else if (f === 2 && w === LEN) m.kind = str(r, end) as MatchKind;
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
    if (f === 1 && w === LEN) p.name = str(r, end);
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
    if (f === 1 && w === LEN) e.table = str(r, end);
    else if (f === 2 && w === LEN) e.match.push(readMatch(r, fieldEnd(r, end)));
    else if (f === 3 && w === VARINT) e.priority = r.int32();
    else if (f === 4 && w === LEN) e.action = str(r, end);
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
    else if (f === 2 && w === VARINT) z.generation = Number(String(r.int64()));
    else if (f === 3 && w === LEN) z.entries.push(readEntry(r, fieldEnd(r, end)));
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

function writeEntry(w: protobuf.Writer, e: PlannedEntry): void {
  if (e.table !== '') w.uint32((1 << 3) | LEN).string(e.table);
  for (const m of e.match) {
    w.uint32((2 << 3) | LEN).fork();
    if (m.field !== '') w.uint32((1 << 3) | LEN).string(m.field);
    w.uint32((2 << 3) | LEN).string(m.kind);
    if (m.value !== '') w.uint32((3 << 3) | LEN).string(m.value);
    if (m.mask) w.uint32((4 << 3) | LEN).string(m.mask);
    if (m.prefixLen) w.uint32((5 << 3) | VARINT).int32(m.prefixLen);
    w.ldelim();
  }
  if (e.priority) w.uint32((3 << 3) | VARINT).int32(e.priority);
  if (e.action !== '') w.uint32((4 << 3) | LEN).string(e.action);
  for (const p of e.params) {
    w.uint32((5 << 3) | LEN).fork();
    if (p.name !== '') w.uint32((1 << 3) | LEN).string(p.name);
    if (p.value !== '') w.uint32((2 << 3) | LEN).string(p.value);
    w.ldelim();
  }
}

function writeZone(w: protobuf.Writer, z: ZoneRequest): void {
  if (z.zone !== '') w.uint32((1 << 3) | LEN).string(z.zone);
  if (z.generation) w.uint32((2 << 3) | VARINT).int64(z.generation);
  for (const e of z.entries) {
    w.uint32((3 << 3) | LEN).fork();
    writeEntry(w, e);
    w.ldelim();
  }
}

/** The client's side: PlannedEntry to the wire without an intermediate message object per entry. */
export function encodeSetZoneEntriesRequest(z: ZoneRequest): Buffer {
  const w = protobuf.Writer.create();
  writeZone(w, z);
  return w.finish() as Buffer;
}

export function encodeSetZonesRequest(r: { zones: ZoneRequest[] }): Buffer {
  const w = protobuf.Writer.create();
  for (const z of r.zones) {
    w.uint32((1 << 3) | LEN).fork();
    writeZone(w, z);
    w.ldelim();
  }
  return w.finish() as Buffer;
}
