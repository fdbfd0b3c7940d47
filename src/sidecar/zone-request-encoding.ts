// The client's side of wire-entries.ts: PlannedEntry to the bytes of a
// SetZoneEntries or SetZones request. The operator's programmer encodes
// every entry of every zone it hands over, and protobufjs' Writer spends
// most of that allocating an operation object per field and a fork per
// nested message; this sizes the whole request first and writes it into
// one buffer. Values outside the shape the core plans (a negative or
// non-integer number) go through protobufjs instead, so the bytes are
// always those a protobuf writer emits. Field numbers are those of
// proto/zonekeeper/sidecar/v1/sidecar.proto, all below 16 (one-byte tags).
import protobuf from 'protobufjs';
import type { PlannedEntry } from '../core/network/p4-entries.js';
import { varintSize, writeVarint } from '../p4/table-entry-encoding.js';
import type { ZoneRequest } from './wire-entries.js';

const LEN = 2;
const VARINT = 0;
const INT32_MAX = 0x7fffffff;

/** Byte lengths in the order the writer needs them: every string, and every nested message before its fields. */
type Sizes = number[];

function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

function uint53Size(v: number): number {
  let n = 1;
  for (; v >= 0x80; v = Math.floor(v / 0x80)) n++;
  return n;
}

/** A count of bytes, or -1: a number the fast path does not write. */
const int32Size = (v: number): number => (Number.isInteger(v) && v >= 0 && v <= INT32_MAX ? 1 + varintSize(v) : -1);

function strSize(sizes: Sizes, s: string): number {
  const n = utf8Length(s);
  sizes.push(n);
  return 1 + varintSize(n) + n;
}

/** Reserves the slot of a nested message, sizes its content with `fn`, and answers the field's whole size (or -1). */
function nestedSize(sizes: Sizes, fn: () => number): number {
  const slot = sizes.length;
  sizes.push(0);
  const n = fn();
  if (n < 0) return -1;
  sizes[slot] = n;
  return 1 + varintSize(n) + n;
}

function entrySize(sizes: Sizes, e: PlannedEntry): number {
  let n = e.table !== '' ? strSize(sizes, e.table) : 0;
  for (const m of e.match) {
    const f = nestedSize(sizes, () => {
      let c = (m.field !== '' ? strSize(sizes, m.field) : 0) + strSize(sizes, m.kind);
      if (m.value !== '') c += strSize(sizes, m.value);
      if (m.mask) c += strSize(sizes, m.mask);
      if (m.prefixLen) {
        const p = int32Size(m.prefixLen);
        if (p < 0) return -1;
        c += p;
      }
      return c;
    });
    if (f < 0) return -1;
    n += f;
  }
  if (e.priority) {
    const p = int32Size(e.priority);
    if (p < 0) return -1;
    n += p;
  }
  if (e.action !== '') n += strSize(sizes, e.action);
  for (const p of e.params) {
    n += nestedSize(
      sizes,
      () => (p.name !== '' ? strSize(sizes, p.name) : 0) + (p.value !== '' ? strSize(sizes, p.value) : 0),
    );
  }
  return n;
}

function zoneSize(sizes: Sizes, z: ZoneRequest): number {
  let n = z.zone !== '' ? strSize(sizes, z.zone) : 0;
  if (z.generation) {
    if (!Number.isSafeInteger(z.generation) || z.generation < 0) return -1;
    n += 1 + uint53Size(z.generation);
  }
  for (const e of z.entries) {
    const f = nestedSize(sizes, () => entrySize(sizes, e));
    if (f < 0) return -1;
    n += f;
  }
  if (z.vlanId) {
    if (!Number.isInteger(z.vlanId) || z.vlanId < 0 || z.vlanId > 0xffffffff) return -1;
    n += 1 + uint53Size(z.vlanId);
  }
  return n;
}

class Out {
  pos = 0;
  private at = 0;
  constructor(
    readonly buf: Buffer,
    private readonly sizes: Sizes,
  ) {}

