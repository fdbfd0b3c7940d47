// The fake (KWOK) nodes of a member: their labels and allocatable say what
// the provider offers, so the operator can read a member the way it would
// read a real provider's cluster.

import type { V1Node } from '@kubernetes/client-node';
import type { ProviderFacts } from './state.js';

/** Label keys the operator can select on. */
export const NODE_LABELS = {
  provider: 'zonekeeper.io/provider',
  country: 'zonekeeper.io/country',
  mcc: 'zonekeeper.io/mcc',
  tier: 'zonekeeper.io/tier',
  environment: 'zonekeeper.io/environment',
  gpu: 'zonekeeper.io/gpu',
  fpga: 'zonekeeper.io/fpga',
} as const;

/** Extended resources: the usual device-plugin name for GPUs, our own for FPGAs. */
export const GPU_RESOURCE = 'nvidia.com/gpu';
export const FPGA_RESOURCE = 'zonekeeper.io/fpga';

/** KWOK manages only nodes with this annotation (its documented convention). */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

export function nodesPerMember(): number {
  const n = Number(process.env['TESTBED_NODES_PER_MEMBER'] ?? '2');
  return Number.isInteger(n) && n >= 1 ? n : 2;
}

/** Pods a fake node accepts: the kubelet's default of 110, or more for benchmarks that pack thousands of zones onto eight members. */
export function podsPerNode(): number {
  const n = Number(process.env['TESTBED_PODS_PER_NODE'] ?? '110');
  return Number.isInteger(n) && n >= 1 ? n : 110;
}

/** Splits `total` into `n` whole shares, the first ones taking the remainder. */
function share(total: number, n: number, i: number): number {
  return Math.floor(total / n) + (i < total % n ? 1 : 0);
}

export function nodeName(memberId: string, i: number): string {
  return `${memberId}-node-${i}`;
}

export function fakeNodes(memberName: string, memberId: string, p: ProviderFacts, count = nodesPerMember()): V1Node[] {
  const nodes: V1Node[] = [];
  for (let i = 0; i < count; i++) {
    const name = nodeName(memberId, i);
    const resources: Record<string, string> = {
      cpu: String(share(p.capacity.cores, count, i)),
      memory: `${share(p.capacity.memory, count, i)}Mi`,
      'ephemeral-storage': `${share(p.capacity.storage, count, i)}Mi`,
      pods: String(podsPerNode()),
    };
    if (p.resourceTypes.includes('GPU')) resources[GPU_RESOURCE] = String(share(p.capacity.gpus, count, i));
    if (p.resourceTypes.includes('FPGA')) resources[FPGA_RESOURCE] = String(share(p.capacity.fpgas, count, i));
    const labels: Record<string, string> = {
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'node.kubernetes.io/instance-type': `${p.tier}-${p.environment.toLowerCase()}`,
      'topology.kubernetes.io/region': p.country,
      type: 'kwok',
      [NODE_LABELS.provider]: memberName,
      [NODE_LABELS.country]: p.country,
      [NODE_LABELS.mcc]: String(p.mcc),
      [NODE_LABELS.tier]: p.tier,
      [NODE_LABELS.environment]: p.environment,
      [NODE_LABELS.gpu]: String(p.resourceTypes.includes('GPU')),
      [NODE_LABELS.fpga]: String(p.resourceTypes.includes('FPGA')),
    };
    // Real KubeVirt marks the nodes that can run VMs; VM providers get it too.
    if (p.environment === 'VM') labels['kubevirt.io/schedulable'] = 'true';
    nodes.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels, annotations: { [KWOK_NODE_ANNOTATION]: 'fake' } },
      spec: {},
      // A node's status is kept on create (kubelets register this way); KWOK's
      // initialize stage keeps capacity/allocatable as given.
      status: { capacity: { ...resources }, allocatable: { ...resources } },
    });
  }
  return nodes;
}
