// Namespace deletion in a member completes: the controller-manager's
// namespace controller empties it and KWOK finishes its pods, so nothing
// is left stuck in Terminating.

import assert from 'node:assert/strict';
import { core, createNamespace, statusOf } from '../support/clients.js';
import { containerMember, vmMember } from '../support/members.js';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { kubeConfigFor } from '../support/clients.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';

async function gone(cluster: string, name: string): Promise<boolean> {
  try {
    const ns = await core(cluster).readNamespace({ name });
    assert.equal(ns.status?.phase, 'Terminating');
    return false;
  } catch (err) {
    if (statusOf(err) === 404) return true;
    throw err;
  }
}

describe('test bed: namespace deletion', function () {
  it('removes a namespace with a running pod, a config map and a service account', async function () {
    const m = containerMember().id;
    const ns = await createNamespace(m, 'ns-delete');
    const api = core(m);
    await api.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
    await api.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: 'robot' } } });
    await api.createNamespacedPod({
      namespace: ns.name,
      body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'registry.invalid/app:1' }] } },
    });
    await pollUntil(
      'pod Running',
      async () => (await api.readNamespacedPod({ name: 'p', namespace: ns.name })).status?.phase === 'Running',
    );
    await api.deleteNamespace({ name: ns.name });
    await pollUntil(`namespace ${ns.name} gone`, () => gone(m, ns.name), 60_000);
  });

  it('removes a namespace holding a VirtualMachine and its instance', async function () {
    const m = vmMember().id;
    const ns = await createNamespace(m, 'ns-delete-vm');
    const api = kubeConfigFor(m).makeApiClient(CustomObjectsApi);
    const G = { group: 'kubevirt.io', version: 'v1' };
    await api.createNamespacedCustomObject({
      ...G,
      plural: 'virtualmachines',
      namespace: ns.name,
      body: {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachine',
        metadata: { name: 'vm' },
        spec: { runStrategy: 'Always', template: { spec: { domain: { cpu: { cores: 1 } } } } },
      },
    });
    await pollUntil(
      'VMI exists',
      async () =>
        (await api.getNamespacedCustomObject({
          ...G,
          plural: 'virtualmachineinstances',
          namespace: ns.name,
          name: 'vm',
        })) as unknown,
    );
    await core(m).deleteNamespace({ name: ns.name });
    await pollUntil(`namespace ${ns.name} gone`, () => gone(m, ns.name), 60_000);
  });
});
