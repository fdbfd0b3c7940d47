// The federation rebuilt from what the hub holds (the operator's rebuild
// and zonectl's what-ifs share it), and the per-provider explanation of a
// zone on it (`zonectl why --all`).
import { strict as assert } from 'node:assert';
import type { Condition, ExecutionZone, ExecutionZoneSpec, ProviderCluster } from '../../../../src/core/api/types.js';
import { storeAllocation } from '../../../../src/core/zones/allocation.js';
import { explainEveryProvider } from '../../../../src/core/zones/explain-zone.js';
import { Federation } from '../../../../src/core/zones/federation.js';
import {
  federationFromHub,
  providerFromHubObject,
  regionsFromObjects,
} from '../../../../src/core/zones/hub-federation.js';
import { listing3FromStatus } from '../../../../src/core/render/listing3.js';
import { group, providerManifest, REGIONS, uuid, zone } from '../../../support/core-fixtures.js';

const READY: Condition = {
  type: 'Ready',
  status: 'True',
  reason: 'Ready',
  message: 'takes placements',
  lastTransitionTime: '2026-01-01T00:00:00Z',
};

function cluster(name: string, spec: Partial<ProviderCluster['spec']> = {}, ready = true): ProviderCluster {
  const pc = providerManifest(name, spec);
  pc.status = {
    conditions: [ready ? READY : { ...READY, status: 'False', reason: 'MemberUnreachable', message: 'no answer' }],
  };
  return pc;
}

function provider(pc: ProviderCluster) {
  const got = providerFromHubObject(pc);
  assert.ok(got.provider, JSON.stringify(got.errors));
  return got.provider;
}

/** A zone object as the operator leaves it: placed on `fed`, its allocation in status. */
function placedZone(fed: Federation, spec: ExecutionZoneSpec, name: string, created: string): ExecutionZone {
  const out = fed.reconcile(spec);
  assert.deepEqual(out.errors ?? [], []);
  const a = fed.allocation(spec.applicationId);
  assert.ok(a);
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name, namespace: 'ns', creationTimestamp: created },
    spec,
    status: { allocation: storeAllocation(a) },
  };
}

describe('the federation from the hub', () => {
  it('reads a ProviderCluster with the capacity and readiness the operator wrote', () => {
    const pc = cluster('Cloud1', { capacity: undefined });
    pc.status = { ...pc.status, capacity: { cores: 8, memory: 1024, storage: 4096 } };
    const p = provider(pc);
    assert.equal(p.ready, true);
    assert.equal(p.capacity.cores, 8, 'node allocatable from status when the spec gives none');
    const down = provider(cluster('Cloud2', {}, false));
    assert.equal(down.ready, false);
    assert.equal(down.notReadyReason, 'MemberUnreachable: no answer');
    const fresh = providerManifest('Cloud3');
    const unseen = provider(fresh);
    assert.equal(unseen.ready, false);
    assert.match(unseen.notReadyReason ?? '', /not yet looked at/);
    assert.ok(providerFromHubObject(providerManifest('Bad', { tier: 'orbit' as 'cloud' })).errors.length > 0);
  });

  it('restores every stored allocation, books capacity and VLANs, and keeps a retired provider', () => {
    const clusters = [cluster('Cloud1'), cluster('Cloud2')];
    const live = new Federation({ providers: clusters.map(provider) });
    const a = placedZone(live, zone({ applicationId: uuid(1), groups: [group({ count: 2, cores: 30 })] }), 'a', '1');
    const b = placedZone(live, zone({ applicationId: uuid(2), groups: [group({ count: 2, cores: 30 })] }), 'b', '2');
    // Cloud2's ProviderCluster is gone, but b still runs there.
    const rebuilt = federationFromHub({ providers: [provider(clusters[0])], zones: [b, a], regions: REGIONS });
    assert.equal(rebuilt.restored, 2);
    assert.deepEqual([...rebuilt.conflicts], []);
    assert.equal(rebuilt.federation.usedBy('Cloud1').cores, 60);
    assert.equal(rebuilt.federation.usedBy('Cloud2').cores, 60);
    assert.equal(rebuilt.federation.catalogue.get('Cloud2')?.ready, false);
    assert.equal(rebuilt.providerCount, 2);
    assert.equal(rebuilt.federation.allocation(uuid(1))?.vlanId, live.allocation(uuid(1))?.vlanId);
    assert.equal(rebuilt.owners.get(uuid(2)), 'ns/b');
  });

  it('lets the older of two zones with one application id keep it', () => {
    const live = new Federation({ providers: [provider(cluster('Cloud1'))] });
    const spec = zone({ applicationId: uuid(3) });
    const old = placedZone(live, spec, 'old', '2026-01-01T00:00:00Z');
    const young = { ...old, metadata: { ...old.metadata, name: 'young', creationTimestamp: '2026-02-01T00:00:00Z' } };
    const rebuilt = federationFromHub({
      providers: [provider(cluster('Cloud1'))],
      zones: [young, old],
      regions: REGIONS,
    });
    assert.equal(rebuilt.owners.get(uuid(3)), 'ns/old');
    assert.match(rebuilt.conflicts.get('ns/young') ?? '', /already held by ExecutionZone ns\/old/);
  });

  it('takes valid PrivacyRegions and names the invalid ones', () => {
    const { catalogue, ignored } = regionsFromObjects([
      {
        apiVersion: 'zonekeeper.io/v1alpha1',
        kind: 'PrivacyRegion',
        metadata: { name: 'Nordics' },
        spec: { countries: ['NO', 'DK'] },
      },
      {
        apiVersion: 'zonekeeper.io/v1alpha1',
        kind: 'PrivacyRegion',
        metadata: { name: 'broken' },
        spec: { countries: ['XX'] },
      },
    ]);
    assert.ok(catalogue.find('Nordics'));
    assert.deepEqual(
      ignored.map((r) => r.name),
      ['broken'],
    );
  });

  it('reads the Listing 3 entry back from status, instances in Listing 3 order', () => {
    assert.equal(listing3FromStatus(undefined), undefined);
    assert.equal(listing3FromStatus({ conditions: [] }), undefined, 'no VLAN, no entry');
    const entry = listing3FromStatus({
      vlanId: 1000,
      networkId: 1,
      network: 'fd00::/64',
      marking: '111000',
      vpn: { Fog1: { from: 'HOME-SWITCH', to: 'Fog1-SWITCH' } },
      instances: {
        Fog1: {
          C10: { group: 'g', cores: 1, memory: 2, storage: 3, address: 'fd00::a', phase: 'Running' },
          C2: { group: 'g', cores: 1, memory: 2, storage: 3, address: 'fd00::2' },
        },
      },
    });
    assert.deepEqual(Object.keys(entry?.instances['Fog1'] ?? {}), ['C2', 'C10']);
    assert.deepEqual(entry?.instances['Fog1']['C10'], { cores: 1, memory: 2, storage: 3, address: 'fd00::a' });
  });
});

