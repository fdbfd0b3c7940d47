// The web view's API on a stand-in hub: who may see what (TokenReview,
// SubjectAccessReview per namespace), nothing secret in what leaves, and
// the event stream: a snapshot first, then the changes the viewer may see.

import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionZone } from '../../../src/core/api/types.js';
import { MessageHandler } from '../../../src/gateway/message-handler.js';
import { gatewayServer } from '../../../src/gateway/server.js';
import { ViewFeed } from '../../../src/gateway/view-feed.js';
import { type ViewSnapshot, zoneView } from '../../../src/gateway/view-model.js';
import { ViewRoutes } from '../../../src/gateway/view-routes.js';
import { ViewerAuth } from '../../../src/gateway/viewer-auth.js';
import type { KubeClient } from '../../../src/runtime/kube-client.js';
import { silentLogger } from '../../../src/runtime/logger.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { emptyZoneStore, federation } from '../../../tools/harness/view-fixtures.js';
import { FakeViewHub } from '../../support/fake-view-hub.js';
import { listenWithClient } from '../../support/local-kube-client.js';

/** Reads an SSE stream into events until `stop` says enough. */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  stop: (events: { event: string; data: unknown }[]) => boolean,
): Promise<{ event: string; data: unknown }[]> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: { event: string; data: unknown }[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  try {
    while (!stop(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  } finally {
    ctrl.abort();
  }
  return events;
}

describe('gateway web view', function () {
  this.timeout(20_000);
  let hub: FakeViewHub;
  let client: KubeClient;
  let feed: ViewFeed;
  let server: Server;
  let base = '';
  const fed = federation(40, ['tenant-a', 'tenant-b']);

  beforeEach(async () => {
    hub = new FakeViewHub();
    hub.account('admin-token', { user: 'admin', groups: ['system:masters'], namespaces: ['*'] });
    hub.account('tenant-a-token', { user: 'alice', groups: ['tenants'], namespaces: ['tenant-a'] });
    for (const p of fed.providers) hub.put(p);
    for (const z of fed.zones) hub.put(z);
    client = await listenWithClient(hub.server);
    feed = new ViewFeed(client, silentLogger);
    await feed.start();
    server = gatewayServer(new MessageHandler(emptyZoneStore()), {
      defaultNamespace: 'default',
      view: new ViewRoutes(feed, new ViewerAuth(client)),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    feed.stop();
    server.closeAllConnections();
    server.close();
    client.close();
    hub.close();
  });

  const view = async (token?: string): Promise<{ status: number; body: ViewSnapshot; text: string }> => {
    const r = await fetch(`${base}/api/view`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    const text = await r.text();
    return { status: r.status, body: JSON.parse(text) as ViewSnapshot, text };
  };

  it('serves the page and its files with a strict CSP', async () => {
    const r = await fetch(`${base}/ui/`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(await r.text(), /<script src="app.js"/);
    for (const f of ['app.js', 'figure.js', 'style.css']) assert.equal((await fetch(`${base}/ui/${f}`)).status, 200, f);
    assert.equal((await fetch(`${base}/ui/../package.json`)).status, 404);
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    assert.equal(root.headers.get('location'), '/ui/');
  });

  it('refuses a request without a token, or with one the hub does not accept', async () => {
    assert.equal((await view()).status, 401);
    assert.equal((await view('nobody')).status, 401);
  });

  it('shows an admin every zone and every provider, with no secret reference', async () => {
    const { status, body, text } = await view('admin-token');
    assert.equal(status, 200);
    assert.equal(body.zones.length, 40);
    assert.equal(body.viewer.all, true);
    assert.deepEqual(
      body.providers.map((p) => p.name),
      [
        'Fog1',
        'Fog2',
        'PrivateCloud1',
        'PrivateCloud2',
        'PublicCloud1',
        'PublicCloud2',
        'PublicCloud3',
        'PublicCloud4',
      ],
    );
    const fog1 = body.providers[0];
    assert.deepEqual(fog1.country, { code: '242', alpha2: 'NO', name: fog1.country.name });
    assert.equal(fog1.used.cores + fog1.free.cores, fog1.capacity.cores);
    assert.ok(fog1.used.cores > 0);
    assert.doesNotMatch(text, /kubeconfig|secret/i);
  });

  it('shows a tenant only the namespaces it may list', async () => {
    const { body } = await view('tenant-a-token');
    assert.equal(body.viewer.all, false);
    assert.deepEqual(body.viewer.namespaces, ['tenant-a']);
    assert.equal(body.zones.length, 20);
    assert.ok(body.zones.every((z) => z.namespace === 'tenant-a'));
  });

  it('a waiting zone carries the per-provider reasons', async () => {
    const { body } = await view('admin-token');
    const waiting = body.zones.filter((z) => z.state === 'waiting');
    assert.equal(waiting.length, 4);
    assert.equal(waiting[0].reasons.length, 8);
    assert.match(waiting[0].reasons[0].reason, /^insufficient capacity/);
  });

  it('signs in once: the session cookie is HttpOnly and the token is not needed again', async () => {
    const r = await fetch(`${base}/api/view/session`, {
      method: 'POST',
      headers: { Authorization: 'Bearer tenant-a-token' },
    });
    assert.equal(r.status, 200);
    const cookie = r.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const id = cookie.split(';')[0];
    const me = await fetch(`${base}/api/view`, { headers: { Cookie: id } });
    assert.equal(((await me.json()) as ViewSnapshot).zones.length, 20);
    // Revoked at the hub: the session ends once the cached review expires (not tested here), and a new sign-in fails at once.
    hub.revoke('tenant-a-token');
    assert.equal(
      (await fetch(`${base}/api/view/session`, { method: 'POST', headers: { Authorization: 'Bearer tenant-a-token' } }))
        .status,
      200,
      'the review is cached for CACHE_MS',
    );
    await fetch(`${base}/api/view/session`, { method: 'DELETE', headers: { Cookie: id } });
    assert.equal((await fetch(`${base}/api/view`, { headers: { Cookie: id } })).status, 401);
  });

  it('streams a snapshot, then a tenant sees its own zone change and go, never the other namespace', async () => {
    const mine = fed.zones.find((z) => z.metadata.namespace === 'tenant-a') as ExecutionZone;
    const theirs = fed.zones.find((z) => z.metadata.namespace === 'tenant-b') as ExecutionZone;
    const done = readEvents(`${base}/api/view/events`, { Authorization: 'Bearer tenant-a-token' }, (ev) =>
      ev.some((e) => e.event === 'change' && (e.data as { removed: string[] }).removed.length > 0),
    );
    await pollUntil(
      'the stream has a subscriber',
      () => (feed as unknown as { listeners: Set<unknown> }).listeners.size > 0 || undefined,
    );
    hub.put({ ...theirs, status: { ...theirs.status, vlanId: 4000 } });
    hub.put({ ...mine, status: { ...mine.status, vlanId: 3999 } });
    hub.remove(mine);
    const events = await done;
    assert.equal(events[0].event, 'snapshot');
    assert.equal((events[0].data as ViewSnapshot).zones.length, 20);
    const changes = events
      .slice(1)
      .map((e) => e.data as { zones: { key: string; namespace: string }[]; removed: string[] });
    assert.ok(
      changes.every((c) => c.zones.every((z) => z.namespace === 'tenant-a')),
      JSON.stringify(changes),
    );
    assert.ok(changes.some((c) => c.removed.includes(`tenant-a/${mine.metadata.name}`)));
  });

  it('reviews each namespace once per cache period, not once per zone', async () => {
    await view('tenant-a-token');
    await view('tenant-a-token');
    const sars = hub.reviews.filter((r) => r.kind === 'SubjectAccessReview');
    // The cluster-wide question, then one per namespace with zones.
    assert.equal(sars.length, 3);
  });
});

describe('zone view model', () => {
  const base = federation(10, ['ns']).zones;

  it('a zone released whole is released, one being deleted is deleting', () => {
    const z = structuredClone(base[0]);
    z.status?.conditions?.push({
      type: 'Released',
      status: 'True',
      reason: 'Released',
      message: 'released whole',
      lastTransitionTime: 'x',
    });
    assert.equal(zoneView(z).state, 'released');
    const d = structuredClone(base[0]);
    d.metadata.deletionTimestamp = '2026-12-01T00:00:00Z';
    assert.equal(zoneView(d).state, 'deleting');
  });

  it('a zone that no longer complies is degraded even while Ready, and lists its Compliant condition', () => {
    const z = structuredClone(base[0]);
    assert.equal(zoneView(z).state, 'ready');
    z.status?.conditions?.push({
      type: 'Compliant',
      status: 'False',
      reason: 'RuleViolated',
      message: 'group init-1 on Fog1 (C1): country 242 (NO) not allowed by countries rule #1 DENY_SPECIFIC NO',
      lastTransitionTime: 'x',
    });
    const v = zoneView(z);
    assert.equal(v.state, 'degraded');
    assert.deepEqual(
      v.conditions.filter((c) => c.type === 'Compliant').map((c) => `${c.status}/${c.reason}`),
      ['False/RuleViolated'],
    );
  });

  it('copies only the fields the page shows', () => {
    const z = structuredClone(base[0]);
    (z.status as Record<string, unknown>)['allocation'] = { secretish: true };
    const v = zoneView(z);
    assert.ok(!JSON.stringify(v).includes('secretish'));
    assert.equal(v.vlan, 1000);
    assert.equal(v.marking, '111000');
    assert.equal(v.instances.length, 1);
  });
});
