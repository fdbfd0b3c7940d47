// Every file of examples/ (outside examples/paper/) applied to the test bed
// as a user would, with the operator running as its ServiceAccount: the hub
// accepts each object, every zone reaches Ready where its comment says it
// goes, the scale-up adds its group, the named release frees exactly that
// instance, the timed release waits, the region and the provider report
// Ready. The zones are removed again (the paper scenario wants the VLANs).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ExecutionZone, PrivacyRegion, ProviderCluster, ZoneRelease } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { apply, deleteIfExists, readManifests, refFor } from '../../../tools/harness/apply.js';
import { getZone, waitReleaseDone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { OPERATOR_NAMESPACE } from '../../../tools/harness/testbed-setup.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { deleteAllZones, install, type Installed, leadingOperator } from './operator-fixture.js';

const NS = 'it-examples';
const example = (rel: string): KubeObject[] => readManifests(join(repoRoot(), 'examples', rel));
const one = <T extends KubeObject>(rel: string): T => {
  const [doc] = example(rel);
  assert.ok(doc, rel);
  return doc as T;
};
const placedOn = (z: ExecutionZone): Record<string, string[]> =>
  Object.fromEntries(Object.entries(z.status?.instances ?? {}).map(([p, list]) => [p, Object.keys(list).sort()]));

describe('examples/ on the live federation', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess;

  before(async () => {
    env = await install();
    op = await leadingOperator(env, 'it-examples', [NS]);
  });

  after(async () => {
    if (env && op?.running)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[examples-it] cleanup: ${String(e)}`));
    for (const r of (
      await env?.hub.list<KubeObject>(resourcePath(refFor('ZoneRelease'), NS)).catch(() => ({ items: [] }))
    )?.items ?? [])
      await deleteIfExists(env.hub, 'ZoneRelease', r.metadata?.name ?? '', NS);
    if (env) {
      await deleteIfExists(env.hub, 'PrivacyRegion', 'dach');
      await deleteIfExists(env.hub, 'ProviderCluster', 'fog3');
      await deleteIfExists(env.hub, 'Secret', 'member-fog3-kubeconfig', OPERATOR_NAMESPACE);
    }
    await op?.kill('SIGTERM');
  });

  it('a zone of each kind reaches Ready where the example says', async () => {
    const want: Record<string, Record<string, string[]>> = {
      'zones/containers.yaml': { Fog1: ['C1', 'C2'] },
      'zones/vms.yaml': { PrivateCloud2: ['V1', 'V2'] },
      'zones/gpu.yaml': { Fog2: ['C1'] },
      'zones/mixed.yaml': { Fog1: ['C1', 'C2'], PrivateCloud2: ['V1'] },
    };
    for (const file of Object.keys(want)) await apply(env.hub, one<ExecutionZone>(file), NS);
    for (const [file, where] of Object.entries(want)) {
      const z = await waitZoneReady(env.hub, NS, one<ExecutionZone>(file).metadata.name, 120_000);
      assert.deepEqual(placedOn(z), where, `${file}: ${getCondition(z.status?.conditions, 'Placed')?.message}`);
      assert.ok(z.status?.vlanId && z.status.network && z.status.marking, `${file}: VLAN, network and marking`);
    }
  });

  it('the scale-up adds its group off Fog1, and the named release frees C2 only', async () => {
    const up = one<ExecutionZone>('zones/containers-scale-up.yaml');
    await apply(env.hub, up, NS);
    const scaled = await waitZoneReady(env.hub, NS, up.metadata.name, 120_000);
    assert.deepEqual(placedOn(scaled), { Fog1: ['C1', 'C2'], Fog2: ['C3', 'C4'] });

    const rel = one<ZoneRelease>('releases/release-instances.yaml');
    await apply(env.hub, rel, NS);
    const done = await waitReleaseDone(env.hub, NS, rel.metadata.name);
    assert.equal(done.status?.phase, 'Succeeded', JSON.stringify(done.status?.conditions));
    assert.deepEqual(done.status?.released, { Fog1: ['C2'] });
    const after = await waitZoneReady(env.hub, NS, up.metadata.name);
    assert.deepEqual(placedOn(after), { Fog1: ['C1'], Fog2: ['C3', 'C4'] });
    assert.deepEqual(after.status?.releasedInstances, ['C2']);
  });

  it('the timed release waits two hours and the zone keeps running', async () => {
    const rel = one<ZoneRelease>('releases/release-timed.yaml');
    const created = await apply(env.hub, rel, NS);
    const waiting = await pollUntil(`ZoneRelease ${rel.metadata.name} Waiting`, async () => {
      const r = await env.hub.get<ZoneRelease>(resourcePath(refFor('ZoneRelease'), NS, rel.metadata.name));
      return r.status?.phase === 'Waiting' ? r : undefined;
    });
    const wait = Date.parse(waiting.status?.releaseTime ?? '') - Date.parse(created.metadata.creationTimestamp ?? '');
    assert.equal(wait, 2 * 3600_000, `releaseTime ${waiting.status?.releaseTime}`);
    const z = await getZone(env.hub, NS, rel.spec.zoneRef.name);
    assert.equal(getCondition(z.status?.conditions, 'Ready')?.status, 'True');
    await deleteIfExists(env.hub, 'ZoneRelease', rel.metadata.name, NS);
  });

  it('the PrivacyRegion is accepted and Ready', async () => {
    const region = one<PrivacyRegion>('catalogue/privacy-region.yaml');
    await apply(env.hub, region);
    const got = await pollUntil('PrivacyRegion dach Ready', async () => {
      const r = await env.hub.get<PrivacyRegion>(
        resourcePath(refFor('PrivacyRegion'), undefined, region.metadata.name),
      );
      return getCondition(r.status?.conditions, 'Ready')?.status === 'True' ? r : undefined;
    });
    assert.equal(got.spec.countries.length, 3);
  });

  it('the ProviderCluster and its Secret are accepted, and Ready once the kubeconfig is a real member', async () => {
    // After the zones are gone, so the new provider takes none of them.
    await deleteAllZones(env.hub, NS);
    const [secret, pc] = example('catalogue/provider-cluster.yaml') as [
      KubeObject & { stringData: Record<string, string> },
      ProviderCluster,
    ];
    assert.equal(secret.kind, 'Secret');
    assert.equal(pc.kind, 'ProviderCluster');
    // The example's kubeconfig names a placeholder server; give it a test-bed member's instead.
    const fog1 = await env.hub.get<{ data: Record<string, string> }>(
      resourcePath(refFor('Secret'), OPERATOR_NAMESPACE, 'member-fog1-kubeconfig'),
    );
    const kubeconfig = Buffer.from(fog1.data['kubeconfig'] ?? '', 'base64').toString('utf8');
    assert.match(kubeconfig, /server:/);
    await apply(env.hub, { ...secret, stringData: { kubeconfig } });
    await apply(env.hub, pc);
    const ready = await pollUntil(
      'ProviderCluster fog3 Ready',
      async () => {
        const p = await env.hub.get<ProviderCluster>(
          resourcePath(refFor('ProviderCluster'), undefined, pc.metadata.name),
        );
        return getCondition(p.status?.conditions, 'Ready')?.status === 'True' ? p : undefined;
      },
      60_000,
    );
    assert.equal(getCondition(ready.status?.conditions, 'Reachable')?.status, 'True');
  });
});
