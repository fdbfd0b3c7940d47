// KubeVirt VirtualMachines in a VM provider: KWOK stages move a running VM
// to Ready / printableStatus Running, the test bed's VMI stand-in gives it
// a VirtualMachineInstance with a node and an IP, and halting or deleting
// the VM removes the instance (garbage collector, via the owner reference).

import assert from 'node:assert/strict';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { kubeConfigFor, statusOf, useNamespaces } from '../support/clients.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { containerMember, vmMember } from '../support/members.js';

interface Vm {
  status?: { printableStatus?: string; ready?: boolean; conditions?: { type: string; status: string }[] };
}
interface Vmi {
  metadata?: { ownerReferences?: { kind: string; name: string }[] };
  status?: { phase?: string; nodeName?: string; interfaces?: { ipAddress?: string }[] };
}

const G = { group: 'kubevirt.io', version: 'v1' };

function vm(name: string, runStrategy: string): object {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name },
    spec: {
      runStrategy,
      template: {
        metadata: { labels: { 'zonekeeper.io/instance': name } },
        spec: {
          domain: {
            cpu: { cores: 2 },
            resources: { requests: { memory: '2Gi' } },
            devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }] },
          },
          volumes: [{ name: 'root', containerDisk: { image: 'quay.invalid/containerdisks/debian:12' } }],
          nodeSelector: { 'kubevirt.io/schedulable': 'true' },
        },
      },
    },
  };
}

describe('test bed: KubeVirt VirtualMachines in a VM provider', function () {
  const ns = useNamespaces(() => vmMember().id);
  const api = (): CustomObjectsApi => kubeConfigFor(vmMember().id).makeApiClient(CustomObjectsApi);

  it('makes a VirtualMachine Ready with printableStatus Running and a running instance with an IP', async function () {
    const [n] = ns();
    assert.ok(n);
    await api().createNamespacedCustomObject({
      ...G,
      plural: 'virtualmachines',
      namespace: n.name,
      body: vm('db', 'Always'),
    });
    const got = await pollUntil('VM Ready', async () => {
      const v = (await api().getNamespacedCustomObject({
        ...G,
        plural: 'virtualmachines',
        namespace: n.name,
        name: 'db',
      })) as Vm;
      return v.status?.ready === true ? v : undefined;
    });
    assert.equal(got.status?.printableStatus, 'Running');
    assert.ok(got.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    const vmi = await pollUntil('VMI Running', async () => {
      const v = (await api().getNamespacedCustomObject({
        ...G,
        plural: 'virtualmachineinstances',
        namespace: n.name,
        name: 'db',
      })) as Vmi;
      return v.status?.phase === 'Running' ? v : undefined;
    });
    assert.match(vmi.status?.interfaces?.[0]?.ipAddress ?? '', /^10\.\d+\.\d+\.\d+$/);
    assert.ok(vmi.status?.nodeName?.startsWith(`${n.cluster}-node-`));
    assert.equal(vmi.metadata?.ownerReferences?.[0]?.kind, 'VirtualMachine');
  });

  it('stops a halted VM and removes its instance', async function () {
    const [n] = ns();
    assert.ok(n);
    await api().createNamespacedCustomObject({
      ...G,
      plural: 'virtualmachines',
      namespace: n.name,
      body: vm('batch', 'Always'),
    });
    await pollUntil(
      'VMI exists',
      async () =>
        (await api().getNamespacedCustomObject({
          ...G,
          plural: 'virtualmachineinstances',
          namespace: n.name,
          name: 'batch',
        })) as unknown,
    );
    await api().patchNamespacedCustomObject(
      { ...G, plural: 'virtualmachines', namespace: n.name, name: 'batch', body: { spec: { runStrategy: 'Halted' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await pollUntil('VM Stopped', async () => {
      const v = (await api().getNamespacedCustomObject({
        ...G,
        plural: 'virtualmachines',
        namespace: n.name,
        name: 'batch',
      })) as Vm;
      return v.status?.printableStatus === 'Stopped' && v.status.ready === false;
    });
    await pollUntil('VMI removed', async () => {
      try {
        await api().getNamespacedCustomObject({
          ...G,
          plural: 'virtualmachineinstances',
          namespace: n.name,
          name: 'batch',
        });
        return false;
      } catch (err) {
        return statusOf(err) === 404;
      }
    });
  });

  it('collects the instance when the VM is deleted', async function () {
    const [n] = ns();
    assert.ok(n);
    await api().createNamespacedCustomObject({
      ...G,
      plural: 'virtualmachines',
      namespace: n.name,
      body: vm('tmp', 'Always'),
    });
    await pollUntil(
      'VMI exists',
      async () =>
        (await api().getNamespacedCustomObject({
          ...G,
          plural: 'virtualmachineinstances',
          namespace: n.name,
          name: 'tmp',
        })) as unknown,
    );
    await api().deleteNamespacedCustomObject({ ...G, plural: 'virtualmachines', namespace: n.name, name: 'tmp' });
    await pollUntil('VMI garbage-collected', async () => {
      const list = (await api().listNamespacedCustomObject({
        ...G,
        plural: 'virtualmachineinstances',
        namespace: n.name,
      })) as { items: unknown[] };
      return list.items.length === 0;
    });
  });

  it('has no KubeVirt API in a container provider', async function () {
    const kc = kubeConfigFor(containerMember().id);
    const code = await kc
      .makeApiClient(CustomObjectsApi)
      .listClusterCustomObject({ ...G, plural: 'virtualmachines' })
      .then(
        () => 200,
        (err: unknown) => statusOf(err),
      );
    assert.equal(code, 404);
  });
});
