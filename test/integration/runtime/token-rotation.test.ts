// A pod's ServiceAccount token rotates under a running client: the hub's
// real API server issues two tokens bound to two Secrets, the first is
// revoked by deleting its Secret, and the in-cluster client (the operator's
// and the gateway's hubClient) carries on with the second, both when its
// timer reads the file and when a 401 makes it read it at once.

import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { adminClient } from '../../../tools/harness/testbed-setup.js';
import { hubClient, SERVICE_ACCOUNT_DIR } from '../../../src/runtime/hub-connection.js';
import { KubeClient, KubeError, type KubeObject } from '../../../src/runtime/kube-client.js';
import { findCluster, readState, type ClusterRecord } from '../../../tools/testbed/state.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';

const NS = `zk-token-${randomBytes(3).toString('hex')}`;
const SA = 'rotator';

describe('runtime: a rotated ServiceAccount token, against the hub API server', function () {
  // The API server caches a token's verdict for 10 s, so a revocation takes that long to show.
  this.timeout(90_000);
  let hub: ClusterRecord;
  let admin: KubeClient;
  let dir: string;
  const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };

  /** A token for the ServiceAccount, valid as long as Secret `secret` exists. */
  async function boundToken(secret: string): Promise<string> {
    const s = await admin.create<KubeObject>(`/api/v1/namespaces/${NS}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secret },
    });
    const r = await admin.create<{ status?: { token?: string } }>(
      `/api/v1/namespaces/${NS}/serviceaccounts/${SA}/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          expirationSeconds: 3600,
          boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: secret, uid: s.metadata?.uid },
        },
      } as never,
    );
    assert.ok(r.status?.token, 'the API server issued a token');
    return r.status.token;
  }

  /** A pod's service-account volume holding `token`. */
  function podRoot(name: string, token: string): { root: string; tokenFile: string } {
    const root = join(dir, name);
    const sa = join(root, SERVICE_ACCOUNT_DIR);
    mkdirSync(sa, { recursive: true });
    copyFileSync(hub.caFile, join(sa, 'ca.crt'));
    writeFileSync(join(sa, 'token'), token);
    return { root, tokenFile: join(sa, 'token') };
  }

  const listConfigMaps = (c: KubeClient) => c.list<KubeObject>(`/api/v1/namespaces/${NS}/configmaps`);

  /** What the API server answers a request carrying `token` (200 or the error's code). */
  async function codeWith(token: string): Promise<number> {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: hub.server, caFile: hub.caFile, skipTLSVerify: false }],
      users: [{ name: 'u', token }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const c = await KubeClient.fromKubeConfig(kc);
    try {
      await listConfigMaps(c);
      return 200;
    } catch (e) {
      if (e instanceof KubeError) return e.code;
      throw e;
    } finally {
      c.close();
    }
  }

  before(async () => {
    const state = readState();
    if (!state) throw new Error('the test bed is not up');
    hub = findCluster(state, 'hub');
    admin = await adminClient(hub);
    dir = mkdtempSync(join(tmpdir(), 'zk-token-'));
    await admin.create(`/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await admin.create(`/api/v1/namespaces/${NS}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: SA },
    });
    await admin.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'read-configmaps' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    } as never);
    await admin.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'read-configmaps' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
      subjects: [{ kind: 'ServiceAccount', name: SA, namespace: NS }],
    } as never);
    process.env['KUBERNETES_SERVICE_HOST'] = '127.0.0.1';
    process.env['KUBERNETES_SERVICE_PORT'] = String(hub.port);
  });

  after(async () => {
    for (const [k, v] of [
      ['KUBERNETES_SERVICE_HOST', saved.host],
      ['KUBERNETES_SERVICE_PORT', saved.port],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await admin.delete(`/api/v1/namespaces/${NS}`).catch(() => undefined);
    admin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * An in-cluster client on a first token; its file then gets a second one,
   * the first is revoked and the API server refuses it. `check` runs then.
   */
  async function rotated(
    name: string,
    refreshMs: number,
    check: (client: KubeClient, second: string) => Promise<void>,
  ): Promise<void> {
    const first = await boundToken(`${name}-a`);
    const pod = podRoot(name, first);
    const client = await hubClient({ serviceAccountRoot: pod.root, credentialRefreshMs: refreshMs });
    try {
      await listConfigMaps(client);
      const second = await boundToken(`${name}-b`);
      writeFileSync(pod.tokenFile, second);
      await admin.delete(`/api/v1/namespaces/${NS}/secrets/${name}-a`);
      await pollUntil('the first token to be refused', async () => (await codeWith(first)) === 401, 30_000);
      await check(client, second);
    } finally {
      client.close();
    }
  }

  it('reads the new token on its timer: no request after the rotation is refused', () =>
    rotated('timer', 200, async (client, second) => {
      assert.equal(await codeWith(second), 200);
      await new Promise((r) => setTimeout(r, 500));
      await listConfigMaps(client);
    }));

  // A timer too slow to matter: only the 401 can make the client read the file again.
  it('reads the new token at once when the old one is refused', () =>
    rotated('on-401', 3_600_000, async (client) => {
      await assert.rejects(
        listConfigMaps(client),
        (e: unknown) => e instanceof KubeError && e.code === 401,
        'the first request after the revocation still carries the old token',
      );
      await pollUntil(
        'the client to carry the new token',
        async () => {
          await listConfigMaps(client);
          return true;
        },
        5_000,
      );
    }));
});
