// Pods in a member are scheduled by its kube-scheduler onto the fake nodes
// and made Running with a pod IP by KWOK, as a kubelet would.

import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { core, useNamespaces } from '../support/clients.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { containerMember, gpuMember } from '../support/members.js';
import { GPU_RESOURCE, NODE_LABELS } from '../../../tools/testbed/fake-nodes.js';

function pod(
  name: string,
  extra: Partial<V1Pod['spec']> = {},
  requests: Record<string, string> = { cpu: '1', memory: '256Mi' },
): V1Pod {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      automountServiceAccountToken: false,
      containers: [
        { name: 'main', image: 'registry.invalid/zonekeeper/app:1', resources: { requests, limits: requests } },
      ],
      ...extra,
    },
  };
}

async function runningPod(cluster: string, namespace: string, name: string): Promise<V1Pod> {
  return pollUntil(`pod ${cluster}/${namespace}/${name} Running with an IP`, async () => {
    const p = await core(cluster).readNamespacedPod({ name, namespace });
    return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
  });
}

describe('test bed: pods in a member', function () {
  const ns = useNamespaces(
    () => containerMember().id,
    () => gpuMember().id,
  );

  it('schedules a pod onto a fake node and reports it Running with a pod IP', async function () {
    const [n] = ns();
    assert.ok(n);
    await core(n.cluster).createNamespacedPod({ namespace: n.name, body: pod('web') });
    const p = await runningPod(n.cluster, n.name, 'web');
    assert.match(p.status?.podIP ?? '', /^10\.\d+\.\d+\.\d+$/);
    assert.ok(p.spec?.nodeName?.startsWith(`${n.cluster}-node-`), `bound to ${p.spec?.nodeName}`);
    assert.equal(p.status?.containerStatuses?.[0]?.ready, true);
    assert.ok(p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  });

  it('places a GPU pod only where the provider offers GPUs', async function () {
    const [, g] = ns();
    assert.ok(g);
    const body = pod(
      'cuda',
      { nodeSelector: { [NODE_LABELS.gpu]: 'true' } },
      { cpu: '1', memory: '1Gi', [GPU_RESOURCE]: '1' },
    );
    await core(g.cluster).createNamespacedPod({ namespace: g.name, body });
    const p = await runningPod(g.cluster, g.name, 'cuda');
    const node = await core(g.cluster).readNode({ name: p.spec?.nodeName ?? '' });
    assert.equal(node.metadata?.labels?.[NODE_LABELS.gpu], 'true');
  });

  it('leaves a pod Pending when it asks for more GPUs than a node has', async function () {
    const [, g] = ns();
    assert.ok(g);
    await core(g.cluster).createNamespacedPod({
      namespace: g.name,
      body: pod('greedy', {}, { cpu: '1', [GPU_RESOURCE]: '1000' }),
    });
    const p = await pollUntil('scheduler verdict', async () => {
      const got = await core(g.cluster).readNamespacedPod({ name: 'greedy', namespace: g.name });
      return got.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ? got : undefined;
    });
    assert.equal(p.status?.phase, 'Pending');
    assert.equal(p.spec?.nodeName, undefined);
  });

  it('deletes a pod completely, as a kubelet would after its containers stop', async function () {
    const [n] = ns();
    assert.ok(n);
    await core(n.cluster).createNamespacedPod({ namespace: n.name, body: pod('short') });
    await runningPod(n.cluster, n.name, 'short');
    await core(n.cluster).deleteNamespacedPod({ name: 'short', namespace: n.name });
    await pollUntil('pod gone', async () => {
      const list = await core(n.cluster).listNamespacedPod({ namespace: n.name });
      return list.items.length === 0;
    });
  });
});
