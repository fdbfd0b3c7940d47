// The REST gateway, attacked, as a running process on the test bed's hub:
// it authenticates as its own ServiceAccount (a TokenRequest token, the
// roles of deploy/hub/10-rbac.yaml, bound in two tenant namespaces) and
// writes nothing as itself. Tenants are ServiceAccounts with tokens of
// their own. Each attack must fail and the normal path still work.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { ExecutionZone, ZoneRelease } from '../../../src/core/api/types.js';
import { KubeClient, type KubeObject } from '../../../src/runtime/kube-client.js';
import { gatewayRoleBinding } from '../../../tools/codegen/rbac.js';
import { apply, readManifests } from '../../../tools/harness/apply.js';
import {
  gatewayKubeconfig,
  type RunningGateway,
  serviceAccountToken,
  startGateway,
} from '../../../tools/harness/view-gateway.js';
import { findCluster } from '../../../tools/testbed/state.js';
import { HubApi } from '../admission/hub-api.js';
import { installCrds } from '../admission/install-crds.js';
import { testbed } from '../support/global-fixture.js';

const suffix = randomBytes(3).toString('hex');
const NS_A = `zk-gw-a-${suffix}`;
const NS_B = `zk-gw-b-${suffix}`;
const ZONE_A = '5050f0a5-1b71-4c43-a9f0-4e0c4d0a0001';
const ZONE_B = '5050f0a5-1b71-4c43-a9f0-4e0c4d0a0002';
const messages = JSON.parse(readFileSync('examples/paper/messages.json', 'utf8')) as Record<string, unknown>[];
const template = messages.find((m) => m.type === 'INIT') as Record<string, unknown>;
const init = (applicationId: string) => ({ ...template, application_id: applicationId });

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

