import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { changingCredentials } from '../../../src/runtime/credentials.js';
import { KubeClient, KubeError } from '../../../src/runtime/kube-client.js';

const servers: Server[] = [];

/** An API server stand-in that accepts one bearer token at a time and records what it was sent. */
function tokenServer(): Promise<{ server: Server; url: string; accept: (t: string) => void; seen: string[] }> {
  let accepted = '';
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    seen.push(auth);
    if (auth === `Bearer ${accepted}`) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
      return;
    }
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized' }));
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        accept: (t) => {
          accepted = t;
        },
        seen,
      }),
    ),
  );
}

/** Retries `call` every 20 ms for up to 2 s; rejects with the last error. */
async function untilOk(call: () => Promise<unknown>): Promise<void> {
  const end = Date.now() + 2000;
  for (;;) {
    try {
      await call();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function kubeconfig(server: string, user: User): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [user],
    contexts: [{ name: 'x', cluster: 'c', user: user.name }],
    currentContext: 'x',
  });
  return kc;
}

describe('runtime/credentials: tokens that change while the operator runs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'zk-cred-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const srv of servers.splice(0)) {
      srv.closeAllConnections();
      srv.close();
    }
  });

  /** A server that accepts `token` (trimmed), and a client reading it from a token file every `refreshMs`. */
  async function tokenFileClient(
    token: string,
    refreshMs: number,
  ): Promise<{ s: Awaited<ReturnType<typeof tokenServer>>; file: string; client: KubeClient }> {
    const s = await tokenServer();
    const file = path.join(dir, 'token');
    writeFileSync(file, token);
    s.accept(token.trim());
    const client = await KubeClient.fromKubeConfig(
      kubeconfig(s.url, { name: 'sa', authProvider: { name: 'tokenFile', config: { tokenFile: file } } }),
      { credentialRefreshMs: refreshMs },
    );
    return { s, file, client };
  }

  it('reads a ServiceAccount token file again on a timer and after a 401, and keeps the old token when the file cannot be read', async () => {
    const { s, file, client } = await tokenFileClient('one\n', 40);
    try {
      await client.get('/api');
      // The kubelet rotates the token: the timer picks the new one up.
      writeFileSync(file, 'two');
      s.accept('two');
      // Ten timer periods, so a loaded machine still gets one in.
      await new Promise((r) => setTimeout(r, 400));
      const before = s.seen.length;
      await client.get('/api');
      assert.deepEqual(
        s.seen.slice(before),
        ['Bearer two'],
        'the next request carries the new token, not a refused old one',
      );
      // Unreadable for a moment: the token in use stays.
      rmSync(file);
      await client.renewNow();
      s.accept('two');
      await client.get('/api');
      assert.equal(s.seen.at(-1), 'Bearer two');
    } finally {
      client.close();
    }
  });

  it('answers a 401 by reading the token again, so that a retry carries the new one', async () => {
    // A timer too slow to matter here: only the 401 can make the client read the file again.
    const { s, file, client } = await tokenFileClient('old', 3_600_000);
    try {
      await client.get('/api');
      writeFileSync(file, 'new');
      s.accept('new');
      await assert.rejects(client.get('/api'), (e: unknown) => e instanceof KubeError && e.code === 401);
      // No explicit renewal: the 401 itself made the client read the file again, so a retry soon succeeds.
      await untilOk(() => client.get('/api'));
      assert.deepEqual(
        [s.seen[s.seen.length - 1], s.seen.find((a) => a !== 'Bearer old')],
        ['Bearer new', 'Bearer new'],
      );
    } finally {
      client.close();
    }
  });

  it('runs an exec credential plugin again for each renewal', async () => {
    const s = await tokenServer();
    const file = path.join(dir, 'plugin-token');
    const plugin = path.join(dir, 'plugin.mjs');
    writeFileSync(
      plugin,
      `import { readFileSync } from 'node:fs';\nprocess.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: readFileSync(${JSON.stringify(file)}, 'utf8') } }));\n`,
    );
    writeFileSync(file, 'exec-1');
    s.accept('exec-1');
    const client = await KubeClient.fromKubeConfig(
      kubeconfig(s.url, {
        name: 'plugin',
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [plugin],
          interactiveMode: 'Never',
        },
      }),
      { credentialRefreshMs: 3_600_000 },
    );
    try {
      await client.get('/api');
      writeFileSync(file, 'exec-2');
      s.accept('exec-2');
      await client.renewNow();
      await client.get('/api');
      assert.deepEqual(s.seen.slice(-2), ['Bearer exec-1', 'Bearer exec-2']);
    } finally {
      client.close();
    }
  });

  it('leaves static credentials alone: a token or a client certificate in the kubeconfig has no renewal', () => {
    assert.equal(changingCredentials(kubeconfig('http://127.0.0.1:1', { name: 'static', token: 'abc' })), undefined);
    assert.equal(
      changingCredentials(kubeconfig('http://127.0.0.1:1', { name: 'cert', certData: 'x', keyData: 'y' })),
      undefined,
    );
    assert.ok(
      changingCredentials(
        kubeconfig('http://127.0.0.1:1', {
          name: 'sa',
          authProvider: { name: 'tokenFile', config: { tokenFile: '/nonexistent' } },
        }),
      ),
    );
  });
});
