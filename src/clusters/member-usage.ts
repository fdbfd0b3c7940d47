// What a member says of a zone's instances' resource use: the pods (their
// containers' restart counts) from the core API, and their usage from the
// member's metrics.k8s.io API (PodMetrics, as metrics-server serves it
// through the kube-aggregator). Read on demand for the ZoneRelease
// triggers `usage` and `stall`, with the operator's member credentials
// (get/list on pods and pods.metrics.k8s.io).
//
// An instance is found by its `zonekeeper.io/instance` label: a
// container instance's pod carries it, and so does a VM's virt-launcher
// pod (KubeVirt copies the VM template's labels to it), so a VM's usage
// is its virt-launcher pod's.

import { parseQuantity } from '../core/api/quantity.js';
import type { KubeClient, KubeObject, ResourceRef } from '../runtime/kube-client.js';
import { resourcePath } from '../runtime/kube-client.js';
import { LABELS, PODS, zoneNamespace } from './member-objects.js';

export const POD_METRICS: ResourceRef = {
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  plural: 'pods',
  namespaced: true,
};

interface PodWithRestarts extends KubeObject {
  status?: { containerStatuses?: { restartCount?: number }[] };
}

interface PodMetrics extends KubeObject {
  containers?: { name: string; usage?: Record<string, string> }[];
}

/** One instance's figures, summed over its pods' containers; cpu and memory absent without metrics. */
export interface InstanceMeasure {
  /** Cores. */
  cpu?: number;
  /** Bytes. */
  memory?: number;
  restarts: number;
}

export interface ZoneUsage {
  /** By instance name (C1, V2): the instances that have a pod. */
  instances: Map<string, InstanceMeasure>;
  /** Why the member's metrics could not be read, if they could not (the restart counts still count). */
  metricsError?: string;
}

function quantityOf(text: string | undefined, where: string): number {
  const q = parseQuantity(text ?? '');
  if (!q.ok) throw new Error(`${where}: ${q.reason}`);
  return q.value;
}

/** Reads the zone's pods and their metrics from one member; throws when the pods cannot be read. */
export async function readZoneUsage(client: KubeClient, applicationId: string): Promise<ZoneUsage> {
  const id = applicationId.toLowerCase();
  const namespace = zoneNamespace(id);
  const query = { labelSelector: `${LABELS.applicationId}=${id}` };
  const [pods, metrics] = await Promise.all([
    client.list<PodWithRestarts>(resourcePath(PODS, namespace), query),
    client.list<PodMetrics>(resourcePath(POD_METRICS, namespace), query).then(
      (l) => l,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    ),
  ]);
  const instanceOfPod = new Map<string, string>();
  const instances = new Map<string, InstanceMeasure>();
  for (const pod of pods.items) {
    const instance = pod.metadata?.labels?.[LABELS.instance];
    const name = pod.metadata?.name;
    if (!instance || !name) continue;
    instanceOfPod.set(name, instance);
    const m = instances.get(instance) ?? { restarts: 0 };
    m.restarts += (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
    instances.set(instance, m);
  }
  if (typeof metrics === 'string') return { instances, metricsError: metrics };
  for (const pm of metrics.items) {
    const instance = instanceOfPod.get(pm.metadata?.name ?? '');
    const m = instance ? instances.get(instance) : undefined;
    if (!m) continue;
    const where = `PodMetrics ${namespace}/${pm.metadata?.name ?? ''}`;
    for (const c of pm.containers ?? []) {
      m.cpu = (m.cpu ?? 0) + quantityOf(c.usage?.['cpu'], `${where} container ${c.name} cpu`);
      m.memory = (m.memory ?? 0) + quantityOf(c.usage?.['memory'], `${where} container ${c.name} memory`);
    }
  }
  return { instances };
}
