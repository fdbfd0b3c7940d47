// One scripted request per kind where targets are known to answer
// differently, run against any P4Runtime server: each returns the gRPC code
// of the call (or of the update, for a failed batch; or of the stream's
// arbitration answer / end). Used to hold the software switch and BMv2 to the
// specification side by side.
import * as grpc from '@grpc/grpc-js';
import { P4RuntimeClient, P4RuntimeError } from '../../../src/p4/p4runtime-client.js';
import type { TableEntry, Uint128 } from '../../../src/p4/p4runtime-types.js';
import { DEVICE_CONFIG, id, P4INFO } from '../../unit/switch/switch-harness.js';

export interface Probe {
  name: string;
  run(address: string): Promise<number>;
  /** What the specification asks, when it names a code. */
  spec?: grpc.status;
  software: grpc.status;
  /** BMv2 1.15.5; -1: no answer on the stream within 5 s. */
  bmv2: grpc.status | -1;
}

const PRIMARY: Uint128 = { high: '0', low: '1' };

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return grpc.status.OK;
  } catch (e) {
    if (e instanceof P4RuntimeError)
      return e.updates?.[0] && e.code === grpc.status.UNKNOWN ? e.updates[0].code : e.code;
    throw e;
  }
}

function markEntry(vlan: Buffer, dscp: Buffer): TableEntry {
  return {
    table_id: id('ZoneIngress.zone_mark'),
    match: [{ field_id: 1, exact: { value: vlan } }],
    action: { action: { action_id: id('ZoneIngress.set_dscp'), params: [{ param_id: 1, value: dscp }] } },
  };
}

/** A primary stream (election 0:1) and the pipeline pushed; run `fn`, then close. */
async function asPrimary(address: string, fn: (c: P4RuntimeClient) => Promise<number>): Promise<number> {
  const c = new P4RuntimeClient(address, { timeoutMs: 10_000 });
  const s = c.openStream('1', PRIMARY);
  try {
    await s.next();
    await c.setPipeline({
      device_id: '1',
      election_id: PRIMARY,
      action: 'VERIFY_AND_COMMIT',
      config: { p4info: P4INFO, p4_device_config: DEVICE_CONFIG, cookie: { cookie: '7' } },
    });
    return await fn(c);
  } finally {
    s.end();
    c.close();
  }
}

const write = (c: P4RuntimeClient, entry: TableEntry, type: 'INSERT' | 'MODIFY' = 'INSERT'): Promise<number> =>
  code(c.write({ device_id: '1', election_id: PRIMARY, updates: [{ type, entity: { table_entry: entry } }] }));

/** The first arbitration answer's code on a new stream, or the code the stream ended with. */
async function streamCode(
  c: P4RuntimeClient,
  deviceId: string,
  election: Uint128 | undefined,
  role = '',
): Promise<number> {
  const s = c.openStream(deviceId, election, role);
  try {
    const m = await s.next();
    return m.status ? (m.status.code ?? 0) : grpc.status.UNKNOWN;
  } catch (e) {
    if (e instanceof P4RuntimeError) return e.code;
    throw e;
  } finally {
    s.end();
  }
}

