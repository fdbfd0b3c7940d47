import assert from 'node:assert/strict';
import {
  desiredNamespace,
  desiredPod,
  INSTANCE_UID,
  ownsNamespace,
  POD_SECURITY_ENFORCE,
} from '../../../src/clusters/member-objects.js';
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
