// A member's API server can be stopped and started again (the operator's
// tests need "member unreachable"); its data is kept in etcd meanwhile.

import assert from 'node:assert/strict';
import { startApiServer, status, stopApiServer } from '../../../tools/testbed/testbed.js';
import { codeOf, core, createNamespace, deleteNamespace } from '../support/clients.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { containerMember } from '../support/members.js';

describe('test bed: stopping and starting a member API server', function () {
  this.timeout(180_000);

  it('makes the member unreachable, then serves its old objects again', async function () {
    const m = containerMember();
    const ns = await createNamespace(m.id, 'restart');
    await core(m.id).createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'kept' }, data: { k: 'v' } },
    });
    await stopApiServer(m.id);
    try {
      const report = await status();
      const api = report.processes.find((p) => p.cluster === m.name && p.role === 'kube-apiserver');
      assert.equal(api?.state, 'stopped');
      assert.equal(report.apiServers.find((a) => a.cluster === m.name)?.ready, false);
      await assert.rejects(core(m.id).listNamespace(), (err: Error) =>
        /ECONNREFUSED|connect/i.test(`${err.message} ${String((err as { code?: string }).code)}`),
      );
    } finally {
      await startApiServer(m.id);
    }
    const cm = await core(m.id).readNamespacedConfigMap({ name: 'kept', namespace: ns.name });
    assert.equal(cm.data?.['k'], 'v');
    // The controllers reconnect by themselves: a new namespace still gets its ServiceAccount.
    const again = await createNamespace(m.id, 'after-restart');
    await pollUntil('status all running', async () => (await status()).processes.every((p) => p.state === 'running'));
    await deleteNamespace(again);
    await deleteNamespace(ns);
    assert.equal(await codeOf(() => core(m.id).readNamespace({ name: 'default' })), 200);
  });
});