describe('explainEveryProvider (zonectl why --all)', () => {
  it('gives a waiting group one reason per provider of the catalogue', () => {
    const providers = [
      cluster('Cloud1'),
      cluster('Cloud2', { environment: 'container' }),
      cluster('Cloud3', {}, false),
    ];
    const fed = new Federation({ providers: providers.map(provider) });
    const e = explainEveryProvider(
      fed,
      zone({ applicationId: uuid(10), groups: [group({ name: 'big', cores: 100 })] }),
    );
    assert.equal(e.errors, undefined);
    assert.equal(e.groups.length, 1);
    const g = e.groups[0];
    assert.equal(g.state, 'waiting');
    assert.equal(g.reason, 'NoMatchingProvider');
    assert.deepEqual(
      g.entries.map((x) => x.provider),
      ['Cloud1', 'Cloud2', 'Cloud3'],
    );
    assert.match(g.entries[0].reason, /cores/);
    assert.match(g.entries[1].reason, /environment container, group needs VM/);
    assert.match(g.entries[2].reason, /not ready: MemberUnreachable: no answer/);
  });

  it('says a placed group is compliant, or that its provider no longer passes the rules', () => {
    const before = [cluster('Cloud1'), cluster('Cloud2')];
    const live = new Federation({ providers: before.map(provider) });
    const spec = zone({
      applicationId: uuid(11),
      privacy: { regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }] },
    });
    const z = placedZone(live, spec, 'z', '1');
    const ok = explainEveryProvider(
      federationFromHub({ providers: before.map(provider), zones: [z], regions: REGIONS }).federation,
      spec,
    );
    assert.equal(ok.groups[0].state, 'placed');
    assert.equal(ok.groups[0].compliant, true);
    assert.deepEqual(
      ok.groups[0].entries.map((x) => [x.provider, x.verdict]),
      [
        ['Cloud1', 'Selected'],
        ['Cloud2', 'Skipped'],
      ],
    );
    // Cloud1 moved to the US (310): the zone's rules no longer allow it.
    const moved = [cluster('Cloud1', { country: 310 }), before[1]];
    const now = explainEveryProvider(
      federationFromHub({ providers: moved.map(provider), zones: [z], regions: REGIONS }).federation,
      spec,
    );
    assert.equal(now.groups[0].compliant, false);
    assert.match(now.groups[0].entries[0].reason, /^placed here, but now country 310/);
  });

  it('names the spec errors and looks no further', () => {
    const fed = new Federation({ providers: [provider(cluster('Cloud1'))] });
    const e = explainEveryProvider(fed, zone({ applicationId: 'not-a-uuid' }));
    assert.ok((e.errors ?? []).some((x) => x.path.includes('applicationId')));
    assert.deepEqual(e.groups, []);
  });
});