  open(field: number): void {
    this.buf[this.pos++] = (field << 3) | LEN;
    this.pos = writeVarint(this.buf, this.pos, this.sizes[this.at++]);
  }

  str(field: number, s: string): void {
    const n = this.sizes[this.at++];
    const buf = this.buf;
    buf[this.pos++] = (field << 3) | LEN;
    this.pos = writeVarint(buf, this.pos, n);
    // Byte length equals UTF-16 length only for ASCII text.
    if (n === s.length) for (let i = 0; i < n; i++) buf[this.pos++] = s.charCodeAt(i);
    else this.pos += buf.write(s, this.pos, n, 'utf8');
  }

  uint(field: number, v: number): void {
    const buf = this.buf;
    buf[this.pos++] = (field << 3) | VARINT;
    for (; v >= 0x80; v = Math.floor(v / 0x80)) buf[this.pos++] = (v % 0x80) | 0x80;
    buf[this.pos++] = v;
  }
}

function writeEntry(o: Out, e: PlannedEntry): void {
  if (e.table !== '') o.str(1, e.table);
  for (const m of e.match) {
    o.open(2);
    if (m.field !== '') o.str(1, m.field);
    o.str(2, m.kind);
    if (m.value !== '') o.str(3, m.value);
    if (m.mask) o.str(4, m.mask);
    if (m.prefixLen) o.uint(5, m.prefixLen);
  }
  if (e.priority) o.uint(3, e.priority);
  if (e.action !== '') o.str(4, e.action);
  for (const p of e.params) {
    o.open(5);
    if (p.name !== '') o.str(1, p.name);
    if (p.value !== '') o.str(2, p.value);
  }
}

function writeZone(o: Out, z: ZoneRequest): void {
  if (z.zone !== '') o.str(1, z.zone);
  if (z.generation) o.uint(2, z.generation);
  for (const e of z.entries) {
    o.open(3);
    writeEntry(o, e);
  }
  if (z.vlanId) o.uint(4, z.vlanId);
}

function finish(len: number, sizes: Sizes, write: (o: Out) => void): Buffer {
  const o = new Out(Buffer.allocUnsafe(len), sizes);
  write(o);
  if (o.pos !== len) throw new Error(`zone request encoding: wrote ${o.pos} of ${len} bytes`);
  return o.buf;
}

export function encodeSetZoneEntriesRequest(z: ZoneRequest): Buffer {
  const sizes: Sizes = [];
  const len = zoneSize(sizes, z);
  if (len < 0) return generic((w) => genericZone(w, z));
  return finish(len, sizes, (o) => writeZone(o, z));
}

export function encodeSetZonesRequest(r: { zones: ZoneRequest[] }): Buffer {
  const sizes: Sizes = [];
  let len = 0;
  for (const z of r.zones) {
    const n = nestedSize(sizes, () => zoneSize(sizes, z));
    if (n < 0)
      return generic((w) => {
        for (const x of r.zones) {
          w.uint32((1 << 3) | LEN).fork();
          genericZone(w, x);
          w.ldelim();
        }
      });
    len += n;
  }
  return finish(len, sizes, (o) => {
    for (const z of r.zones) {
      o.open(1);
      writeZone(o, z);
    }
  });
}

// protobufjs, for the numbers the fast path leaves out: int32 and int64 as it writes them.
function generic(fn: (w: protobuf.Writer) => void): Buffer {
  const w = protobuf.Writer.create();
  fn(w);
  return Buffer.from(w.finish());
}

function genericZone(w: protobuf.Writer, z: ZoneRequest): void {
  if (z.zone !== '') w.uint32((1 << 3) | LEN).string(z.zone);
  if (z.generation) w.uint32((2 << 3) | VARINT).int64(z.generation);
  for (const e of z.entries) {
    w.uint32((3 << 3) | LEN).fork();
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
    w.ldelim();
  }
  if (z.vlanId) w.uint32((4 << 3) | VARINT).uint32(z.vlanId);
}
