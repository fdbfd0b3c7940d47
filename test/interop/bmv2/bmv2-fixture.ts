// Shared by the BMv2 tests: the toolchain (or a skip with the reason in the
// summary), a BMv2 per test, a sidecar pointed at it, and the entries a
// switch holds read back in one comparable form.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { P4RuntimeClient } from '../../../src/p4/p4runtime-client.js';
import type { TableEntry } from '../../../src/p4/p4runtime-types.js';
import { Sidecar } from '../../../src/sidecar/sidecar.js';
import { findP4Toolchain, summaryNote, type P4Toolchain } from '../../../tools/harness/p4-toolchain.js';
import { DEVICE_CONFIG, P4INFO } from '../../unit/switch/switch-harness.js';

export const LOG_DIR = mkdtempSync(join(tmpdir(), 'zonekeeper-bmv2-'));

/** The toolchain, or skip the suite (`ctx` is mocha's `this` in before) and say why in the summary. */
export function toolchainOrSkip(ctx: Mocha.Context, what: string): P4Toolchain {
  const t = findP4Toolchain();
  if (typeof t === 'string') {
    summaryNote(`${what} not run: ${t}`);
    ctx.skip();
  }
  return t;
}

export function startSidecar(address: string, term = 1n, ordinal = 0n): Sidecar {
  const s = new Sidecar({
    switches: [{ address, deviceId: '1' }],
    p4info: P4INFO,
    deviceConfig: DEVICE_CONFIG,
    election: { term, ordinal },
    batchSize: 100,
    resyncIntervalMs: 60_000,
    log: () => {},
  });
  s.start();
  return s;
}

const hexed = (v: unknown): unknown => {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(hexed);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'field_match_type' && k !== 'type')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, hexed(x)]),
    );
  }
  return v;
};

/**
 * Every direct counter of one table (a wildcard read of that table: BMv2
 * answers table_id 0 with UNIMPLEMENTED), as `key hex packets/bytes`, sorted.
 */
export async function readCountersBack(address: string, tableId: number): Promise<string[]> {
  const c = new P4RuntimeClient(address);
  try {
    const ents = await c.read({
      device_id: '1',
      entities: [{ direct_counter_entry: { table_entry: { table_id: tableId } }, entity: 'direct_counter_entry' }],
    });
    return ents
      .map((e) => {
        const d = e.direct_counter_entry;
        return `${JSON.stringify(hexed(d?.table_entry))} ${d?.data?.packet_count ?? '0'}/${d?.data?.byte_count ?? '0'}`;
      })
      .sort();
  } finally {
    c.close();
  }
}

/** The entries of one table read with counter_data asked for: key, action and counts, sorted. */
export async function readEntriesWithCounts(address: string, tableId: number): Promise<string[]> {
  const c = new P4RuntimeClient(address);
  try {
    const ents = await c.read({
      device_id: '1',
      entities: [{ table_entry: { table_id: tableId, counter_data: {} }, entity: 'table_entry' }],
    });
    return ents.map((e) => JSON.stringify(hexed(e.table_entry as TableEntry))).sort();
  } finally {
    c.close();
  }
}

/** Every entry a switch holds (wildcard read), each as sorted JSON with byte strings in hex, sorted. */
export async function readBack(address: string): Promise<string[]> {
  const c = new P4RuntimeClient(address);
  try {
    const ents = await c.read({ device_id: '1', entities: [{ table_entry: {} }] });
    return ents.map((e) => JSON.stringify(hexed(e.table_entry as TableEntry))).sort();
  } finally {
    c.close();
  }
}
