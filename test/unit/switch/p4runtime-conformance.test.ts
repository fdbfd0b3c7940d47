// One test per P4Runtime rule the software switch promises to enforce
// (docs/p4.md lists them with their specification sections).
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { P4RuntimeError } from '../../../src/p4/p4runtime-client.js';
import type { Entity, FieldMatch, Uint128, TableEntry, Update, UpdateType } from '../../../src/p4/p4runtime-types.js';
import { decodeStatus, STATUS_DETAILS_KEY } from '../../../src/p4/status-details.js';
import { DEVICE, id, pipelineConfig, startHarness, startProgrammed, type Harness } from './switch-harness.js';

const E1 = { high: '0', low: '1' };
const E2 = { high: '0', low: '2' };
const E3 = { high: '1', low: '0' };

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
const exact = (field_id: number, value: Buffer): FieldMatch => ({
  field_id,
  exact: { value },
  field_match_type: 'exact',
});

function markEntry(vlan: number, dscp: number, pad = false): TableEntry {
  const v = pad
    ? Buffer.from([0, 0, (vlan >> 8) & 0xff, vlan & 0xff])
    : vlan > 255
      ? b(vlan >> 8, vlan & 0xff)
      : b(vlan);
  return {
    table_id: id('ZoneIngress.zone_mark'),
    match: [exact(1, v)],
    action: {
      action: { action_id: id('ZoneIngress.set_dscp'), params: [{ param_id: 1, value: pad ? b(0, dscp) : b(dscp) }] },
      type: 'action',
    },
  };
}

function aclEntry(vlan: number, value: Buffer, mask: Buffer, priority: number): TableEntry {
  return {
    table_id: id('ZoneIngress.zone_acl'),
    match: [
      exact(1, b(vlan >> 8, vlan & 0xff)),
      { field_id: 2, ternary: { value, mask }, field_match_type: 'ternary' },
    ],
    action: { action: { action_id: id('ZoneIngress.acl_permit'), params: [] }, type: 'action' },
    priority,
  };
}

const upd = (type: UpdateType, table_entry: TableEntry): Update => ({
  type,
  entity: { table_entry, entity: 'table_entry' },
});

async function codes(h: Harness & { election: Uint128 }, updates: Update[]): Promise<number[]> {
  try {
    await h.client.write({ device_id: DEVICE, election_id: h.election, updates });
    return updates.map(() => 0);
  } catch (e) {
    assert.ok(e instanceof P4RuntimeError);
    assert.equal(e.code, grpc.status.UNKNOWN, 'a failed batch is UNKNOWN');
    assert.ok(e.updates, 'grpc-status-details-bin is present');
    return e.updates.map((u) => u.code);
  }
}

async function rpcCode(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return grpc.status.OK;
  } catch (e) {
    assert.ok(e instanceof P4RuntimeError, String(e));
    return e.code;
  }
}

const tableEntries = (ents: Entity[]): TableEntry[] => ents.map((e) => e.table_entry as TableEntry);

