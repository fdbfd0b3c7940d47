import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import type { ExecutionZone } from '../../../src/core/api/types.js';
import { readInitRequests, recordInitRequest, KEPT } from '../../../src/core/messages/init-replay.js';
import { MessageHandler } from '../../../src/gateway/message-handler.js';
import { RateLimiter } from '../../../src/gateway/rate-limiter.js';
import { gatewayServer, type TenantAuth } from '../../../src/gateway/server.js';
import type { Action, Viewer } from '../../../src/gateway/viewer-auth.js';
import type { ZoneStore } from '../../../src/gateway/zone-store.js';
import { impersonationHeaders } from '../../../src/gateway/impersonation.js';

const ID = '755b94a1-2847-4bb8-b530-cfca97404f51';

/** Tokens `t-<user>`; `user` may do what `rights` lists as `verb resource namespace`. */
class TableAuth implements TenantAuth {
  constructor(private readonly rights: string[]) {}
  authenticate(token: string): Promise<Viewer | undefined> {
    return Promise.resolve(token.startsWith('t-') ? { user: token.slice(2), groups: [] } : undefined);
  }
  may(viewer: Viewer, a: Action): Promise<boolean> {
    return Promise.resolve(this.rights.includes(`${viewer.user} ${a.verb} ${a.resource} ${a.namespace}`));
  }
}

/** A store that records who it acted as and answers with a zone for every read. */
function recordingStore(): ZoneStore & { actedAs: string[]; reads: string[] } {
  const actedAs: string[] = [];
  const reads: string[] = [];
  const base = (who: string): ZoneStore => ({
    getZone: (ns, name) => {
      reads.push(`${who}@${ns}/${name}`);
      return Promise.resolve({
        apiVersion: 'zonekeeper.io/v1alpha1',
        kind: 'ExecutionZone',
        spec: { applicationId: ID, groups: [] },
        metadata: { name, namespace: ns },
      } as ExecutionZone);
    },
    putZone: (z) => Promise.resolve(z),
    createRelease: (r) => Promise.resolve(r),
    listRegions: () => Promise.resolve([]),
    actingAs: (t) => {
      actedAs.push(t.user);
      return base(t.user);
    },
  });
  return Object.assign(base('gateway'), { actedAs, reads });
}

async function listen(server: ReturnType<typeof gatewayServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('REST gateway: authentication, rights and limits', () => {
  it('reads a zone as the tenant, only with a token and the right, in the namespace of the path', async () => {
    const store = recordingStore();
    const server = gatewayServer(new MessageHandler(store), {
      defaultNamespace: 'home',
      auth: new TableAuth(['alice get executionzones team-a']),
    });
    const base = await listen(server);
    try {
      assert.equal((await fetch(`${base}/v1/namespaces/team-a/zones/${ID}`)).status, 401);
      const bad = await fetch(`${base}/v1/namespaces/team-a/zones/${ID}`, { headers: { Authorization: 'Bearer x' } });
      assert.equal(bad.status, 401);
      const alice = { headers: { Authorization: 'Bearer t-alice' } };
      assert.equal((await fetch(`${base}/v1/namespaces/team-b/zones/${ID}`, alice)).status, 403);
      assert.equal((await fetch(`${base}/v1/zones/${ID}`, alice)).status, 403, 'the default namespace is home');
      assert.equal((await fetch(`${base}/v1/namespaces/team-a/zones/${ID}`, alice)).status, 200);
      assert.equal((await fetch(`${base}/v1/namespaces/Team_A/zones/${ID}`, alice)).status, 400);
      assert.deepEqual(store.reads, [`alice@team-a/${ID}`], 'nothing read before the right was checked');
    } finally {
      server.close();
    }
  });

  it('refuses a bad Idempotency-Key, a body over the limit (413) and headers over the limit (431)', async () => {
    const server = gatewayServer(new MessageHandler(recordingStore()), {
      defaultNamespace: 'ns',
      auth: new TableAuth(['alice create executionzones ns']),
      limits: { maxBodyBytes: 1000, maxHeaderBytes: 4096 },
    });
    const base = await listen(server);
    const alice = { Authorization: 'Bearer t-alice' };
    try {
      const key = await fetch(`${base}/v1/messages`, {
        method: 'POST',
        headers: { ...alice, 'Idempotency-Key': 'has space' },
        body: '{}',
      });
      assert.equal(key.status, 400);
      assert.match(((await key.json()) as { detail: string }).detail, /Idempotency-Key must be visible ASCII/);
      const big = await fetch(`${base}/v1/messages`, { method: 'POST', headers: alice, body: 'x'.repeat(5000) });
      assert.equal(big.status, 413);
      const headers = await fetch(`${base}/healthz`, { headers: { 'X-Big': 'y'.repeat(8000) } });
      assert.equal(headers.status, 431);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
    } finally {
      server.close();
    }
  });

  it('refills a rate bucket with time, and says when to come back', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, () => now);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => limiter.take('a')),
      [0, 0, 0, 1],
    );
    assert.equal(limiter.take('b'), 0, 'each key has its own bucket');
    now = 500;
    assert.equal(limiter.take('a'), 0, 'half a second gives one request back at 2/s');
    assert.equal(limiter.take('a'), 1);
  });

  it('impersonates a ServiceAccount by name alone, a person with groups, uid and extras', () => {
    assert.deepEqual(
      impersonationHeaders({ user: 'system:serviceaccount:team-a:ci', groups: ['system:serviceaccounts'], uid: 'u' }),
      { 'Impersonate-User': 'system:serviceaccount:team-a:ci' },
    );
    assert.deepEqual(
      impersonationHeaders({ user: 'alice', groups: ['dev', 'ops'], uid: '42', extra: { 'Acme.com/Project': ['p1'] } }),
      {
        'Impersonate-User': 'alice',
        'Impersonate-Group': ['dev', 'ops'],
        'Impersonate-Uid': '42',
        'Impersonate-Extra-acme.com%2Fproject': ['p1'],
      },
    );
  });

  it('remembers the newest INIT requests of a zone, and treats a garbled record as none', () => {
    const annotation = (text: string) => ({ 'zonekeeper.io/init-requests': text });
    let text = '';
    for (let i = 0; i < KEPT + 5; i++)
      text = recordInitRequest(readInitRequests(annotation(text)), `key:${i}`, `g${i}`, i);
    const kept = readInitRequests(annotation(text));
    assert.equal(Object.keys(kept).length, KEPT);
    assert.equal(kept[`key:${KEPT + 4}`]?.group, `g${KEPT + 4}`);
    assert.equal(kept['key:0'], undefined, 'the oldest went first');
    assert.deepEqual(readInitRequests(annotation('{nope')), {});
  });
});
