// The zone reconciler attaching instances to their zone's network: the
// NetworkAttachmentDefinition before the instances, the interface in each
// object, the NetworkAttached condition, and a provider without an uplink,
// whose instances wait for it instead of running off the zone's network.

import assert from 'node:assert/strict';
import { ZoneConditionType as T, ZoneReason as R } from '../../../src/core/api/conditions.js';
import { FINALIZER } from '../../../src/core/api/resources.js';
import type { ExecutionZone } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { AttachmentError } from '../../../src/clusters/member-actuator.js';
import { hasZoneInterface, type MemberVm } from '../../../src/clusters/member-objects.js';
import {
  TABLES,
  instanceMac,
  macToBigInt,
  planP4Entries,
  solicitedNodeMac,
} from '../../../src/core/network/p4-entries.js';
import { group, provider, uuid, zone } from '../../support/core-fixtures.js';
import { zoneObject } from './fakes.js';
import { readyZone, zoneBed, type ZoneBed } from './zone-bed.js';

const CAPACITY = { capacity: { cores: 4, memory: 65536, storage: 1048576 } };

/** Cloud2 as the bed has it, but without spec.network. */
function dropUplink(bed: ZoneBed, name = 'Cloud2'): void {
  assert.equal(bed.state.setProvider({ ...provider(name, CAPACITY), order: 1 }), 'changed');
}

const message = (bed: ZoneBed, key: string, type: string): string =>
  getCondition(bed.conditions(key), type)?.message ?? '';

