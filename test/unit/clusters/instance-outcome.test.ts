// The group's restartPolicy on the pod and the VM zonekeeper makes, and
// when such an instance counts as finished.

import assert from 'node:assert/strict';
import { finishedAs } from '../../../src/clusters/instance-outcome.js';
import { desiredPod, desiredVm, type MemberPod, type MemberVm } from '../../../src/clusters/member-objects.js';
import type { RestartPolicy } from '../../../src/core/api/types.js';
import type { InstanceAllocation } from '../../../src/core/zones/allocation.js';
import { PAPER_PLANS } from '../p4/paper-zone-plans.js';

const plan = PAPER_PLANS[0];
if (!plan) throw new Error('no paper zone');
const zone = { applicationId: 'AbC123', namespace: 'tenant-a', name: 'web' };
const instance = (environment: 'VM' | 'container'): InstanceAllocation => ({
  name: environment === 'VM' ? 'V1' : 'C1',
  provider: 'Fog1',
  group: 'g1',
  address: 'fd00::2',
  environment,
  resourceType: 'CPU',
  cores: 1,
  memory: 512,
  storage: 1024,
  image: 'Ubuntu-22.04',
});

describe('restart policy of the instances', () => {
  it("gives a pod its group's restartPolicy, Always by default", () => {
    assert.equal(desiredPod(zone, instance('container'), plan).spec?.['restartPolicy'], 'Always');
    for (const policy of ['Always', 'OnFailure', 'Never'] as RestartPolicy[])
      assert.equal(desiredPod(zone, instance('container'), plan, policy).spec?.['restartPolicy'], policy);
  });

  it('maps it to KubeVirt run strategies: Always, RerunOnFailure, Once', () => {
    const strategy = (policy?: RestartPolicy) => desiredVm(zone, instance('VM'), plan, policy).spec?.['runStrategy'];
    assert.deepEqual(
      [strategy(), strategy('Always'), strategy('OnFailure'), strategy('Never')],
      ['Always', 'Always', 'RerunOnFailure', 'Once'],
    );
  });

  it('counts a pod finished only in a final phase under OnFailure or Never', () => {
    const pod = (policy: RestartPolicy, phase: string, deleting = false): MemberPod => ({
      ...desiredPod(zone, instance('container'), plan, policy),
      status: { phase },
      ...(deleting ? { metadata: { name: 'c1', deletionTimestamp: '2026-01-01T00:00:00Z' } } : {}),
    });
    assert.equal(finishedAs(pod('Never', 'Succeeded'), false), 'Succeeded');
    assert.equal(finishedAs(pod('Never', 'Failed'), false), 'Failed');
    assert.equal(finishedAs(pod('OnFailure', 'Succeeded'), false), 'Succeeded');
    assert.equal(finishedAs(pod('Never', 'Running'), false), undefined);
    assert.equal(finishedAs(pod('Always', 'Failed'), false), undefined, 'under Always a failed pod is broken');
    assert.equal(finishedAs(pod('Never', 'Succeeded', true), false), undefined, 'one being deleted is going');
  });

  it('counts a VM finished when it is Stopped under Once or RerunOnFailure', () => {
    const vm = (policy: RestartPolicy, printableStatus: string): MemberVm => ({
      ...desiredVm(zone, instance('VM'), plan, policy),
      status: { printableStatus },
    });
    assert.equal(finishedAs(vm('Never', 'Stopped'), true), 'Stopped');
    assert.equal(finishedAs(vm('OnFailure', 'Stopped'), true), 'Stopped');
    assert.equal(finishedAs(vm('Never', 'Running'), true), undefined);
    assert.equal(finishedAs(vm('Always', 'Stopped'), true), undefined);
  });
});
