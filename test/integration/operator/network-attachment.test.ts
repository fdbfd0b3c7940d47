// Instances on their zone's network, read back from the members of the
// live test bed: after the paper's Tables II and III, every member hosting
// a zone holds the zone's NetworkAttachmentDefinition (its VLAN over the
// provider's uplink), every pod asks Multus for it with its address and
// MAC, every VM has the bridge interface, Multus network and cloud-init
// network data, and the MACs in status are the ones the switch forwards
// to. A STOP and a zone's deletion take all of it away again; a provider
// without an uplink holds its instances and the zone says why.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NETWORK_ATTACHMENTS, MANAGED_SELECTOR, PODS, VIRTUAL_MACHINES } from '../../../src/clusters/member-objects.js';
import { PROVIDER_CLUSTERS, resourcePath } from '../../../src/core/api/resources.js';
import type { ExecutionZone, ProviderCluster } from '../../../src/core/api/types.js';
import { markingFromDscp } from '../../../src/core/network/marking.js';
import {
  TABLES,
  instanceMac,
  macToBigInt,
  planP4Entries,
  solicitedNodeMac,
} from '../../../src/core/network/p4-entries.js';
import type { ZoneNetworkPlan } from '../../../src/core/network/types.js';
import { prefixBytes } from '../../../src/core/network/ula.js';
import { NETWORKS_ANNOTATION } from '../../../src/core/network/zone-attachment.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import type { KubeObject } from '../../../src/runtime/kube-client.js';
import { apply, deleteIfExists } from '../../../tools/harness/apply.js';
import {
  getZone,
  isReleased,
  listZones,
  waitReleaseDone,
  waitZoneGone,
  waitZoneObserved,
  waitZoneReady,
} from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { paperScenario } from '../../../tools/harness/paper-scenario.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { requireState } from '../../../tools/testbed/state.js';
import { catalogueProviders } from './invariants.js';
import { deleteAllZones, install, type Installed, leadingOperator } from './operator-fixture.js';

const NS = 'it-attach';
const ZONE_755B9 = '755b94a1-2847-4bb8-b530-cfca97404f51';

interface Nad extends KubeObject {
  spec: { config: string };
}
interface CniConfig {
  name: string;
  plugins: { type: string; master?: string; vlanId?: number; ipam?: { type: string } }[];
}
interface VmTemplate {
  spec: {
    domain: { devices: { interfaces: Record<string, unknown>[] } };
    networks: Record<string, unknown>[];
    volumes: { name: string; cloudInitNoCloud?: { networkData?: string } }[];
  };
}

/** Every NetworkAttachmentDefinition zonekeeper made, by `provider/namespace/name`. */
async function attachments(env: Installed): Promise<Map<string, Nad>> {
  const out = new Map<string, Nad>();
  for (const m of env.memberRecords) {
    const c = env.members.get(m.name);
    if (!c) continue;
    const list = await c.list<Nad>(resourcePath(NETWORK_ATTACHMENTS), { labelSelector: MANAGED_SELECTOR });
    for (const n of list.items)
      if (!n.metadata?.deletionTimestamp) out.set(`${m.name}/${n.metadata?.namespace}/${n.metadata?.name}`, n);
  }
  return out;
}

/** The zone's pods or VMs in one member, by instance name. */
async function instanceObjects(env: Installed, provider: string, id: string): Promise<Map<string, KubeObject>> {
  const rec = env.memberRecords.find((m) => m.name === provider);
  const c = env.members.get(provider);
  assert.ok(rec && c, `member ${provider}`);
  const ref = rec.provider?.environment === 'VM' ? VIRTUAL_MACHINES : PODS;
  const list = await c.list<KubeObject>(resourcePath(ref, `zk-${id}`), {
    labelSelector: `zonekeeper.io/application-id=${id}`,
  });
  return new Map(
    list.items
      .filter((o) => !o.metadata?.deletionTimestamp)
      .map((o) => [o.metadata?.labels?.['zonekeeper.io/instance'] ?? '', o]),
  );
}