export const PROBES: Probe[] = [
  {
    name: 'value wider than its bit width (VLAN 0x1fff in 12 bits)',
    spec: grpc.status.OUT_OF_RANGE,
    software: grpc.status.OUT_OF_RANGE,
    bmv2: grpc.status.INVALID_ARGUMENT,
    run: (a) => asPrimary(a, (c) => write(c, markEntry(Buffer.from([0x1f, 0xff]), Buffer.from([1])))),
  },
  {
    name: 'empty byte string as a match value',
    spec: grpc.status.OUT_OF_RANGE,
    software: grpc.status.OUT_OF_RANGE,
    bmv2: grpc.status.OK,
    run: (a) => asPrimary(a, (c) => write(c, markEntry(Buffer.alloc(0), Buffer.from([1])))),
  },
  {
    name: 'unknown table id on write',
    software: grpc.status.NOT_FOUND,
    bmv2: grpc.status.INVALID_ARGUMENT,
    run: (a) =>
      asPrimary(a, (c) => write(c, { ...markEntry(Buffer.from([1]), Buffer.from([1])), table_id: 0x02ffffff })),
  },
  {
    name: 'unknown table id on read',
    software: grpc.status.NOT_FOUND,
    bmv2: grpc.status.INVALID_ARGUMENT,
    run: (a) =>
      asPrimary(a, (c) => code(c.read({ device_id: '1', entities: [{ table_entry: { table_id: 0x02ffffff } }] }))),
  },
  {
    name: 'write to a wrong device id',
    spec: grpc.status.NOT_FOUND,
    software: grpc.status.NOT_FOUND,
    bmv2: grpc.status.PERMISSION_DENIED,
    run: (a) =>
      asPrimary(a, (c) =>
        code(
          c.write({
            device_id: '9',
            election_id: PRIMARY,
            updates: [{ type: 'INSERT', entity: { table_entry: markEntry(Buffer.from([1]), Buffer.from([1])) } }],
          }),
        ),
      ),
  },
  {
    name: 'election id (0,0) while another stream sent none',
    spec: grpc.status.OK,
    software: grpc.status.OK,
    bmv2: grpc.status.INVALID_ARGUMENT,
    run: async (a) => {
      const c = new P4RuntimeClient(a, { timeoutMs: 10_000 });
      const none = c.openStream('1', undefined);
      try {
        await none.next();
        return await streamCode(c, '1', { high: '0', low: '0' });
      } finally {
        none.end();
        c.close();
      }
    },
  },
  {
    name: 'a named role without a role config',
    spec: grpc.status.OK,
    software: grpc.status.OK,
    bmv2: grpc.status.OK,
    run: async (a) => {
      const c = new P4RuntimeClient(a, { timeoutMs: 10_000 });
      try {
        return await streamCode(c, '1', { high: '0', low: '3' }, 'zonekeeper');
      } finally {
        c.close();
      }
    },
  },
  {
    name: 'the role changed on the same stream',
    spec: grpc.status.FAILED_PRECONDITION,
    software: grpc.status.FAILED_PRECONDITION,
    bmv2: -1,
    run: async (a) => {
      const c = new P4RuntimeClient(a, { timeoutMs: 10_000 });
      const s = c.openStream('1', { high: '0', low: '4' });
      try {
        await s.next();
        s.arbitrate({ high: '0', low: '4' }, '1', 'other');
        try {
          const m = await s.next();
          return m.status ? (m.status.code ?? 0) : grpc.status.UNKNOWN;
        } catch (e) {
          return e instanceof P4RuntimeError ? e.code : -1;
        }
      } finally {
        s.end();
        c.close();
      }
    },
  },
  {
    name: 'VERIFY_AND_COMMIT without a config',
    software: grpc.status.INVALID_ARGUMENT,
    bmv2: grpc.status.OK,
    run: (a) =>
      asPrimary(a, (c) => code(c.setPipeline({ device_id: '1', election_id: PRIMARY, action: 'VERIFY_AND_COMMIT' }))),
  },
  {
    name: 'a read with a priority filter',
    spec: grpc.status.OK,
    software: grpc.status.OK,
    bmv2: grpc.status.OK,
    run: (a) =>
      asPrimary(a, (c) =>
        code(
          c.read({
            device_id: '1',
            entities: [{ table_entry: { table_id: id('ZoneIngress.zone_acl'), priority: 10 } }],
          }),
        ),
      ),
  },
  {
    // The specification's wildcard: table_id 0 reads the direct counters of every table.
    name: 'a direct-counter read of every table (table_id 0)',
    spec: grpc.status.OK,
    software: grpc.status.OK,
    bmv2: grpc.status.UNIMPLEMENTED,
    run: (a) =>
      asPrimary(a, (c) => code(c.read({ device_id: '1', entities: [{ direct_counter_entry: { table_entry: {} } }] }))),
  },
  {
    name: 'an update without an entity',
    spec: grpc.status.INVALID_ARGUMENT,
    software: grpc.status.INVALID_ARGUMENT,
    bmv2: grpc.status.UNKNOWN,
    run: (a) =>
      asPrimary(a, (c) => code(c.write({ device_id: '1', election_id: PRIMARY, updates: [{ type: 'INSERT' }] }))),
  },
  {
    name: 'a read of an empty entity',
    spec: grpc.status.INVALID_ARGUMENT,
    software: grpc.status.INVALID_ARGUMENT,
    bmv2: grpc.status.UNKNOWN,
    run: (a) => asPrimary(a, (c) => code(c.read({ device_id: '1', entities: [{}] }))),
  },
];