describe('software switch: P4Runtime conformance', function () {
  let h: Harness & { election: Uint128 };
  afterEach(() => h?.close());

  describe('arbitration (§5)', () => {
    beforeEach(async () => {
      h = Object.assign(await startHarness(), { election: E1 });
    });

    it('makes the first controller with an election_id primary and answers OK with its election_id', async () => {
      const { stream, code } = await h.arbitrate(E1);
      assert.equal(code, grpc.status.OK);
      assert.deepEqual(stream.last?.election_id, E1);
    });

    it('answers ALREADY_EXISTS to a backup with a lower election_id, and the primary stays', async () => {
      await h.arbitrate(E2);
      const backup = await h.arbitrate(E1, { client: h.newClient() });
      assert.equal(backup.code, grpc.status.ALREADY_EXISTS);
      assert.deepEqual(backup.stream.last?.election_id, E2, 'carries the primary election_id');
    });

    it('lets a higher election_id take over and tells the old primary it is now a backup', async () => {
      const first = await h.arbitrate(E1);
      const told = first.stream.next();
      const second = await h.arbitrate(E3, { client: h.newClient() });
      assert.equal(second.code, grpc.status.OK);
      assert.equal((await told).status?.code, grpc.status.ALREADY_EXISTS);
    });

    it('ends a stream with INVALID_ARGUMENT when its election_id is held by another live controller', async () => {
      await h.arbitrate(E1);
      await assert.rejects(
        h.arbitrate(E1, { client: h.newClient() }),
        (e: P4RuntimeError) => e.code === grpc.status.INVALID_ARGUMENT,
      );
    });

    it('ends a stream with NOT_FOUND for an unknown device_id', async () => {
      await assert.rejects(h.arbitrate(E1, { deviceId: '7' }), (e: P4RuntimeError) => e.code === grpc.status.NOT_FOUND);
    });

    it('ends a stream with FAILED_PRECONDITION when a later message changes the role', async () => {
      const { stream } = await h.arbitrate(E1);
      stream.arbitrate(E1, DEVICE, 'other-role');
      await assert.rejects(stream.next(), (e: P4RuntimeError) => e.code === grpc.status.FAILED_PRECONDITION);
    });

    it('elects a primary per role: the same election_id may be primary in two roles', async () => {
      assert.equal((await h.arbitrate(E1)).code, grpc.status.OK);
      assert.equal((await h.arbitrate(E1, { role: 'sdn', client: h.newClient() })).code, grpc.status.OK);
    });

    it('promotes nobody when the primary leaves: backups hear NOT_FOUND and still cannot write', async () => {
      const primary = await h.arbitrate(E2);
      const backup = await h.arbitrate(E1, { client: h.newClient() });
      const told = backup.stream.next();
      primary.stream.end();
      const m = await told;
      assert.equal(m.status?.code, grpc.status.NOT_FOUND);
      assert.deepEqual(m.election_id, E2, 'the highest election_id seen');
      const code = await rpcCode(
        h.client.setPipeline({
          device_id: DEVICE,
          election_id: E1,
          action: 'VERIFY_AND_COMMIT',
          config: pipelineConfig(),
        }),
      );
      assert.equal(code, grpc.status.PERMISSION_DENIED);
    });

    it('never makes a controller without an election_id primary, and leaves election_id unset before any primary', async () => {
      const { stream, code } = await h.arbitrate(undefined);
      assert.equal(code, grpc.status.NOT_FOUND);
      assert.equal(stream.last?.election_id, undefined);
    });

    it('counts {0,0} as a set election_id that can be primary', async () => {
      assert.equal((await h.arbitrate({ high: '0', low: '0' })).code, grpc.status.OK);
    });
  });

  describe('Write preconditions (§12)', () => {
    beforeEach(async () => {
      h = Object.assign(await startHarness(), { election: E1 });
    });

    it('refuses writes and pipeline pushes from a non-primary with PERMISSION_DENIED', async () => {
      await h.arbitrate(E2);
      assert.equal(
        await rpcCode(
          h.client.write({ device_id: DEVICE, election_id: E1, updates: [upd('INSERT', markEntry(1000, 56))] }),
        ),
        grpc.status.PERMISSION_DENIED,
      );
      assert.equal(
        await rpcCode(
          h.client.setPipeline({
            device_id: DEVICE,
            election_id: E1,
            action: 'VERIFY_AND_COMMIT',
            config: pipelineConfig(),
          }),
        ),
        grpc.status.PERMISSION_DENIED,
      );
    });

    it('refuses writes with FAILED_PRECONDITION before a pipeline is set, and reads too', async () => {
      await h.arbitrate(E1);
      assert.equal(
        await rpcCode(
          h.client.write({ device_id: DEVICE, election_id: E1, updates: [upd('INSERT', markEntry(1000, 56))] }),
        ),
        grpc.status.FAILED_PRECONDITION,
      );
      assert.equal(
        await rpcCode(h.client.read({ device_id: DEVICE, entities: [{ table_entry: {}, entity: 'table_entry' }] })),
        grpc.status.FAILED_PRECONDITION,
      );
    });

    it('answers NOT_FOUND for an unknown device_id', async () => {
      await h.arbitrate(E1);
      assert.equal(
        await rpcCode(h.client.write({ device_id: '9', election_id: E1, updates: [] })),
        grpc.status.NOT_FOUND,
      );
      assert.equal(await rpcCode(h.client.getPipeline({ device_id: '9' })), grpc.status.NOT_FOUND);
    });
  });

  describe('SetForwardingPipelineConfig / GetForwardingPipelineConfig (§15)', () => {
    beforeEach(async () => {
      h = Object.assign(await startHarness(), { election: E1 });
      await h.arbitrate(E1);
    });
    const set = (
      action: 'VERIFY' | 'VERIFY_AND_SAVE' | 'VERIFY_AND_COMMIT' | 'COMMIT' | 'RECONCILE_AND_COMMIT' | 'UNSPECIFIED',
      cookie?: string,
      withConfig = true,
    ): Promise<number> =>
      rpcCode(
        h.client.setPipeline({
          device_id: DEVICE,
          election_id: E1,
          action,
          ...(withConfig ? { config: pipelineConfig(cookie) } : {}),
        }),
      );

    it('VERIFY checks the config without realising it; no config is INVALID_ARGUMENT', async () => {
      assert.equal(await set('VERIFY'), grpc.status.OK);
      assert.equal(await set('VERIFY', undefined, false), grpc.status.INVALID_ARGUMENT);
      assert.equal(
        await rpcCode(h.client.write({ device_id: DEVICE, election_id: E1, updates: [] })),
        grpc.status.FAILED_PRECONDITION,
      );
    });

    it('rejects a P4Info that cannot be realised (wrong ID prefix) with INVALID_ARGUMENT', async () => {
      const config = pipelineConfig();
      const bad = structuredClone(config);
      (bad.p4info?.tables?.[0]?.preamble as { id: number }).id = 0x01ffffff;
      assert.equal(
        await rpcCode(
          h.client.setPipeline({ device_id: DEVICE, election_id: E1, action: 'VERIFY_AND_COMMIT', config: bad }),
        ),
        grpc.status.INVALID_ARGUMENT,
      );
    });

    it('COMMIT realises the config VERIFY_AND_SAVE saved; COMMIT with nothing saved is NOT_FOUND', async () => {
      assert.equal(await set('COMMIT', undefined, false), grpc.status.NOT_FOUND);
      assert.equal(await set('VERIFY_AND_SAVE', '7'), grpc.status.OK);
      assert.equal(
        (await h.client.getPipeline({ device_id: DEVICE, response_type: 'COOKIE_ONLY' })).config?.cookie,
        undefined,
      );
      assert.equal(await set('COMMIT', undefined, false), grpc.status.OK);
      assert.equal(
        (await h.client.getPipeline({ device_id: DEVICE, response_type: 'COOKIE_ONLY' })).config?.cookie?.cookie,
        '7',
      );
    });

    it('VERIFY_AND_COMMIT clears the forwarding state; RECONCILE_AND_COMMIT keeps it', async () => {
      assert.equal(await set('VERIFY_AND_COMMIT', '1'), grpc.status.OK);
      await h.client.write({ device_id: DEVICE, election_id: E1, updates: [upd('INSERT', markEntry(1000, 56))] });
      assert.equal(await set('RECONCILE_AND_COMMIT', '2'), grpc.status.OK);
      assert.equal(
        (await h.client.read({ device_id: DEVICE, entities: [{ table_entry: {}, entity: 'table_entry' }] })).length,
        1,
      );
      assert.equal(await set('VERIFY_AND_COMMIT', '3'), grpc.status.OK);
      assert.equal(
        (await h.client.read({ device_id: DEVICE, entities: [{ table_entry: {}, entity: 'table_entry' }] })).length,
        0,
      );
    });

    it('UNSPECIFIED is INVALID_ARGUMENT', async () => {
      assert.equal(await set('UNSPECIFIED'), grpc.status.INVALID_ARGUMENT);
    });

    it('returns the cookie and exactly the parts response_type asks for', async () => {
      await set('VERIFY_AND_COMMIT', '18446744073709551615');
      const all = (await h.client.getPipeline({ device_id: DEVICE, response_type: 'ALL' })).config;
      assert.equal(all?.cookie?.cookie, '18446744073709551615', 'a full uint64 cookie survives');
      assert.ok(all?.p4info?.tables?.length);
      assert.ok(all?.p4_device_config?.length);
      const cookie = (await h.client.getPipeline({ device_id: DEVICE, response_type: 'COOKIE_ONLY' })).config;
      assert.deepEqual(
        Object.keys(cookie ?? {}).filter((k) => (cookie as Record<string, unknown>)[k] !== undefined),
        ['cookie'],
      );
      const p4i = (await h.client.getPipeline({ device_id: DEVICE, response_type: 'P4INFO_AND_COOKIE' })).config;
      assert.ok(p4i?.p4info && !p4i.p4_device_config);
      const dev = (await h.client.getPipeline({ device_id: DEVICE, response_type: 'DEVICE_CONFIG_AND_COOKIE' })).config;
      assert.ok(dev?.p4_device_config && !dev.p4info);
    });
  });

  describe('per-update errors (§12.3) and byte strings (§8.3)', () => {
    beforeEach(async () => {
      h = await startProgrammed();
    });

    it('reports a failed batch as UNKNOWN with one p4.v1.Error per update, in order, OK ones carrying code 0', async () => {
      await h.client.write({
        device_id: DEVICE,
        election_id: h.election,
        updates: [upd('INSERT', markEntry(1000, 56))],
      });
      assert.deepEqual(
        await codes(h, [
          upd('INSERT', markEntry(1001, 8)),
          upd('INSERT', markEntry(1000, 1)),
          upd('DELETE', markEntry(1002, 1)),
        ]),
        [grpc.status.OK, grpc.status.ALREADY_EXISTS, grpc.status.NOT_FOUND],
      );
    });

    it('puts a google.rpc.Status in grpc-status-details-bin that survives grpc-js (grpc-node #1236)', async () => {
      await h.client.write({
        device_id: DEVICE,
        election_id: h.election,
        updates: [upd('INSERT', markEntry(1000, 56))],
      });
      const raw = await new Promise<grpc.ServiceError>((resolve) => {
        h.client.raw.Write(
          { device_id: DEVICE, election_id: h.election, updates: [upd('INSERT', markEntry(1000, 56))] },
          new grpc.Metadata(),
          {},
          (e) => resolve(e as grpc.ServiceError),
        );
      });
      const bin = raw.metadata.get(STATUS_DETAILS_KEY)[0];
      assert.ok(Buffer.isBuffer(bin));
      const st = decodeStatus(bin);
      assert.equal(st.code, grpc.status.UNKNOWN);
      assert.equal(st.details?.[0]?.type_url, 'type.googleapis.com/p4.v1.Error');
    });

    it('leaves the existing entry unchanged on ALREADY_EXISTS', async () => {
      await h.client.write({
        device_id: DEVICE,
        election_id: h.election,
        updates: [upd('INSERT', markEntry(1000, 56))],
      });
      await codes(h, [upd('INSERT', markEntry(1000, 1))]);
      const [e] = tableEntries(
        await h.client.read({
          device_id: DEVICE,
          entities: [{ table_entry: { table_id: id('ZoneIngress.zone_mark') }, entity: 'table_entry' }],
        }),
      );
      assert.deepEqual(e?.action?.action?.params?.[0]?.value, b(56));
    });

    it('answers NOT_FOUND to MODIFY and DELETE of a missing entry; DELETE needs only the key', async () => {
      assert.deepEqual(await codes(h, [upd('MODIFY', markEntry(1000, 1)), upd('DELETE', markEntry(1000, 1))]), [
        grpc.status.NOT_FOUND,
        grpc.status.NOT_FOUND,
      ]);
      await h.client.write({
        device_id: DEVICE,
        election_id: h.election,
        updates: [upd('INSERT', markEntry(1000, 56))],
      });
      const keyOnly = { ...markEntry(1000, 0) };
      delete keyOnly.action;
      assert.deepEqual(await codes(h, [upd('DELETE', keyOnly)]), [grpc.status.OK]);
    });

    it('answers INVALID_ARGUMENT to malformed keys and actions', async () => {
      const noExact: TableEntry = { ...markEntry(1000, 1), match: [] };
      const unknownField: TableEntry = { ...markEntry(1000, 1), match: [exact(9, b(1))] };
      const wrongKind: TableEntry = {
        ...markEntry(1000, 1),
        match: [{ field_id: 1, lpm: { value: b(3, 0xe8), prefix_len: 12 }, field_match_type: 'lpm' }],
      };
      const noParam: TableEntry = {
        ...markEntry(1000, 1),
        action: { action: { action_id: id('ZoneIngress.set_dscp'), params: [] }, type: 'action' },
      };
      const foreignAction: TableEntry = {
        ...markEntry(1000, 1),
        action: {
          action: { action_id: id('ZoneIngress.forward'), params: [{ param_id: 1, value: b(1) }] },
          type: 'action',
        },
      };
      const outsideMask = aclEntry(1000, b(0xff), b(0x0f), 10);
      const zeroMask = aclEntry(1000, b(0), b(0), 10);
      const noPriority = aclEntry(1000, b(1), b(1), 0);
      const priorityOnExact: TableEntry = { ...markEntry(1000, 1), priority: 5 };
      const isConst: TableEntry = { ...markEntry(1000, 1), is_const: true };
      const all = [
        noExact,
        unknownField,
        wrongKind,
        noParam,
        foreignAction,
        outsideMask,
        zeroMask,
        noPriority,
        priorityOnExact,
        isConst,
      ];
      assert.deepEqual(
        await codes(
          h,
          all.map((e) => upd('INSERT', e)),
        ),
        all.map(() => grpc.status.INVALID_ARGUMENT),
      );
    });

    it('answers PERMISSION_DENIED to an @defaultonly action in a table entry', async () => {
      const e: TableEntry = {
        ...markEntry(1000, 1),
        action: { action: { action_id: id('ZoneIngress.drop'), params: [] }, type: 'action' },
      };
      assert.deepEqual(await codes(h, [upd('INSERT', e)]), [grpc.status.PERMISSION_DENIED]);
    });

    it('answers OUT_OF_RANGE to a value wider than its field and to an empty byte string', async () => {
      const wide = markEntry(1000, 1);
      wide.match = [exact(1, b(0x10, 0x00))]; // 4096 needs 13 bits; hdr.vlan.vid has 12
      const wideParam = markEntry(1000, 64); // dscp is bit<6>
      const empty = markEntry(1000, 1);
      empty.match = [exact(1, Buffer.alloc(0))];
      assert.deepEqual(await codes(h, [upd('INSERT', wide), upd('INSERT', wideParam), upd('INSERT', empty)]), [
        grpc.status.OUT_OF_RANGE,
        grpc.status.OUT_OF_RANGE,
        grpc.status.OUT_OF_RANGE,
      ]);
    });

    it('answers RESOURCE_EXHAUSTED once a table holds the size its P4Info gives', async () => {
      // A pipeline whose zone_acl holds 4 entries keeps the test fast; the
      // switch takes the limit from whatever P4Info the controller pushed.
      const small = pipelineConfig('9');
      const acl = small.p4info?.tables?.find((t) => t.preamble?.name === 'ZoneIngress.zone_acl');
      assert.ok(acl);
      acl.size = '4';
      await h.client.setPipeline({
        device_id: DEVICE,
        election_id: h.election,
        action: 'VERIFY_AND_COMMIT',
        config: small,
      });
      const fill = [1, 2, 3, 4, 5].map((i) => upd('INSERT', aclEntry(1000, b(i), b(0xff), 1)));
      assert.deepEqual(await codes(h, fill), [0, 0, 0, 0, grpc.status.RESOURCE_EXHAUSTED]);
    });

    it('accepts padded byte strings, treats them as the canonical entry, and reads back canonical strings', async () => {
      await h.client.write({
        device_id: DEVICE,
        election_id: h.election,
        updates: [upd('INSERT', markEntry(5, 3, true))],
      });
      assert.deepEqual(await codes(h, [upd('INSERT', markEntry(5, 3))]), [grpc.status.ALREADY_EXISTS]);
      const [e] = tableEntries(
        await h.client.read({
          device_id: DEVICE,
          entities: [{ table_entry: { table_id: id('ZoneIngress.zone_mark') }, entity: 'table_entry' }],
        }),
      );
      assert.deepEqual(e?.match?.[0]?.exact?.value, b(5));
      assert.deepEqual(e?.action?.action?.params?.[0]?.value, b(3));
    });

    it('encodes zero as one 0x00 byte', async () => {
      await h.client.write({
        device_id: DEVICE,
        election_id: h.election,
        updates: [upd('INSERT', markEntry(0, 0, true))],
      });
      const [e] = tableEntries(
        await h.client.read({
          device_id: DEVICE,
          entities: [{ table_entry: { table_id: id('ZoneIngress.zone_mark') }, entity: 'table_entry' }],
        }),
      );
      assert.deepEqual(e?.match?.[0]?.exact?.value, b(0));
    });

    it('answers UNIMPLEMENTED to the optional atomicity modes', async () => {
      assert.equal(
        await rpcCode(
          h.client.write({ device_id: DEVICE, election_id: h.election, atomicity: 'ROLLBACK_ON_ERROR', updates: [] }),
        ),
        grpc.status.UNIMPLEMENTED,
      );
    });
  });

  describe('reads (§11) and default entries (§9.1.3)', () => {
    beforeEach(async () => {
      h = await startProgrammed();
      await h.client.write({
        device_id: DEVICE,
        election_id: h.election,
        updates: [
          upd('INSERT', markEntry(1000, 56)),
          upd('INSERT', markEntry(1001, 8)),
          upd('INSERT', aclEntry(1000, b(0xfd), b(0xff), 100)),
          upd('INSERT', aclEntry(1000, b(0xfe), b(0xff), 90)),
        ],
      });
    });
    const read = async (table_entry: TableEntry): Promise<TableEntry[]> =>
      tableEntries(await h.client.read({ device_id: DEVICE, entities: [{ table_entry, entity: 'table_entry' }] }));

    it('reads every entry of every table with table_id 0, without default entries', async () => {
      const all = await read({});
      assert.equal(all.length, 4);
      assert.ok(all.every((e) => !e.is_default_action));
    });

    it('reads one table with table_id alone, and filters by priority', async () => {
      assert.equal((await read({ table_id: id('ZoneIngress.zone_mark') })).length, 2);
      assert.equal((await read({ table_id: id('ZoneIngress.zone_acl'), priority: 90 })).length, 1);
    });

    it('reads one entry by its full key (match and priority)', async () => {
      const got = await read({ table_id: id('ZoneIngress.zone_mark'), match: [exact(1, b(0x03, 0xe9))] });
      assert.equal(got.length, 1);
      assert.deepEqual(got[0]?.action?.action?.params?.[0]?.value, b(8));
    });

    it('answers an empty entity with INVALID_ARGUMENT', async () => {
      assert.equal(await rpcCode(h.client.read({ device_id: DEVICE, entities: [{}] })), grpc.status.UNKNOWN);
      try {
        await h.client.read({ device_id: DEVICE, entities: [{}] });
      } catch (e) {
        assert.deepEqual(
          (e as P4RuntimeError).updates?.map((u) => u.code),
          [grpc.status.INVALID_ARGUMENT],
        );
      }
    });

    it('reads the default entry with is_default_action, modifies it, and resets it when the action is unset', async () => {
      const table_id = id('ZoneIngress.mac_forward');
      assert.equal(
        (await read({ table_id, is_default_action: true }))[0]?.action?.action?.action_id,
        id('ZoneIngress.to_trunk'),
      );
      await h.client.write({
        device_id: DEVICE,
        election_id: h.election,
        updates: [
          upd('MODIFY', {
            table_id,
            is_default_action: true,
            action: { action: { action_id: id('ZoneIngress.drop') }, type: 'action' },
          }),
        ],
      });
      assert.equal(
        (await read({ table_id, is_default_action: true }))[0]?.action?.action?.action_id,
        id('ZoneIngress.drop'),
      );
      await h.client.write({
        device_id: DEVICE,
        election_id: h.election,
        updates: [upd('MODIFY', { table_id, is_default_action: true })],
      });
      assert.equal(
        (await read({ table_id, is_default_action: true }))[0]?.action?.action?.action_id,
        id('ZoneIngress.to_trunk'),
      );
    });

    it('refuses INSERT and DELETE of a default entry, and a default entry with a match, with INVALID_ARGUMENT', async () => {
      const table_id = id('ZoneIngress.mac_forward');
      const def: TableEntry = {
        table_id,
        is_default_action: true,
        action: { action: { action_id: id('ZoneIngress.drop') }, type: 'action' },
      };
      assert.deepEqual(
        await codes(h, [upd('INSERT', def), upd('DELETE', def), upd('MODIFY', { ...def, match: [exact(1, b(1))] })]),
        [grpc.status.INVALID_ARGUMENT, grpc.status.INVALID_ARGUMENT, grpc.status.INVALID_ARGUMENT],
      );
    });
  });
});
