// Hand-framed WriteRequest encoding for the sidecar's hot path. A desired
// entry is encoded once (TableEntry bytes, cached) and each Write frames the
// cached bytes with the few fields around them, instead of converting every
// entry from an object again on every write and re-sync. The field numbers
// are p4.v1's: WriteRequest{device_id 1, election_id 3, updates 4, role 6},
// Update{type 1, entity 2}, Entity{table_entry 2}, Uint128{high 1, low 2}.
import protobuf from 'protobufjs';
import { loadP4RuntimeProto } from './p4runtime-proto.js';
import type { TableEntry, Uint128 } from './p4runtime-types.js';

const UPDATE_TYPE = { INSERT: 1, MODIFY: 2, DELETE: 3 } as const;
export type WriteType = keyof typeof UPDATE_TYPE;

let tableEntryType: protobuf.Type | undefined;

/**
 * Encode a TableEntry as the translator builds it (numbers, Buffers, nested
 * plain objects): protobufjs encodes such objects directly, so the
 * fromObject copy is skipped. Enum-valued fields are not part of TableEntry.
 */
export function encodeTableEntry(e: TableEntry): Buffer {
  tableEntryType ??= loadP4RuntimeProto().root.lookupType('p4.v1.TableEntry');
  return Buffer.from(tableEntryType.encode(e).finish());
}

export function encodeWriteRequest(deviceId: string, role: string, election: Uint128, updates: { type: WriteType; entry: Uint8Array }[]): Buffer {
  const w = protobuf.Writer.create();
  if (deviceId !== '0') w.uint32((1 << 3) | 0).uint64(deviceId);
  // election_id is always present, even {0,0} (an unset one is never primary).
  w.uint32((3 << 3) | 2).fork();
  if ((election.high ?? '0') !== '0') w.uint32((1 << 3) | 0).uint64(election.high as string);
  if ((election.low ?? '0') !== '0') w.uint32((2 << 3) | 0).uint64(election.low as string);
  w.ldelim();
  for (const u of updates) {
    w.uint32((4 << 3) | 2).fork();
    w.uint32((1 << 3) | 0).int32(UPDATE_TYPE[u.type]);
    w.uint32((2 << 3) | 2).fork();
    w.uint32((2 << 3) | 2).bytes(u.entry);
    w.ldelim();
    w.ldelim();
  }
  if (role !== '') w.uint32((6 << 3) | 2).string(role);
  return Buffer.from(w.finish());
}
