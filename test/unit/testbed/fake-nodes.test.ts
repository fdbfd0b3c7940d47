import assert from 'node:assert/strict';
import { FPGA_RESOURCE, GPU_RESOURCE, NODE_LABELS, fakeNodes } from '../../../tools/testbed/fake-nodes.js';
import { loadCatalogue } from '../../../tools/testbed/catalogue.js';
import { defaultCatalogue } from '../../../tools/testbed/paths.js';
import type { ProviderFacts } from '../../../tools/testbed/state.js';

const facts: ProviderFacts = {
  country: 'DK',
  mcc: 238,
  tier: 'fog',
  environment: 'container',
  resourceTypes: ['CPU', 'GPU'],
  capacity: { cores: 7, memory: 1001, storage: 10, gpus: 3, fpgas: 0 },
};

describe('testbed fake nodes', function () {
  it('splits the provider capacity over the nodes without losing a unit', function () {
    const nodes = fakeNodes('Fog2', 'fog2', facts, 2);
    const sum = (key: string): number =>
      nodes.reduce((s, n) => s + Number.parseInt(n.status?.allocatable?.[key] ?? '0', 10), 0);
    assert.equal(sum('cpu'), 7);
    assert.equal(sum('memory'), 1001);
    assert.equal(sum(GPU_RESOURCE), 3);
    assert.equal(nodes[0]?.status?.allocatable?.[FPGA_RESOURCE], undefined);
  });

  it('labels nodes with the provider facts the operator selects on', function () {
    const [n] = fakeNodes('Fog2', 'fog2', facts, 1);
    const l = n?.metadata?.labels ?? {};
    assert.equal(l[NODE_LABELS.provider], 'Fog2');
    assert.equal(l[NODE_LABELS.country], 'DK');
    assert.equal(l[NODE_LABELS.mcc], '238');
    assert.equal(l[NODE_LABELS.gpu], 'true');
    assert.equal(l[NODE_LABELS.fpga], 'false');
    assert.equal(n?.metadata?.annotations?.['kwok.x-k8s.io/node'], 'fake');
  });

  it('reads the paper catalogue into eight members with DNS-safe ids', function () {
    const entries = loadCatalogue(defaultCatalogue());
    assert.equal(entries.length, 8);
    for (const e of entries) assert.match(e.id, /^[a-z0-9-]+$/);
    assert.equal(entries.filter((e) => e.environment === 'VM').length, 5);
  });
});
