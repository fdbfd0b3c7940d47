// In-cluster config as a pod sees it: a ServiceAccount token and CA under
// <root>/var/run/secrets/kubernetes.io/serviceaccount and the API server in
// KUBERNETES_SERVICE_HOST/PORT. A real TLS server signed by that CA stands
// in for the API server, so the test proves the CA is trusted and the
// token is sent, not just that files were read.

import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubClient, SERVICE_ACCOUNT_DIR } from '../../../src/runtime/hub-connection.js';
import { makeClusterPki, type ClusterPki } from '../../../tools/testbed/pki.js';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.in-cluster-test-token.sig';

describe('hub connection: in-cluster ServiceAccount config', function () {
  this.timeout(30_000);
  let dir: string;
  let pki: ClusterPki;
  let otherPki: ClusterPki;
  let server: Server;
  let port = 0;
  const seen: (string | undefined)[] = [];
  const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };

  /** A pod's service-account volume under `root`, with the CA of `ca`. */
  const podRoot = (name: string, ca: ClusterPki | undefined, token: string | undefined): string => {
    const root = join(dir, name);
    const sa = join(root, SERVICE_ACCOUNT_DIR);
    mkdirSync(sa, { recursive: true });
    if (ca) copyFileSync(ca.caCert, join(sa, 'ca.crt'));
    if (token !== undefined) writeFileSync(join(sa, 'token'), token);
    writeFileSync(join(sa, 'namespace'), 'zonekeeper-system');
    return root;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-incluster-'));
    pki = await makeClusterPki(join(dir, 'pki'), 'incluster');
    otherPki = await makeClusterPki(join(dir, 'other-pki'), 'other');
    server = createServer({ cert: readFileSync(pki.servingCert), key: readFileSync(pki.servingKey) }, (req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'APIVersions', versions: ['v1'] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  beforeEach(() => {
    seen.length = 0;
    process.env['KUBERNETES_SERVICE_HOST'] = '127.0.0.1';
    process.env['KUBERNETES_SERVICE_PORT'] = String(port);
  });

  after(() => {
    server?.close();
    for (const [k, v] of [
      ['KUBERNETES_SERVICE_HOST', saved.host],
      ['KUBERNETES_SERVICE_PORT', saved.port],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reaches the API server of KUBERNETES_SERVICE_HOST/PORT over TLS with the mounted CA, sending the mounted token', async () => {
    const client = await hubClient({ serviceAccountRoot: podRoot('pod', pki, TOKEN) });
    try {
      assert.equal(client.server.href, `https://127.0.0.1:${port}/`);
      const body = await client.get<{ kind: string }>('/api');
      assert.equal(body.kind, 'APIVersions');
      assert.deepEqual(seen, [`Bearer ${TOKEN}`]);
    } finally {
      client.close();
    }
  });

  it('refuses an API server whose certificate the mounted CA did not sign', async () => {
    const client = await hubClient({ serviceAccountRoot: podRoot('wrong-ca', otherPki, TOKEN) });
    try {
      await assert.rejects(client.get('/api'), /certificate/i);
      assert.deepEqual(seen, [], 'no request reached the server');
    } finally {
      client.close();
    }
  });

  it('says which file is missing when the token is not mounted', async () => {
    const root = podRoot('no-token', pki, undefined);
    await assert.rejects(
      hubClient({ serviceAccountRoot: root }),
      (e: Error) =>
        e.message.includes(join(root, SERVICE_ACCOUNT_DIR, 'token')) && /automountServiceAccountToken/.test(e.message),
    );
  });

  it('says it is not in a pod when KUBERNETES_SERVICE_HOST is unset and no kubeconfig is given', async () => {
    delete process.env['KUBERNETES_SERVICE_HOST'];
    await assert.rejects(
      hubClient({ serviceAccountRoot: podRoot('no-env', pki, TOKEN) }),
      /no kubeconfig given .* KUBERNETES_SERVICE_HOST/,
    );
  });

  it('prefers a kubeconfig when one is given', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: c',
        `clusters: [{name: k, cluster: {server: "https://127.0.0.1:${port}", certificate-authority: ${JSON.stringify(pki.caCert)}}}]`,
        'users: [{name: u, user: {token: from-kubeconfig}}]',
        'contexts: [{name: c, context: {cluster: k, user: u}}]',
        '',
      ].join('\n'),
    );
    const client = await hubClient({ kubeconfig, serviceAccountRoot: podRoot('both', pki, TOKEN) });
    try {
      await client.get('/api');
      assert.deepEqual(seen, ['Bearer from-kubeconfig']);
    } finally {
      client.close();
    }
  });
});
