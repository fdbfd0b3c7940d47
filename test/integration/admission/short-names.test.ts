// Against the hub's real discovery (/api and every group under /apis): no
// short name zonekeeper ships is a name, singular or short name of another
// resource the API server serves, and once the CRDs are installed the hub
// advertises exactly the short names crds/ declares (what kubectl resolves).
// The members are asked too: they run KubeVirt's CRDs.

import assert from 'node:assert/strict';
import { shippedCrds, installCrds } from './install-crds.js';
import { HubApi } from './hub-api.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { memberClusters } from '../../../tools/testbed/state.js';
import { testbed } from '../support/global-fixture.js';

interface ApiResource {
  name: string;
  singularName?: string;
  shortNames?: string[];
}
interface ResourceList {
  groupVersion: string;
  resources: ApiResource[];
}

/** Every resource the server serves, by group/version. */
async function discovery(api: HubApi): Promise<ResourceList[]> {
  const lists: ResourceList[] = [];
  const core = await api.request<{ versions: string[] }>('GET', '/api');
  for (const v of core.body.versions) lists.push((await api.request<ResourceList>('GET', `/api/${v}`)).body);
  const groups = await api.request<{ groups: { versions: { groupVersion: string }[] }[] }>('GET', '/apis');
  for (const g of groups.body.groups) {
    for (const v of g.versions) {
      const res = await api.request<ResourceList>('GET', `/apis/${v.groupVersion}`);
      if (res.status === 200) lists.push(res.body);
    }
  }
  return lists;
}

/** name -> the resources (group/version/resource) that claim it as a name, singular or short name. */
function claims(lists: ResourceList[], skipGroup: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of lists) {
    if (l.groupVersion.split('/')[0] === skipGroup) continue;
    for (const r of l.resources) {
      if (r.name.includes('/')) continue; // subresources
      for (const n of [r.name, r.singularName ?? '', ...(r.shortNames ?? [])]) {
        if (n) out.set(n, [...(out.get(n) ?? []), `${l.groupVersion}/${r.name}`]);
      }
    }
  }
  return out;
}

describe('CRD short names against the real discovery', () => {
  const ours = shippedCrds().flatMap((c) =>
    c.spec.names.shortNames.map((s) => ({ kind: c.spec.names.kind, short: s })),
  );

  it('the hub serves PriorityClass as `pc` and nothing else claims a zonekeeper short name', async () => {
    const api = await HubApi.connect();
    const taken = claims(await discovery(api), 'zonekeeper.io');
    // The collision that made ProviderCluster lose `pc` is real on this hub.
    assert.ok(
      taken.get('pc')?.some((r) => r.endsWith('/priorityclasses')),
      'expected PriorityClass to claim pc',
    );
    for (const { kind, short } of ours)
      assert.equal(
        taken.get(short),
        undefined,
        `${kind}'s short name ${short} is taken by ${taken.get(short)?.join(', ')}`,
      );
  });

  it('each member (with KubeVirt CRDs) leaves the short names free too', async () => {
    for (const m of memberClusters(testbed())) {
      const taken = claims(await discovery(await HubApi.connect(m.name)), 'zonekeeper.io');
      for (const { kind, short } of ours)
        assert.equal(
          taken.get(short),
          undefined,
          `${m.name}: ${kind}'s ${short} is taken by ${taken.get(short)?.join(', ')}`,
        );
    }
  });

  it('after installing crds/, the hub advertises the shipped short names', async () => {
    const api = await HubApi.connect();
    await installCrds(api);
    const want = Object.fromEntries(shippedCrds().map((c) => [c.spec.names.plural, c.spec.names.shortNames]));
    await pollUntil('zonekeeper.io short names in discovery', async () => {
      const res = await api.request<ResourceList>('GET', '/apis/zonekeeper.io/v1alpha1');
      if (res.status !== 200) return undefined;
      const got = Object.fromEntries(
        res.body.resources.filter((r) => !r.name.includes('/')).map((r) => [r.name, r.shortNames ?? []]),
      );
      return Object.keys(want).every((k) => JSON.stringify(got[k]) === JSON.stringify(want[k])) || undefined;
    });
  });
});
