// The fake nodes of every member carry the provider's facts: labels for
// country, tier and environment, allocatable that adds up to its capacity.

import assert from 'node:assert/strict';
import { FPGA_RESOURCE, GPU_RESOURCE, NODE_LABELS } from '../../../tools/testbed/fake-nodes.js';
import { memberClusters, requireState } from '../../../tools/testbed/state.js';
import { core } from '../support/clients.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

// The API server writes quantities back in canonical form (32768Mi -> 32Gi).
const BINARY: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
function quantity(q: string | undefined): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti|Pi)?$/.exec(q ?? '0');
  if (!m) throw new Error(`unexpected quantity ${q}`);
  return Number(m[1]) * (BINARY[m[2] ?? ''] ?? 1);
}

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
        assert.ok(
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
          `${n.metadata?.name} Ready`,
        );
      }
      const alloc = (key: string): number => sum(nodes.map((n) => quantity(n.status?.allocatable?.[key])));
      assert.equal(alloc('cpu'), p.capacity.cores, `${m.name} cores`);
      assert.equal(alloc('memory'), p.capacity.memory * 2 ** 20, `${m.name} memory`);
      assert.equal(alloc('ephemeral-storage'), p.capacity.storage * 2 ** 20, `${m.name} storage`);
      assert.equal(alloc(GPU_RESOURCE), p.resourceTypes.includes('GPU') ? p.capacity.gpus : 0, `${m.name} GPUs`);
      assert.equal(alloc(FPGA_RESOURCE), p.resourceTypes.includes('FPGA') ? p.capacity.fpgas : 0, `${m.name} FPGAs`);
    }
  });
});
