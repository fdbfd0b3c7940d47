// RBAC is really on: a ServiceAccount token (TokenRequest) is refused
// everything by default, gets exactly what a Role grants in its namespace,
// and nothing in another namespace or cluster-wide.

import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { codeOf, core, kubeConfigFor, useNamespaces } from '../support/clients.js';
import { containerMember } from '../support/members.js';
import { findCluster, requireState } from '../../../tools/testbed/state.js';

function tokenClient(cluster: string, token: string): CoreV1Api {
  const rec = findCluster(requireState(), cluster);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: rec.id, server: rec.server, caData: readFileSync(rec.caFile).toString('base64') }],
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'sa', cluster: rec.id, user: 'sa' }],
    currentContext: 'sa',
  });
  return kc.makeApiClient(CoreV1Api);
}

async function saToken(cluster: string, namespace: string, name: string): Promise<string> {
  await core(cluster).createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const tr = await core(cluster).createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = tr.status?.token;
  assert.ok(token, 'TokenRequest returned a token');
  return token;
}

describe('test bed: RBAC with ServiceAccount tokens', function () {
  const ns = useNamespaces(
    () => containerMember().id,
    () => containerMember().id,
  );

  it('refuses a ServiceAccount with no bindings', async function () {
    const [a] = ns();
    assert.ok(a);
    const sa = tokenClient(a.cluster, await saToken(a.cluster, a.name, 'nobody'));
    assert.equal(await codeOf(() => sa.listNamespacedPod({ namespace: a.name })), 403);
    assert.equal(await codeOf(() => sa.listNamespace()), 403);
  });

  it('allows what a Role grants in its namespace and nothing else', async function () {
    const [a, b] = ns();
    assert.ok(a && b);
    const rbac = kubeConfigFor(a.cluster).makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: a.name,
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: a.name,
      body: {
        metadata: { name: 'reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: a.name }],
      },
    });
    const sa = tokenClient(a.cluster, await saToken(a.cluster, a.name, 'reader'));
    assert.equal(await codeOf(() => sa.listNamespacedPod({ namespace: a.name })), 200);
    // Verbs, resources and namespaces outside the grant are refused.
    assert.equal(
      await codeOf(() =>
        sa.createNamespacedPod({
          namespace: a.name,
          body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
        }),
      ),
      403,
    );
    assert.equal(await codeOf(() => sa.listNamespacedSecret({ namespace: a.name })), 403);
    assert.equal(await codeOf(() => sa.listNamespacedPod({ namespace: b.name })), 403);
    assert.equal(await codeOf(() => sa.listPodForAllNamespaces()), 403);
  });

  it('rejects a garbage token as unauthenticated', async function () {
    const [a] = ns();
    assert.ok(a);
    assert.equal(
      await codeOf(() => tokenClient(a.cluster, 'not-a-token').listNamespacedPod({ namespace: a.name })),
      401,
    );
  });
});
