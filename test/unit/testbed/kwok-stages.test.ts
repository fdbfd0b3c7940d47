import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { kwokConfigText } from '../../../tools/testbed/kwok-stages.js';

describe('testbed kwok stages', function () {
  it('gives container members node and pod stages only', function () {
    const docs = yaml.loadAll(kwokConfigText(false)) as { kind: string; spec: { resourceRef: { kind: string } } }[];
    assert.deepEqual([...new Set(docs.map((d) => d.spec.resourceRef.kind))].sort(), ['Node', 'Pod']);
  });

  it('adds VirtualMachine stages for VM members', function () {
    const docs = yaml.loadAll(kwokConfigText(true)) as {
      metadata: { name: string };
      spec: { resourceRef: { apiGroup: string; kind: string } };
    }[];
    const vm = docs.filter((d) => d.spec.resourceRef.kind === 'VirtualMachine');
    assert.deepEqual(
      vm.map((d) => d.metadata.name),
      ['vm-starting', 'vm-starting-until-done', 'vm-running', 'vm-stopped'],
    );
    assert.ok(vm.every((d) => d.spec.resourceRef.apiGroup === 'kubevirt.io/v1'));
  });
});