/** The zone's network plan as its status tells it (what the sidecar is given). */
function planFromStatus(z: ExecutionZone): ZoneNetworkPlan {
  const s = z.status;
  assert.ok(s?.vlanId !== undefined && s.networkId !== undefined && s.network && s.marking && s.instances);
  return {
    applicationId: z.spec.applicationId,
    vlanId: s.vlanId,
    globalId: s.networkId,
    networkId: s.networkId,
    network: s.network,
    prefixBytes: prefixBytes(s.networkId, s.vlanId),
    marking: markingFromDscp(parseInt(s.marking, 2)),
    vpn: [],
    released: [],
    instances: Object.entries(s.instances).flatMap(([provider, list]) =>
      Object.entries(list).map(([name, i]) => ({ name, provider, group: i.group, address: i.address })),
    ),
  };
}

describe('operator: instances on their zone network', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess;
  let fog2Spec: ProviderCluster['spec'] | undefined;
  const uplinks = new Map([...catalogueProviders(requireState().catalogue)].map(([n, p]) => [n, p.uplink]));
  const putFog2 = (spec: ProviderCluster['spec']) =>
    apply<ProviderCluster>(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ProviderCluster',
      metadata: { name: 'fog2' },
      spec,
    });

  before(async () => {
    env = await install();
    op = await leadingOperator(env, 'it-attach', [NS]);
  });

  after(async () => {
    if (fog2Spec) await putFog2(fog2Spec).catch((e: unknown) => console.error(`[operator-it] fog2: ${String(e)}`));
    if (env && op?.running)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[operator-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
  });

  it("attaches every instance of the paper's zones: the zone's NAD over each hosting provider's uplink, pods annotated, VMs bridged, MACs in status as the switch forwards them", async () => {
    for (const [name, uplink] of uplinks) assert.ok(uplink, `${name} has an uplink in the test bed catalogue`);
    for (const step of paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NS)) {
      if (step.kind === 'zone') {
        await apply(env.hub, step.zone);
        await waitZoneObserved(env.hub, NS, step.zone.metadata.name);
      } else {
        await apply(env.hub, step.release);
        assert.equal((await waitReleaseDone(env.hub, NS, step.release.metadata.name)).status?.phase, 'Succeeded');
      }
    }
    const zones: ExecutionZone[] = [];
    for (const z of (await listZones(env.hub, NS)).filter((x) => !isReleased(x)))
      zones.push(await waitZoneReady(env.hub, NS, z.metadata.name, 120_000));
    assert.equal(zones.length, 5, 'five zones live after the paper scenario (one released whole)');

    const wanted = new Set<string>();
    for (const z of zones) {
      const id = z.spec.applicationId.toLowerCase();
      const s = z.status;
      assert.ok(s?.instances && s.vlanId !== undefined);
      assert.equal(getCondition(s.conditions, 'NetworkAttached')?.status, 'True', id);
      const nadName = `zone-${s.vlanId}`;
      // The status MACs are the ones the switch's mac_forward entries match.
      const plan = planFromStatus(z);
      const p4 = planP4Entries([plan], {
        trunkPort: 0,
        providerPorts: Object.fromEntries(Object.keys(s.instances).map((p, i) => [p, i + 1])),
      });
      assert.deepEqual(p4.problems, []);
      const destinations = p4.zones
        .flatMap((x) => x.entries)
        .filter((e) => e.table === TABLES.forward)
        .map((e) => e.match.find((m) => m.field === 'hdr.ethernet.dstAddr')?.value ?? '');
      // Beside each instance's MAC, its solicited-node group (neighbour discovery, 33:33:ff:…).
      const forwarded = destinations.filter((m) => !m.startsWith('0x3333ff')).sort();
      const instances = Object.values(s.instances).flatMap((l) => Object.values(l));
      const macs = instances.map((i) => `0x${macToBigInt(i.mac ?? '').toString(16)}`).sort();
      assert.deepEqual(macs, forwarded, `${id}: status MACs = mac_forward MACs`);
      assert.deepEqual(
        destinations.filter((m) => m.startsWith('0x3333ff')).sort(),
        [...new Set(instances.map((i) => `0x${macToBigInt(solicitedNodeMac(i.address)).toString(16)}`))].sort(),
        `${id}: one solicited-node entry per instance address group`,
      );

      for (const [provider, list] of Object.entries(s.instances)) {
        wanted.add(`${provider}/zk-${id}/${nadName}`);
        const objects = await instanceObjects(env, provider, id);
        const vm = env.memberRecords.find((m) => m.name === provider)?.provider?.environment === 'VM';
        assert.deepEqual([...objects.keys()].sort(), Object.keys(list).sort(), `${id} on ${provider}`);
        for (const [name, inst] of Object.entries(list)) {
          assert.equal(inst.mac, instanceMac(inst.address), `${name}: MAC from the address`);
          assert.equal(inst.interface, 'zone0');
          const o = objects.get(name);
          assert.ok(o, `${name} on ${provider}`);
          const cidr = `${inst.address}/64`;
          if (!vm) {
            assert.deepEqual(JSON.parse(o.metadata?.annotations?.[NETWORKS_ANNOTATION] ?? 'null'), [
              { name: nadName, namespace: `zk-${id}`, interface: 'zone0', ips: [cidr], mac: inst.mac },
            ]);
          } else {
            const t = (o as KubeObject & { spec: { template: VmTemplate } }).spec.template;
            assert.deepEqual(t.spec.domain.devices.interfaces, [
              { name: 'default', masquerade: {} },
              { name: 'zone', bridge: {}, macAddress: inst.mac },
            ]);
            assert.deepEqual(t.spec.networks, [
              { name: 'default', pod: {} },
              { name: 'zone', multus: { networkName: `zk-${id}/${nadName}` } },
            ]);
            const data = t.spec.volumes.find((v) => v.name === 'cloudinitdisk')?.cloudInitNoCloud?.networkData ?? '';
            assert.ok(data.includes(`macaddress: "${inst.mac}"`) && data.includes(`["${cidr}"]`), data);
          }
        }
      }
    }
    // Exactly one NAD per zone and hosting member: none for the zone released whole, none elsewhere.
    const nads = await attachments(env);
    assert.deepEqual([...nads.keys()].sort(), [...wanted].sort());
    for (const [key, nad] of nads) {
      const provider = key.split('/')[0] ?? '';
      const vlan = Number(nad.metadata?.name?.slice('zone-'.length));
      const config = JSON.parse(nad.spec.config) as CniConfig;
      assert.deepEqual(
        config.plugins.map((p) => [p.type, p.master, p.vlanId, p.ipam?.type]),
        [
          ['vlan', uplinks.get(provider), vlan, 'static'],
          ['tuning', undefined, undefined, undefined],
        ],
        key,
      );
    }
  });

  it("a STOP of a provider's instances removes their pods and that member's NAD; deleting the zone removes the rest", async () => {
    const id = ZONE_755B9;
    const z = await getZone(env.hub, NS, id);
    const nadName = `zone-${z.status?.vlanId}`;
    await apply(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name: 'stop-fog2', namespace: NS },
      spec: { zoneRef: { name: id }, instances: { Fog2: ['C3', 'C4'] }, trigger: { immediate: true } },
    });
    assert.equal((await waitReleaseDone(env.hub, NS, 'stop-fog2')).status?.phase, 'Succeeded');
    await pollUntil(
      'Fog2 holds no pod and no NAD of 755b9',
      async () =>
        (await instanceObjects(env, 'Fog2', id)).size === 0 && !(await attachments(env)).has(`Fog2/zk-${id}/${nadName}`)
          ? true
          : undefined,
      { timeoutMs: 60_000, everyMs: 500 },
    );
    assert.ok((await attachments(env)).has(`Fog1/zk-${id}/${nadName}`), 'Fog1 still hosts C1, C2');
    assert.deepEqual([...(await instanceObjects(env, 'Fog1', id)).keys()].sort(), ['C1', 'C2']);
    const after = await waitZoneReady(env.hub, NS, id);
    assert.deepEqual(Object.keys(after.status?.instances ?? {}), ['Fog1']);

    await deleteIfExists(env.hub, 'ExecutionZone', id, NS);
    await waitZoneGone(env.hub, NS, id, 120_000);
    const left = [...(await attachments(env)).keys()].filter((k) => k.includes(`/zk-${id}/`));
    assert.deepEqual(left, [], 'no NAD of a deleted zone is left in any member');
  });

  it('creates nothing on a provider without an uplink and says so in NetworkAttached; creates it attached once the uplink is set', async () => {
    const pc = await env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, 'fog2'));
    fog2Spec = pc.spec;
    const { network: _dropped, ...withoutUplink } = pc.spec;
    const put = await putFog2(withoutUplink);
    // The operator must have seen the edit before the zone arrives, or it would create the pod over the old uplink.
    await pollUntil(
      'the operator observed fog2 without an uplink',
      async () => {
        const now = await env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, 'fog2'));
        return (now.status?.observedGeneration ?? 0) >= (put.metadata.generation ?? 1) ? true : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
    const id = '27f7e237-37d5-4344-a564-a9c4533a2eab';
    const zone: ExecutionZone = {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ExecutionZone',
      metadata: { name: 'held', namespace: NS },
      spec: {
        applicationId: id,
        privacy: { regions: [{ action: 'AllowSpecific', value: 'Scandinavia' }, { action: 'DenyAll' }] },
        groups: [
          {
            name: 'model',
            environment: 'container',
            platformType: 'fog',
            resourceType: 'GPU',
            count: 1,
            cores: 2,
            memory: 2048,
            storage: 8192,
            image: 'Ubuntu-22.04',
          },
        ],
      },
    };
    await apply(env.hub, zone);
    const held = await pollUntil(
      'the zone on Fog2 says UplinkMissing',
      async () => {
        const z = await getZone(env.hub, NS, 'held');
        const c = getCondition(z.status?.conditions, 'NetworkAttached');
        return c?.reason === 'UplinkMissing' ? z : undefined;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    );
    const attached = getCondition(held.status?.conditions, 'NetworkAttached');
    assert.equal(attached?.status, 'False');
    assert.match(
      attached?.message ?? '',
      /^C1 on Fog2 is not created: ProviderCluster fog2 has no spec\.network\.uplink/,
    );
    assert.equal(getCondition(held.status?.conditions, 'Ready')?.status, 'False');
    assert.equal(getCondition(held.status?.conditions, 'Placed')?.status, 'True', 'placement stands');
    assert.ok(held.status?.instances?.['Fog2']?.['C1']?.mac, 'its address and MAC are allocated');
    assert.equal((await instanceObjects(env, 'Fog2', id)).size, 0, 'no pod without its zone interface');
    assert.equal([...(await attachments(env)).keys()].filter((k) => k.includes(`/zk-${id}/`)).length, 0);

    await putFog2(fog2Spec);
    fog2Spec = undefined;
    const ready = await waitZoneReady(env.hub, NS, 'held', 120_000);
    assert.equal(getCondition(ready.status?.conditions, 'NetworkAttached')?.reason, 'Attached');
    const pod = (await instanceObjects(env, 'Fog2', id)).get('C1');
    assert.ok(pod?.metadata?.annotations?.[NETWORKS_ANNOTATION], 'created with its zone interface');
    assert.ok((await attachments(env)).has(`Fog2/zk-${id}/zone-${ready.status?.vlanId}`));
  });
});
