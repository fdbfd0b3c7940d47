// The fake nodes of every member carry the provider's facts: labels for
// country, tier and environment, allocatable that adds up to its capacity.

import assert from 'node:assert/strict';
import { FPGA_RESOURCE, GPU_RESOURCE, NODE_LABELS } from '../../../src/testbed/fake-nodes.js';
import { memberClusters, requireState } from '../../../src/testbed/state.js';
import { core } from '../support/clients.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('test bed: fake nodes reflect the catalogue', function () {
  it('labels every node with its provider and sums allocatable to the provider capacity', async function () {
    for (const m of memberClusters(requireState())) {
      const p = m.provider;
      assert.ok(p);
      const nodes = (await core(m.id).listNode()).items;
      assert.equal(nodes.length, m.nodes.length, m.name);
      for (const n of nodes) {
        const l = n.metadata?.labels ?? {};
        assert.equal(l[NODE_LABELS.provider], m.name);
        assert.equal(l[NODE_LABELS.country], p.country);
        assert.equal(l[NODE_LABELS.mcc], String(p.mcc));
        assert.equal(l[NODE_LABELS.tier], p.tier);
        assert.equal(l[NODE_LABELS.environment], p.environment);
        assert.ok(n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), `${n.metadata?.name} Ready`);
      }
      const alloc = (key: string): number => sum(nodes.map((n) => Number.parseInt(n.status?.allocatable?.[key] ?? '0', 10)));
      assert.equal(alloc('cpu'), p.capacity.cores, `${m.name} cores`);
      assert.equal(sum(nodes.map((n) => Number.parseInt((n.status?.allocatable?.['memory'] ?? '0Mi').replace('Mi', ''), 10))), p.capacity.memory, `${m.name} memory MiB`);
      assert.equal(alloc(GPU_RESOURCE), p.resourceTypes.includes('GPU') ? p.capacity.gpus : 0, `${m.name} GPUs`);
      assert.equal(alloc(FPGA_RESOURCE), p.resourceTypes.includes('FPGA') ? p.capacity.fpgas : 0, `${m.name} FPGAs`);
    }
  });
});
