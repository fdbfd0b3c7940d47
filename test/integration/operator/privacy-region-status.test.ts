// PrivacyRegion status on the real hub, written by the operator running as
// its ServiceAccount: the built-in regions resolve, an unknown country is
// reported by field until it is fixed, a shared marking bit is reported on
// both regions, and the zone count follows the zones that name a region.

import assert from 'node:assert/strict';
import type { Condition, ExecutionZone, PrivacyRegion, ProviderCluster } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { PRIVACY_REGIONS, PROVIDER_CLUSTERS } from '../../../src/core/api/resources.js';
import { apply, deleteIfExists } from '../../../tools/harness/apply.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { resourcePath } from '../../../src/runtime/kube-client.js';
import { deleteAllZones, install, type Installed, leadingOperator } from './operator-fixture.js';

const NS = 'it-regions';
const MINE = 'it-nordics';
const BUILTIN = ['scandinavia', 'eea', 'eu', 'america', 'brics', 'mena'];

const nordics = (countries: (string | number)[], markingBit?: number): PrivacyRegion => ({
  apiVersion: 'zonekeeper.io/v1alpha1',
  kind: 'PrivacyRegion',
  metadata: { name: MINE },
  spec: { countries, ...(markingBit !== undefined ? { markingBit } : {}) },
});

describe('operator: PrivacyRegion status', function () {
  this.timeout(180_000);
  let env: Installed;
  let op: OperatorProcess;

  const region = (name: string) => env.hub.get<PrivacyRegion>(resourcePath(PRIVACY_REGIONS, undefined, name));
  /** Waits until the operator has described the region's current generation and `ok` holds. */
  const waitRegion = (name: string, what: string, ok: (r: PrivacyRegion, ready: Condition | undefined) => boolean) =>
    pollUntil(
      `${name}: ${what}`,
      async () => {
        const r = await region(name);
        const current = r.status?.observedGeneration === r.metadata.generation;
        return current && ok(r, getCondition(r.status?.conditions, 'Ready')) ? r : undefined;
      },
      { timeoutMs: 60_000, everyMs: 200 },
    );

  before(async () => {
    env = await install();
    await deleteIfExists(env.hub, 'PrivacyRegion', MINE);
    op = await leadingOperator(env, 'it-regions', [NS]);
  });

  after(async () => {
    await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[operator-it] cleanup: ${String(e)}`));
    await deleteIfExists(env.hub, 'PrivacyRegion', MINE).catch(() => undefined);
    await op?.kill('SIGTERM');
  });

  it('resolves every built-in region: Valid and Ready, its MCCs, and the providers located in it', async () => {
    for (const name of BUILTIN) {
      const r = await waitRegion(name, 'Ready', (_, ready) => ready?.status === 'True');
      assert.equal(getCondition(r.status?.conditions, 'Valid')?.status, 'True', name);
      assert.ok((r.status?.mccs ?? []).length >= r.spec.countries.length, `${name}: at least one MCC per country`);
    }
    const scandinavia = await region('scandinavia');
    assert.deepEqual(scandinavia.status?.mccs, [238, 240, 242]);
    // The oracle: ProviderClusters on the hub whose country is Denmark, Sweden or Norway.
    const pcs = (await env.hub.list<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS))).items;
    const nordic = pcs.filter((p) =>
      ['238', '240', '242', 'DK', 'SE', 'NO'].includes(String(p.spec.country).toUpperCase()),
    ).length;
    assert.ok(nordic > 0, 'the test bed has Nordic providers');
    assert.equal(scandinavia.status?.providers, nordic);
  });

  it('names the field of an unknown country, and turns Ready once the region is fixed', async () => {
    await apply(env.hub, nordics(['DK', 'XX']));
    const bad = await waitRegion(
      MINE,
      'Valid=False',
      (r) => getCondition(r.status?.conditions, 'Valid')?.status === 'False',
    );
    const valid = getCondition(bad.status?.conditions, 'Valid');
    assert.equal(valid?.reason, 'InvalidSpec');
    assert.match(valid?.message ?? '', /spec\.countries\[1\]: "XX" is not an ISO 3166-1 alpha-2 country code/);
    assert.equal(getCondition(bad.status?.conditions, 'Ready')?.status, 'False');
    assert.equal(bad.status?.mccs, undefined);

    await apply(env.hub, nordics(['DK', 'FI', 'IS', 'NO', 'SE']));
    const good = await waitRegion(MINE, 'Ready', (_, ready) => ready?.status === 'True');
    assert.ok((good.metadata.generation ?? 0) >= 2);
    assert.equal(good.status?.observedGeneration, good.metadata.generation);
    assert.deepEqual(good.status?.mccs, [238, 240, 242, 244, 274]);
    assert.equal(getCondition(good.status?.conditions, 'Valid')?.status, 'True');
  });

  it('reports a marking bit set by another region on both of them, and clears it when it is given up', async () => {
    await apply(env.hub, nordics(['DK', 'FI', 'IS', 'NO', 'SE'], 7));
    const mine = await waitRegion(MINE, 'MarkingBitConflict', (_, ready) => ready?.reason === 'MarkingBitConflict');
    assert.match(
      getCondition(mine.status?.conditions, 'Ready')?.message ?? '',
      /spec\.markingBit: bit 7 is also set by PrivacyRegion scandinavia/,
    );
    const other = await pollUntil(
      'scandinavia: MarkingBitConflict',
      async () => {
        const r = await region('scandinavia');
        return getCondition(r.status?.conditions, 'Ready')?.reason === 'MarkingBitConflict' ? r : undefined;
      },
      { timeoutMs: 60_000, everyMs: 200 },
    );
    assert.match(
      getCondition(other.status?.conditions, 'Ready')?.message ?? '',
      new RegExp(`also set by PrivacyRegion ${MINE}`),
    );

    await apply(env.hub, nordics(['DK', 'FI', 'IS', 'NO', 'SE']));
    await waitRegion(MINE, 'Ready again', (_, ready) => ready?.status === 'True');
    await waitRegion('scandinavia', 'Ready again', (_, ready) => ready?.status === 'True');
  });

  it('counts the zones whose rules name the region', async () => {
    const id = '33333333-0000-4000-8000-000000000001';
    const zone: ExecutionZone = {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ExecutionZone',
      metadata: { name: id, namespace: NS },
      spec: {
        applicationId: id,
        privacy: { regions: [{ action: 'AllowSpecific', value: 'It-Nordics' }, { action: 'DenyAll' }] },
        groups: [
          {
            name: 'g1',
            environment: 'container',
            platformType: 'fog',
            resourceType: 'CPU',
            count: 1,
            cores: 1,
            memory: 128,
            storage: 256,
            image: 'busybox',
          },
        ],
      },
    };
    assert.equal((await region(MINE)).status?.zones, 0);
    const eeaBefore = (await region('eea')).status?.zones;
    await apply(env.hub, zone);
    await pollUntil(`${MINE}: zones 1`, async () => ((await region(MINE)).status?.zones === 1 ? true : undefined), {
      timeoutMs: 60_000,
      everyMs: 200,
    });
    assert.equal((await region('eea')).status?.zones, eeaBefore, 'a region the zone does not name is not counted');
    await deleteAllZones(env.hub, NS);
    await pollUntil(`${MINE}: zones 0`, async () => ((await region(MINE)).status?.zones === 0 ? true : undefined), {
      timeoutMs: 60_000,
      everyMs: 200,
    });
  });
});
