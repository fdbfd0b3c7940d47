// Members are separate clusters: objects made in one are invisible in the
// other, and one member's credentials are worthless in another.

import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { codeOf, core, createNamespace, deleteNamespace, statusOf } from '../support/clients.js';
import { twoMembers } from '../support/members.js';

describe('test bed: members are isolated', function () {
  it('does not show a namespace or object of one member in another', async function () {
    const [m1, m2] = twoMembers();
    const ns = await createNamespace(m1.id, 'isolation');
    try {
      await core(m1.id).createNamespacedConfigMap({
        namespace: ns.name,
        body: { metadata: { name: 'only-here' }, data: { k: 'v' } },
      });
      assert.equal(await codeOf(() => core(m2.id).readNamespace({ name: ns.name })), 404);
      assert.equal(
        await codeOf(() => core(m2.id).readNamespacedConfigMap({ name: 'only-here', namespace: ns.name })),
        404,
      );
      const nodes1 = (await core(m1.id).listNode()).items.map((n) => n.metadata?.name);
      const nodes2 = (await core(m2.id).listNode()).items.map((n) => n.metadata?.name);
      assert.deepEqual(
        nodes1.filter((n) => nodes2.includes(n)),
        [],
      );
    } finally {
      await deleteNamespace(ns);
    }
  });

  it("refuses one member's admin certificate at another member", async function () {
    const [m1, m2] = twoMembers();
    // m1's user and key, m2's server and CA: TLS succeeds, authentication must not.
    const own = new KubeConfig();
    own.loadFromFile(m1.kubeconfig);
    const user = own.getCurrentUser();
    assert.ok(user?.certData && user.keyData);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: m2.id, server: m2.server, caData: readFileSync(m2.caFile).toString('base64') }],
      users: [{ name: 'foreign', certData: user.certData, keyData: user.keyData }],
      contexts: [{ name: 'x', cluster: m2.id, user: 'foreign' }],
      currentContext: 'x',
    });
    const code = await kc
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .then(
        () => 200,
        (err: unknown) => statusOf(err) ?? 0,
      );
    // An unknown client CA leaves the request anonymous: 401 or 403, never 200.
    assert.ok(code === 401 || code === 403, `got ${code}`);
  });
});
