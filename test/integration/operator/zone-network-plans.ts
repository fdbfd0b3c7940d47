// The zones' network plans as the operator computed them (from the durable
// allocations in their status), and, until the operator writes them itself,
// the NetworkAttachmentDefinitions and pod annotations of
// src/core/network/zone-attachment.ts put on the members' pods.
import assert from 'node:assert/strict';
import { LABELS, MANAGED_SELECTOR, PODS } from '../../../src/clusters/member-objects.js';
import { markingFromDscp } from '../../../src/core/network/marking.js';
import type { ZoneNetworkPlan } from '../../../src/core/network/types.js';
import {
  NETWORKS_ANNOTATION,
  podNetworksAnnotation,
  zoneAttachment,
} from '../../../src/core/network/zone-attachment.js';
import { loadAllocation } from '../../../src/core/zones/allocation.js';
import { buildNetworkPlan } from '../../../src/core/zones/federation.js';
import {
  isAlreadyExists,
  isNotFound,
  type KubeClient,
  type KubeObject,
  resourcePath,
} from '../../../src/runtime/kube-client.js';
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

const NAD_CRD = 'network-attachment-definitions.k8s.cni.cncf.io';
const NADS = { group: 'k8s.cni.cncf.io', version: 'v1', plural: 'network-attachment-definitions', namespaced: true };

/** The NetworkAttachmentDefinition CRD on a member, when the test bed did not install it. */
async function ensureNadCrd(member: KubeClient): Promise<void> {
  const crds = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', namespaced: false };
  try {
    await member.get(resourcePath(crds, undefined, NAD_CRD));
    return;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await member.create(resourcePath(crds), {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: NAD_CRD },
    spec: {
      group: 'k8s.cni.cncf.io',
      scope: 'Namespaced',
      names: {
        plural: 'network-attachment-definitions',
        singular: 'network-attachment-definition',
        kind: 'NetworkAttachmentDefinition',
        shortNames: ['net-attach-def'],
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: { type: 'object', properties: { config: { type: 'string' } } },
              },
            },
          },
        },
      ],
    },
  });
  for (let i = 0; i < 100; i++) {
    try {
      await member.list(resourcePath(NADS, 'default'));
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * What the operator is to write on each member for the zones' pods: the
 * zone's NAD in the pod's namespace and the networks annotation with the
 * instance's address and MAC. Returns how many pods were annotated.
 */
export async function attachPods(env: Installed, plans: readonly ZoneNetworkPlan[], uplink: string): Promise<number> {
  let annotated = 0;
  for (const m of env.memberRecords) {
    const c = env.members.get(m.name) as KubeClient;
    const pods = (await c.list<KubeObject>(resourcePath(PODS), { labelSelector: MANAGED_SELECTOR })).items;
    for (const pod of pods) {
      const plan = plans.find((p) => p.applicationId === pod.metadata?.labels?.[LABELS.applicationId]);
      const name = pod.metadata?.labels?.[LABELS.instance];
      const inst = plan?.instances.find((x) => x.name === name && x.provider === m.name);
      if (!plan || !inst || pod.metadata?.annotations?.[NETWORKS_ANNOTATION] !== undefined) continue;
      const ns = pod.metadata?.namespace ?? '';
      await ensureNadCrd(c);
      const nad = zoneAttachment(plan, ns, uplink);
      try {
        await c.create(resourcePath(NADS, ns), nad);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      await c.mergePatch(resourcePath(PODS, ns, pod.metadata?.name ?? ''), {
        metadata: { annotations: { [NETWORKS_ANNOTATION]: podNetworksAnnotation(plan, ns, inst) } },
      });
      annotated++;
    }
  }
  return annotated;
}
