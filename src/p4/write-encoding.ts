// Hand-framed WriteRequest encoding for the sidecar's hot path. A desired
// entry is encoded once (TableEntry bytes, cached) and each Write frames the
// cached bytes with the few fields around them, instead of converting every
// entry from an object again on every write and re-sync. The updates are
// sized first and copied into one buffer: protobufjs would allocate several
// writer operations per update. The field numbers
// are p4.v1's: WriteRequest{device_id 1, election_id 3, updates 4, role 6},
// Update{type 1, entity 2}, Entity{table_entry 2}, Uint128{high 1, low 2}.
import protobuf from 'protobufjs';
import { loadP4RuntimeProto } from './p4runtime-proto.js';
import type { TableEntry, Uint128 } from './p4runtime-types.js';
import { encodeTableEntryDirect, varintSize, writeVarint } from './table-entry-encoding.js';

const UPDATE_TYPE = { INSERT: 1, MODIFY: 2, DELETE: 3 } as const;
export type WriteType = keyof typeof UPDATE_TYPE;

let tableEntryType: protobuf.Type | undefined;

/**
 * Encode a TableEntry given as the loader's plain object (numbers, Buffers):
 * the translator's shape by hand, anything else (e.g. an entry read back
 * with an idle timeout) through protobufjs, which takes such objects
 * without a fromObject copy. Enum-valued fields are not part of TableEntry.
 */
export function encodeTableEntry(e: TableEntry): Buffer {
  const direct = encodeTableEntryDirect(e);
  if (direct) return direct;
  tableEntryType ??= loadP4RuntimeProto().root.lookupType('p4.v1.TableEntry');
  return Buffer.from(tableEntryType.encode(e).finish());
}

/**
 * A TableEntry encoding with its action (field 3) left out, as encoding the
 * entry without an action would write it: what a DELETE carries, derived
 * from the encoding the sidecar keeps instead of from the entry object.
 */
export function withoutAction(entry: Uint8Array): Buffer {
  const r = protobuf.Reader.create(entry);
  const keep: [number, number][] = [];
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.uint32();
    r.skipType(tag & 7);
    if (tag >>> 3 !== 3) keep.push([start, r.pos]);
  }
  return Buffer.concat(keep.map(([a, b]) => entry.subarray(a, b)));
}

export function encodeWriteRequest(
  deviceId: string,
  role: string,
  election: Uint128,
  updates: { type: WriteType; entry: Uint8Array }[],
): Buffer {
  const w = protobuf.Writer.create();
  if (deviceId !== '0') w.uint32((1 << 3) | 0).uint64(deviceId);
  // election_id is always present, even {0,0} (an unset one is never primary).
  w.uint32((3 << 3) | 2).fork();
  if ((election.high ?? '0') !== '0') w.uint32((1 << 3) | 0).uint64(election.high as string);
  if ((election.low ?? '0') !== '0') w.uint32((2 << 3) | 0).uint64(election.low as string);
  w.ldelim();
  const head = w.finish();
  // Fields in number order, as protobuf writers emit them: role (6) last.
  const tail =
    role === ''
      ? Buffer.alloc(0)
      : protobuf.Writer.create()
          .uint32((6 << 3) | 2)
          .string(role)
          .finish();
  // Update{type, entity{table_entry}}: sizes first, then one copy each.
  let len = head.length + tail.length;
  for (const u of updates) len += updateSize(u.entry.length);
  const buf = Buffer.allocUnsafe(len);
  buf.set(head, 0);
  let pos = head.length;
  for (const u of updates) {
    const entity = 1 + varintSize(u.entry.length) + u.entry.length;
    buf[pos++] = (4 << 3) | 2;
    pos = writeVarint(buf, pos, 2 + 1 + varintSize(entity) + entity);
    buf[pos++] = (1 << 3) | 0;
    buf[pos++] = UPDATE_TYPE[u.type];
    buf[pos++] = (2 << 3) | 2;
    pos = writeVarint(buf, pos, entity);
    buf[pos++] = (2 << 3) | 2;
    pos = writeVarint(buf, pos, u.entry.length);
    buf.set(u.entry, pos);
    pos += u.entry.length;
  }
  buf.set(tail, pos);
  return buf;
}

function updateSize(entryLen: number): number {
  const entity = 1 + varintSize(entryLen) + entryLen;
  const update = 2 + 1 + varintSize(entity) + entity;
  return 1 + varintSize(update) + update;
}
