import assert from 'node:assert/strict';
import {
  desiredAttachment,
  desiredNamespace,
  desiredPod,
  desiredVm,
  hasZoneInterface,
  INSTANCE_UID,
  ownsNamespace,
  POD_SECURITY_ENFORCE,
} from '../../../src/clusters/member-objects.js';
import { instanceMac } from '../../../src/core/network/p4-entries.js';
import { NETWORKS_ANNOTATION } from '../../../src/core/network/zone-attachment.js';
import type { InstanceAllocation } from '../../../src/core/zones/allocation.js';
import { PAPER_PLANS } from '../p4/paper-zone-plans.js';

const plan = PAPER_PLANS[0];
if (!plan) throw new Error('no paper zone');

const zone = { applicationId: 'AbC123', namespace: 'tenant-a', name: 'web' };
const c1: InstanceAllocation = {
  name: 'C1',
  provider: 'Fog1',
  group: 'g1',
  address: 'fd00::2',
  environment: 'container',
  resourceType: 'CPU',
  cores: 2,
  memory: 512,
  storage: 1024,
  image: 'Ubuntu-22.04',
};

describe('member objects', () => {
  it('labels a container zone namespace Pod Security restricted and a VM zone namespace privileged (virt-launcher)', () => {
    assert.equal(desiredNamespace(zone, false).metadata.labels?.[POD_SECURITY_ENFORCE], 'restricted');
    assert.equal(desiredNamespace(zone, true).metadata.labels?.[POD_SECURITY_ENFORCE], 'privileged');
    assert.equal(desiredNamespace(zone, false).metadata.name, 'zk-abc123');
  });

  it('makes pods that meet Pod Security restricted', () => {
    const spec = desiredPod(zone, c1, plan).spec;
    assert.deepEqual(spec?.['securityContext'], {
      runAsNonRoot: true,
      runAsUser: INSTANCE_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const c of spec?.containers ?? []) {
      assert.deepEqual(c['securityContext'], { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    assert.equal(spec?.['hostNetwork'], undefined);
    assert.equal(spec?.['automountServiceAccountToken'], false);
  });

  it('owns only the namespace it made for the same zone', () => {
    assert.equal(ownsNamespace(desiredNamespace(zone, false), 'abc123'), true);
    assert.equal(ownsNamespace(desiredNamespace(zone, false), 'other'), false);
    assert.equal(ownsNamespace({ metadata: { name: 'zk-abc123' } }, 'abc123'), false);
    assert.equal(
      ownsNamespace(
        { metadata: { name: 'zk-abc123', labels: { 'zonekeeper.io/application-id': 'abc123' } } },
        'abc123',
      ),
      false,
    );
  });
});

describe('member objects on the zone network', () => {
  const ns = 'zk-abc123';
  const v1: InstanceAllocation = { ...c1, name: 'V1', environment: 'VM', address: 'fd00::2:1' };

  it('labels the zone attachment like every object zonekeeper makes, so cleanup finds it', () => {
    const nad = desiredAttachment(zone, plan, 'eth1');
    assert.equal(nad.metadata.namespace, ns);
    assert.equal(nad.metadata.name, `zone-${plan.vlanId}`);
    assert.equal(nad.metadata.labels['app.kubernetes.io/managed-by'], 'zonekeeper');
    assert.equal(nad.metadata.labels['zonekeeper.io/application-id'], 'abc123');
    assert.equal(nad.metadata.annotations?.['zonekeeper.io/zone'], 'tenant-a/web');
  });

  it('asks Multus for the zone network in the pod annotation, with the address and the MAC', () => {
    const pod = desiredPod(zone, c1, plan);
    const nets = JSON.parse(pod.metadata?.annotations?.[NETWORKS_ANNOTATION] ?? '[]') as Record<string, unknown>[];
    assert.deepEqual(nets, [
      {
        name: `zone-${plan.vlanId}`,
        namespace: ns,
        interface: 'zone0',
        ips: ['fd00::2/64'],
        mac: instanceMac('fd00::2'),
      },
    ]);
    assert.equal(hasZoneInterface(pod, false), true);
  });

  it('keeps the VM shape (pod network, root disk) and adds the bridge interface, Multus network and cloud-init disk', () => {
    const spec = desiredVm(zone, v1, plan).spec?.['template'] as {
      spec: {
        domain: { devices: { disks: { name: string }[]; interfaces: object[] } };
        networks: object[];
        volumes: { name: string; cloudInitNoCloud?: { networkData: string } }[];
      };
    };
    assert.deepEqual(spec.spec.domain.devices.interfaces, [
      { name: 'default', masquerade: {} },
      { name: 'zone', bridge: {}, macAddress: instanceMac('fd00::2:1') },
    ]);
    assert.deepEqual(spec.spec.networks, [
      { name: 'default', pod: {} },
      { name: 'zone', multus: { networkName: `${ns}/zone-${plan.vlanId}` } },
    ]);
    assert.deepEqual(
      spec.spec.domain.devices.disks.map((d) => d.name),
      ['rootdisk', 'cloudinitdisk'],
    );
    const cloudInit = spec.spec.volumes.find((v) => v.name === 'cloudinitdisk')?.cloudInitNoCloud?.networkData ?? '';
    assert.match(cloudInit, /addresses: \["fd00::2:1\/64"\]/);
    assert.equal(hasZoneInterface(desiredVm(zone, v1, plan), true), true);
  });

  it('tells an object made without the zone interface from one made with it', () => {
    const pod = desiredPod(zone, c1, plan);
    delete pod.metadata?.annotations?.[NETWORKS_ANNOTATION];
    assert.equal(hasZoneInterface(pod, false), false);
    assert.equal(hasZoneInterface({ metadata: { name: 'v1' }, spec: {} }, true), false);
  });
});