describe('ExecutionZoneReconciler: instances on their zone network', () => {
  it('writes the zone attachment over each provider uplink before any of its instances, and says Attached', async () => {
    const bed = zoneBed();
    const spec = zone({
      applicationId: uuid(),
      groups: [group({ name: 'a', count: 4 }), group({ name: 'b', count: 2 })],
    });
    const key = await readyZone(bed, 'net', spec);
    const id = spec.applicationId.toLowerCase();
    const vlan = bed.zones.current(key)?.status?.vlanId ?? 0;
    assert.deepEqual(bed.members.attachments.sort(), [
      `Cloud1/zk-${id}/zone-${vlan} over zkup-cloud1`,
      `Cloud2/zk-${id}/zone-${vlan} over zkup-cloud2`,
    ]);
    for (const p of ['Cloud1', 'Cloud2']) {
      const attach = bed.members.writes.indexOf(`attach ${p}`);
      const creates = bed.members.writes.flatMap((w, i) => (w.startsWith(`create ${p}/`) ? [i] : []));
      assert.ok(creates.length > 0 && creates.every((i) => i > attach), `${p}: ${bed.members.writes.join(', ')}`);
    }
    assert.equal(bed.cond(key, T.NetworkAttached), 'True/Attached');
    assert.match(message(bed, key, T.NetworkAttached), /6\/6 instance\(s\) made, each with interface zone0 on VLAN/);
    assert.match(message(bed, key, T.NetworkAttached), /Cloud1's zkup-cloud1, Cloud2's zkup-cloud2/);
  });

  it('puts each instance MAC in status, the one its switch entry forwards to and its VM interface carries', async () => {
    const bed = zoneBed();
    const spec = zone({ applicationId: uuid(), groups: [group({ count: 3 })] });
    const key = await readyZone(bed, 'macs', spec);
    const status = bed.zones.current(key)?.status;
    const plan = bed.state.federation?.networkPlan(spec.applicationId);
    assert.ok(plan && status?.instances);
    const entries = planP4Entries([plan], {
      trunkPort: 0,
      providerPorts: { Cloud1: 1, Cloud2: 2 },
      routerAddresses: [],
    });
    assert.deepEqual(entries.problems, []);
    const macsForwarded = entries.zones
      .flatMap((z) => z.entries)
      .filter((e) => e.table === TABLES.forward)
      .map((e) => e.match.find((m) => m.field === 'hdr.ethernet.dstAddr')?.value ?? '');
    // Beside each instance's own MAC, its solicited-node group (neighbour discovery).
    const forwarded = new Set(macsForwarded.filter((m) => !m.startsWith('0x3333ff')));
    assert.equal(forwarded.size, 3);
    assert.deepEqual(
      new Set(macsForwarded.filter((m) => m.startsWith('0x3333ff'))),
      new Set(
        Object.values(status.instances)
          .flatMap((l) => Object.values(l))
          .map((i) => `0x${macToBigInt(solicitedNodeMac(i.address)).toString(16)}`),
      ),
    );
    const objects = bed.members.member('Cloud1').zones.get(spec.applicationId.toLowerCase());
    for (const [prov, list] of Object.entries(status.instances)) {
      for (const [name, inst] of Object.entries(list)) {
        assert.equal(inst.mac, instanceMac(inst.address), `${prov}/${name}`);
        assert.equal(inst.interface, 'zone0');
        assert.ok(forwarded.has(`0x${macToBigInt(inst.mac ?? '').toString(16)}`), `${name}: ${inst.mac}`);
        const vm = objects?.get(name)?.obj as MemberVm | undefined;
        const template = vm?.spec?.['template'] as { spec: { domain: { devices: { interfaces: object[] } } } };
        assert.deepEqual(template.spec.domain.devices.interfaces[1], {
          name: 'zone',
          bridge: {},
          macAddress: inst.mac,
        });
      }
    }
  });

  it('creates nothing on a provider without an uplink and names it in NetworkAttached; the rest of the zone runs', async () => {
    const bed = zoneBed();
    dropUplink(bed);
    const spec = zone({
      applicationId: uuid(),
      groups: [group({ name: 'a', count: 4 }), group({ name: 'b', count: 2 })],
    });
    bed.zones.put(zoneObject('held', spec, { finalizers: [FINALIZER] }));
    const key = 'tenant/held';
    await bed.reconciler.reconcile(key);
    bed.members.makeReady(spec.applicationId);
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2', 'V3', 'V4'] });
    assert.ok(!bed.members.attachments.some((a) => a.startsWith('Cloud2/')), 'no attachment where nothing runs');
    assert.equal(bed.cond(key, T.NetworkAttached), 'False/UplinkMissing');
    assert.match(
      message(bed, key, T.NetworkAttached),
      /^V5, V6 on Cloud2 are not created: ProviderCluster cloud2 has no spec\.network\.uplink/,
    );
    assert.equal(bed.cond(key, T.Provisioned), 'False/Provisioning');
    assert.equal(bed.cond(key, T.Ready), 'False/Provisioning');
    // The placement stands: addresses and MACs of the held instances are already in status.
    assert.ok(bed.zones.current(key)?.status?.instances?.['Cloud2']?.['V5']?.mac);

    // The admin sets the uplink: the next pass (the catalogue change requeues the zone) creates them.
    bed.state.setProvider({ ...provider('Cloud2', { ...CAPACITY, network: { uplink: 'bond0.7' } }), order: 1 });
    await bed.reconciler.reconcile(key);
    bed.members.makeReady(spec.applicationId);
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId)['Cloud2'], ['V5', 'V6']);
    assert.ok(bed.members.attachments.some((a) => a.startsWith('Cloud2/') && a.endsWith('over bond0.7')));
    assert.equal(bed.cond(key, T.NetworkAttached), 'True/Attached');
    assert.equal(bed.cond(key, T.Ready), 'True/Ready');
  });

  it('leaves running instances alone when their provider loses its uplink, and holds only the new ones', async () => {
    const bed = zoneBed();
    const spec = zone({ applicationId: uuid(), groups: [group({ name: 'a', count: 4 })] });
    const key = await readyZone(bed, 'keep', spec);
    dropUplink(bed, 'Cloud1');
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2', 'V3', 'V4'] });
    assert.deepEqual(bed.members.deleted, []);
    assert.equal(bed.cond(key, T.NetworkAttached), 'True/Attached');
  });

  it('creates no instance where the attachment cannot be written, says AttachmentFailed, and retries at the poll interval', async () => {
    const bed = zoneBed();
    bed.members.failAttach = new AttachmentError(
      'NetworkAttachmentDefinition zk-x/zone-2 not written: 404 (is Multus installed?)',
    );
    const spec = zone({ applicationId: uuid(), groups: [group({ count: 2 })] });
    bed.zones.put(zoneObject('nomultus', spec, { finalizers: [FINALIZER] }));
    const r = await bed.reconciler.reconcile('tenant/nomultus');
    assert.deepEqual(bed.members.created, []);
    assert.deepEqual(r, { requeueAfterMs: 10_000 }, 'not the 250 ms member retry: a CRD does not appear that fast');
    assert.equal(bed.cond('tenant/nomultus', T.NetworkAttached), 'False/AttachmentFailed');
    assert.match(message(bed, 'tenant/nomultus', T.NetworkAttached), /^Cloud1: NetworkAttachmentDefinition zk-x/);

    bed.members.failAttach = undefined;
    await bed.reconciler.reconcile('tenant/nomultus');
    assert.equal(bed.members.created.length, 2);
  });

  it('says NotAttached for an instance object made without a zone interface, and leaves it running', async () => {
    const bed = zoneBed();
    const spec = zone({ applicationId: uuid(), groups: [group({ count: 2 })] });
    const key = await readyZone(bed, 'old', spec);
    const v1 = bed.members.member('Cloud1').zones.get(spec.applicationId.toLowerCase())?.get('V1');
    assert.ok(v1 && hasZoneInterface(v1.obj, true));
    // As an older zonekeeper made it: the pod network only.
    const template = (v1.obj as MemberVm).spec?.['template'] as { spec: { networks: object[] } };
    template.spec.networks = [{ name: 'default', pod: {} }];
    assert.equal(hasZoneInterface(v1.obj, true), false);
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.NetworkAttached), 'False/NotAttached');
    assert.match(message(bed, key, T.NetworkAttached), /^V1 on Cloud1: no interface on the zone's network/);
    assert.equal(bed.cond(key, T.Ready), `False/${R.NotAttached}`);
    assert.deepEqual(bed.members.deleted, []);
  });

  it('says Released in NetworkAttached when the zone is released whole', async () => {
    const bed = zoneBed();
    const spec = zone({ applicationId: uuid(), groups: [group({ count: 1 })] });
    const key = await readyZone(bed, 'gone', spec);
    const z = bed.zones.current(key) as ExecutionZone;
    bed.zones.put({
      ...z,
      status: {
        ...z.status,
        conditions: [
          ...(z.status?.conditions ?? []),
          { type: T.Released, status: 'True', reason: R.Released, message: 'released', lastTransitionTime: '' },
        ],
      },
    });
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.NetworkAttached), 'False/Released');
  });
});