describe('security: the REST gateway lets in only the tenant, for what the tenant may do', function () {
  this.timeout(240_000);
  let admin: KubeClient;
  let gw: RunningGateway;
  let alice = '';
  let bob = '';
  let nobody = '';
  let carol = '';

  const call = async (
    path: string,
    o: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const r = await fetch(`${gw.base}${path}`, {
      method: o.body === undefined ? 'GET' : 'POST',
      headers: { ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}), ...o.headers },
      ...(o.body === undefined ? {} : { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) }),
    });
    return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
  };
  const zones = async (ns: string) =>
    (await admin.list<ExecutionZone>(`/apis/zonekeeper.io/v1alpha1/namespaces/${ns}/executionzones`)).items;
  const releases = async (ns: string) =>
    (await admin.list<ZoneRelease>(`/apis/zonekeeper.io/v1alpha1/namespaces/${ns}/zonereleases`)).items;

  /** A ServiceAccount in `ns`, bound to zonekeeper-zone-editor there unless `editor` is false, and its token. */
  async function tenant(ns: string, name: string, editor = true): Promise<string> {
    await apply(admin, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
    if (editor)
      await apply(admin, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `${name}-editor`, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'zonekeeper-zone-editor' },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      } as KubeObject);
    return serviceAccountToken(admin, ns, name);
  }

  before(async () => {
    const state = testbed();
    await installCrds(await HubApi.connect());
    admin = await KubeClient.fromKubeconfigText(readFileSync(findCluster(state, 'hub').kubeconfig, 'utf8'));
    for (const m of readManifests('deploy/hub/00-namespace.yaml')) await apply(admin, m);
    for (const m of readManifests('deploy/hub/10-rbac.yaml')) await apply(admin, m);
    for (const ns of [NS_A, NS_B]) {
      await apply(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      await apply(admin, gatewayRoleBinding(ns) as unknown as KubeObject);
    }
    alice = await tenant(NS_A, 'alice');
    bob = await tenant(NS_B, 'bob');
    nobody = await tenant(NS_A, 'nobody', false);
    // Carol floods; the others stay well within 2/s, bursts of 15.
    carol = await tenant(NS_A, 'carol');
    gw = await startGateway(await gatewayKubeconfig(state, admin), join(state.dir, 'logs', 'gateway-attacks.log'), {
      namespace: NS_A,
      args: ['--no-view', '--headers-timeout-ms', '2000', '--request-timeout-ms', '4000', '--tenant-rate', '2:15'],
    });
  });

  after(async () => {
    await gw?.proc.kill('SIGTERM');
    for (const ns of [NS_A, NS_B]) {
      // No operator runs here to honour a finalizer the hub's admission policy may have added.
      for (const z of admin ? await zones(ns).catch(() => []) : [])
        await admin
          .mergePatch(`/apis/zonekeeper.io/v1alpha1/namespaces/${ns}/executionzones/${z.metadata.name}`, {
            metadata: { finalizers: null },
          })
          .catch(() => undefined);
      await admin?.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
    }
    admin?.close();
  });

  it('answers a message without a token, or with a token the hub does not know, with 401 and writes nothing', async () => {
    const none = await call(`/v1/namespaces/${NS_A}/messages`, { body: init(ZONE_A) });
    assert.equal(none.status, 401);
    assert.match(String(none.headers.get('www-authenticate')), /^Bearer/);
    const forged = await call(`/v1/namespaces/${NS_A}/messages`, { token: 'not-a-token', body: init(ZONE_A) });
    assert.equal(forged.status, 401);
    assert.equal((await zones(NS_A)).length, 0);
  });

  it('answers a tenant without rights in the namespace with 403 and writes nothing', async () => {
    const r = await call(`/v1/namespaces/${NS_A}/messages`, { token: nobody, body: init(ZONE_A) });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.match(String(r.body.detail), /may not create executionzones/);
    assert.equal((await zones(NS_A)).length, 0);
  });

  it("writes a tenant's INIT as that tenant, and a retried INIT adds no second group", async () => {
    const first = await call(`/v1/namespaces/${NS_A}/messages`, { token: alice, body: init(ZONE_A) });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    // The gateway's own identity may not create zones (RBAC test): the write was alice's.
    const retry = await call(`/v1/namespaces/${NS_A}/messages`, { token: alice, body: init(ZONE_A) });
    assert.deepEqual([retry.status, retry.body.group, retry.body.replayed], [200, 'init-1', true]);
    const key = { 'Idempotency-Key': `scale-${suffix}` };
    const scale = await call(`/v1/namespaces/${NS_A}/messages`, { token: alice, body: init(ZONE_A), headers: key });
    assert.deepEqual([scale.status, scale.body.group], [200, 'init-2']);
    const again = await call(`/v1/namespaces/${NS_A}/messages`, { token: alice, body: init(ZONE_A), headers: key });
    assert.deepEqual([again.status, again.body.group, again.body.replayed], [200, 'init-2', true]);
    const [zone] = await zones(NS_A);
    assert.deepEqual(
      zone.spec.groups.map((g) => g.name),
      ['init-1', 'init-2'],
    );
  });

  it("keeps tenant A from reading, scaling or stopping tenant B's zone by its application id", async () => {
    const created = await call(`/v1/namespaces/${NS_B}/messages`, { token: bob, body: init(ZONE_B) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const read = await call(`/v1/namespaces/${NS_B}/zones/${ZONE_B}`, { token: alice });
    assert.equal(read.status, 403);
    const scale = await call(`/v1/namespaces/${NS_B}/messages`, { token: alice, body: init(ZONE_B) });
    assert.equal(scale.status, 403);
    const stop = await call(`/v1/namespaces/${NS_B}/messages`, {
      token: alice,
      body: { type: 'STOP', application_id: ZONE_B },
    });
    assert.equal(stop.status, 403);
    // In her own namespace the id names nothing of hers.
    assert.equal((await call(`/v1/namespaces/${NS_A}/zones/${ZONE_B}`, { token: alice })).status, 404);
    const ownStop = await call(`/v1/messages`, { token: alice, body: { type: 'STOP', application_id: ZONE_B } });
    assert.equal(ownStop.status, 404);
    assert.equal((await releases(NS_B)).length, 0);
    assert.deepEqual(
      (await zones(NS_B))[0].spec.groups.map((g) => g.name),
      ['init-1'],
    );
    // Bob reads his own.
    assert.equal((await call(`/v1/namespaces/${NS_B}/zones/${ZONE_B}`, { token: bob })).status, 200);
  });

  it('refuses a 2 MiB body with 413 and keeps serving', async () => {
    const big = JSON.stringify({ ...init(ZONE_A), padding: 'x'.repeat(2 << 20) });
    const r = await call(`/v1/namespaces/${NS_A}/messages`, { token: alice, body: big });
    assert.equal(r.status, 413);
    assert.equal((await call(`/v1/namespaces/${NS_A}/zones/${ZONE_A}`, { token: alice })).status, 200);
  });

  it('drops a client that sends its headers too slowly (slowloris) while serving others', async () => {
    const socket = connect(Number(new URL(gw.base).port), '127.0.0.1');
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.on('error', () => undefined);
    const opened = Date.now();
    socket.write(`POST /v1/namespaces/${NS_A}/messages HTTP/1.1\r\nHost: gateway\r\n`);
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 300);
    try {
      // Another client meanwhile.
      assert.equal((await call(`/v1/namespaces/${NS_A}/zones/${ZONE_A}`, { token: alice })).status, 200);
      const at = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 20_000))]);
      assert.notEqual(at, -1, 'the gateway never dropped the slow client');
      assert.ok(at - opened >= 1_500, `dropped after ${at - opened} ms, before its 2 s header time-out`);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
  });

  it('answers a tenant over its rate with 429 and Retry-After, without slowing another tenant', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => call(`/v1/namespaces/${NS_A}/zones/${ZONE_A}`, { token: carol })),
    );
    const limited = answers.filter((a) => a.status === 429);
    assert.ok(limited.length >= 10, `${limited.length} of 40 limited`);
    assert.ok(Number(limited[0].headers.get('retry-after')) >= 1);
    assert.equal((await call(`/v1/namespaces/${NS_A}/zones/${ZONE_A}`, { token: alice })).status, 200);
  });
});
