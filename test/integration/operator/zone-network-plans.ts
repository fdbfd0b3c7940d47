// The zones' network plans as the operator computed them (from the durable
// allocations in their status), the uplinks the hub's ProviderClusters
// name, and what the operator wrote on the members for the zones' network:
// the NetworkAttachmentDefinition per zone and provider and each pod's
// networks annotation (each VM's bridge interface), read back and checked
// against the plan, as the packet stand-in (like Multus) will read them.
import assert from 'node:assert/strict';
import { NETWORK_ATTACHMENTS, PODS, VIRTUAL_MACHINES, zoneNamespace } from '../../../src/clusters/member-objects.js';
import { PROVIDER_CLUSTERS } from '../../../src/core/api/resources.js';
import type { ProviderCluster } from '../../../src/core/api/types.js';
import { markingFromDscp } from '../../../src/core/network/marking.js';
import { instanceMac } from '../../../src/core/network/p4-entries.js';
import type { ZoneNetworkPlan } from '../../../src/core/network/types.js';
import { attachmentName, NETWORKS_ANNOTATION, ZONE_INTERFACE } from '../../../src/core/network/zone-attachment.js';
import { loadAllocation } from '../../../src/core/zones/allocation.js';
import { buildNetworkPlan } from '../../../src/core/zones/federation.js';
import { isNotFound, type KubeClient, type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { getZone } from '../../../tools/harness/hub-reads.js';
import type { Installed } from './operator-fixture.js';

export async function networkPlan(hub: KubeClient, namespace: string, name: string): Promise<ZoneNetworkPlan> {
  const z = await getZone(hub, namespace, name);
  const a = z.status?.allocation ? loadAllocation(z.status.allocation).allocation : undefined;
  assert.ok(
    a && a.vlanId !== undefined && z.status?.marking && z.status.networkId !== undefined,
    `${name} has a durable allocation with a VLAN`,
  );
  return buildNetworkPlan(a, { marking: markingFromDscp(parseInt(z.status.marking, 2)) }, z.status.networkId);
}

/** Each provider's uplink as its ProviderCluster on the hub says (spec.network.uplink), by provider name. */
export async function providerUplinks(hub: KubeClient): Promise<Map<string, string>> {
  const list = await hub.list<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS));
  const out = new Map<string, string>();
  for (const pc of list.items) {
    const uplink = pc.spec.network?.uplink;
    if (uplink !== undefined) out.set(pc.spec.providerName ?? pc.metadata.name ?? '', uplink);
  }
  return out;
}

interface Nad extends KubeObject {
  spec: { config: string };
}
interface VlanPlugin {
  type: string;
  master?: string;
  vlanId?: number;
}
interface VirtualMachine extends KubeObject {
  spec: { template: { spec: { domain: { devices: { interfaces: { name: string; macAddress?: string }[] } } } } };
}

/**
 * Asserts that the operator wrote the zone's network on every member
 * hosting an instance: the NAD `zone-<VLAN>` in `zk-<id>` over the
 * provider's uplink on the zone's VLAN, and on each instance's pod the
 * annotation with its address and MAC (on a VM, the zone interface's MAC).
 * Returns undefined (to poll again) while an object is not there yet.
 */
export async function operatorAttachments(
  env: Installed,
  plan: ZoneNetworkPlan,
  uplinks: ReadonlyMap<string, string>,
): Promise<true | undefined> {
  const ns = zoneNamespace(plan.applicationId);
  const name = attachmentName(plan);
  for (const provider of new Set(plan.instances.map((i) => i.provider))) {
    const rec = env.memberRecords.find((m) => m.name === provider);
    const member = env.members.get(provider);
    assert.ok(rec && member, `member ${provider}`);
    const uplink = uplinks.get(provider);
    assert.ok(uplink, `ProviderCluster ${provider} has spec.network.uplink`);
    let nad: Nad;
    try {
      nad = await member.get<Nad>(resourcePath(NETWORK_ATTACHMENTS, ns, name));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    const vlan = (JSON.parse(nad.spec.config) as { plugins: VlanPlugin[] }).plugins.find((p) => p.type === 'vlan');
    assert.deepEqual(
      { master: vlan?.master, vlanId: vlan?.vlanId },
      { master: uplink, vlanId: plan.vlanId },
      `${provider}/${ns}/${name}: the vlan plugin over the ProviderCluster's uplink on the zone's VLAN`,
    );
    const vm = rec.provider?.environment === 'VM';
    const objects = await member.list<KubeObject>(resourcePath(vm ? VIRTUAL_MACHINES : PODS, ns), {
      labelSelector: `zonekeeper.io/application-id=${plan.applicationId}`,
    });
    for (const inst of plan.instances.filter((i) => i.provider === provider)) {
      const o = objects.items.find(
        (x) => x.metadata?.labels?.['zonekeeper.io/instance'] === inst.name && !x.metadata?.deletionTimestamp,
      );
      if (!o) return undefined;
      const mac = instanceMac(inst.address);
      if (vm) {
        const ifaces = (o as VirtualMachine).spec.template.spec.domain.devices.interfaces;
        assert.equal(ifaces.find((i) => i.name === 'zone')?.macAddress, mac, `VM ${provider}/${ns}/${inst.name}`);
        continue;
      }
      const value = o.metadata?.annotations?.[NETWORKS_ANNOTATION];
      assert.ok(value, `pod ${provider}/${ns}/${inst.name} has ${NETWORKS_ANNOTATION}`);
      assert.deepEqual(
        JSON.parse(value),
        [{ name, namespace: ns, interface: ZONE_INTERFACE, ips: [`${inst.address}/64`], mac }],
        `pod ${provider}/${ns}/${inst.name}: the zone's NAD with the instance's address and MAC`,
      );
    }
  }
  return true;
}
