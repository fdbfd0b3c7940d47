// `status` tells a crashed process from one stopped on purpose, and
// `repair` starts it again with the flags it had.

import assert from 'node:assert/strict';
import { processHealth, repair, status } from '../../../tools/testbed/testbed.js';
import { requireState } from '../../../tools/testbed/state.js';
import { core, createNamespace, deleteNamespace } from '../support/clients.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { containerMember } from '../support/members.js';

describe('test bed: crashed processes', function () {
  this.timeout(120_000);

  it('reports a killed KWOK as crashed and repair brings pods back to life', async function () {
    const m = containerMember();
    const kwok = m.processes.find((p) => p.role === 'kwok');
    assert.ok(kwok?.pid);
    process.kill(kwok.pid, 'SIGKILL');
    await pollUntil('kwok reported crashed', async () =>
      processHealth(requireState()).some((p) => p.cluster === m.name && p.role === 'kwok' && p.state === 'crashed'),
    );
    assert.ok((await status()).processes.some((p) => p.role === 'kwok' && p.state === 'crashed'));
    const restarted = await repair({ log: () => undefined });
    assert.deepEqual(restarted, [`${m.name}/kwok`]);
    // The new kwok does its job: a new pod gets to Running.
    const ns = await createNamespace(m.id, 'after-repair');
    try {
      await core(m.id).createNamespacedPod({
        namespace: ns.name,
        body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'registry.invalid/app:1' }] } },
      });
      await pollUntil(
        'pod Running after repair',
        async () => (await core(m.id).readNamespacedPod({ name: 'p', namespace: ns.name })).status?.phase === 'Running',
      );
    } finally {
      await deleteNamespace(ns);
    }
    assert.ok(processHealth(requireState()).every((p) => p.state === 'running'));
  });
});
