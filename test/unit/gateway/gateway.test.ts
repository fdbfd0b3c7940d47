import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import type { ExecutionZone, PrivacyRegion, ZoneRelease } from '../../../src/core/api/types.js';
import { type MessageContext, MessageHandler } from '../../../src/gateway/message-handler.js';
import type { Viewer } from '../../../src/gateway/viewer-auth.js';
import { gatewayServer } from '../../../src/gateway/server.js';
import { StoreConflict, type ZoneStore } from '../../../src/gateway/zone-store.js';

/** An in-memory hub with resourceVersion checks, and a way to lose races on purpose. */
class MemoryStore implements ZoneStore {
  zones = new Map<string, ExecutionZone>();
  releases: ZoneRelease[] = [];
  regions: PrivacyRegion[] = [];
  conflictsToInject = 0;
  private rv = 0;

  async getZone(ns: string, name: string) {
    const z = this.zones.get(`${ns}/${name}`);
    return z ? structuredClone(z) : undefined;
  }
  async putZone(zone: ExecutionZone) {
    const key = `${zone.metadata.namespace}/${zone.metadata.name}`;
    const cur = this.zones.get(key);
    if (this.conflictsToInject > 0) {
      this.conflictsToInject--;
      throw new StoreConflict('injected');
    }
    if ((cur?.metadata.resourceVersion ?? undefined) !== zone.metadata.resourceVersion)
      throw new StoreConflict('resourceVersion');
    const saved = structuredClone({ ...zone, metadata: { ...zone.metadata, resourceVersion: String(++this.rv) } });
    this.zones.set(key, saved);
    return saved;
  }
  async createRelease(r: ZoneRelease) {
    this.releases.push(r);
    return r;
  }
  async listRegions() {
    return this.regions;
  }
  /** Who the handler acted as, in order. */
  tenants: string[] = [];
  actingAs(tenant: Viewer): ZoneStore {
    this.tenants.push(tenant.user);
    return this;
  }
}

/** The context of a request to namespace `ns` without authentication, at a fixed time. */
const at = (store: ZoneStore, namespace: string, over: Partial<MessageContext> = {}): MessageContext => ({
  namespace,
  store,
  now: Date.parse('2026-12-07T12:00:00Z'),
  ...over,
});

const ID = '755b94a1-2847-4bb8-b530-cfca97404f51';
const init = (over: Record<string, unknown> = {}) => ({
  type: 'INIT',
  application_id: ID,
  privacy: { regions: [[2, 'EEA'], [1]], countries: [[0, 240]] },
  performance: 'latency',
  environment: 'container',
  platform_type: 'cloud+fog',
  resource_type: 'CPU',
  'instance-count': 2,
  'instance-details': { cores: 2, memory: 1024, storage: 8192, image: 'Ubuntu-22.04' },
  ...over,
});

describe('REST gateway (the paper messages over HTTP)', () => {
  it('creates an ExecutionZone from an INIT, named by the application id', async () => {
    const store = new MemoryStore();
    const r = await new MessageHandler(store).handle(init(), at(store, 'tenant-a'));
    assert.equal(r.status, 201);
    const z = store.zones.get(`tenant-a/${ID}`);
    assert.equal(z?.spec.applicationId, ID);
    assert.deepEqual(
      z?.spec.groups.map((g) => g.name),
      ['init-1'],
    );
    assert.deepEqual(z?.spec.privacy?.countries, [{ action: 'DenySpecific', value: 240 }]);
  });

  it('turns a second INIT into a scale-up group, retrying when it loses a write race', async () => {
    const store = new MemoryStore();
    const h = new MessageHandler(store);
    await h.handle(init(), at(store, 'ns'));
    store.conflictsToInject = 2;
    const r = await h.handle(init({ resource_type: 'GPU' }), at(store, 'ns'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { zone: ID, group: 'init-2', scaleUp: true });
    assert.deepEqual(
      store.zones.get(`ns/${ID}`)?.spec.groups.map((g) => g.resourceType),
      ['CPU', 'GPU'],
    );
  });

  it('turns a STOP into a ZoneRelease of the named instances', async () => {
    const store = new MemoryStore();
    const h = new MessageHandler(store);
    await h.handle(init(), at(store, 'ns'));
    const r = await h.handle({ type: 'STOP', application_id: ID, instances: { Fog2: ['C3'] } }, at(store, 'ns'));
    assert.equal(r.status, 202);
    assert.equal(store.releases.length, 1);
    assert.deepEqual(store.releases[0].spec, {
      zoneRef: { name: ID },
      instances: { Fog2: ['C3'] },
      trigger: { immediate: true },
    });
  });

  it('answers a STOP for an unknown zone with 404 and creates nothing', async () => {
    const store = new MemoryStore();
    const r = await new MessageHandler(store).handle({ type: 'STOP', application_id: ID }, at(store, 'ns'));
    assert.equal(r.status, 404);
    assert.equal(store.releases.length, 0);
  });

  it('rejects a malformed message with 422 and the field errors, writing nothing', async () => {
    const store = new MemoryStore();
    const r = await new MessageHandler(store).handle(
      init({ privacy: { countries: [[0, 999]] }, 'instance-count': 0 }),
      at(store, 'ns'),
    );
    assert.equal(r.status, 422);
    const body = r.body as { detail: string; errors: { path: string }[] };
    assert.deepEqual(
      body.errors.map((e) => e.path),
      ['privacy.countries[0][1]', 'instance-count'],
    );
    assert.match(body.detail, /privacy\.countries\[0\]\[1\]: MCC 999 is not an ITU-T E\.212 country code/);
    assert.equal(store.zones.size, 0);
  });

  it("knows the platform admin's PrivacyRegions", async () => {
    const store = new MemoryStore();
    store.regions = [
      {
        apiVersion: 'zonekeeper.io/v1alpha1',
        kind: 'PrivacyRegion',
        metadata: { name: 'Nordics' },
        spec: { countries: ['DK', 'NO', 'SE', 'FI', 'IS'] },
      },
    ];
    const r = await new MessageHandler(store).handle(
      init({ privacy: { regions: [[2, 'Nordics'], [1]] } }),
      at(store, 'ns'),
    );
    assert.equal(r.status, 201);
  });

  it('serves POST /v1/messages and GET /v1/zones/<id> over HTTP', async () => {
    const store = new MemoryStore();
    const server = gatewayServer(new MessageHandler(store), { defaultNamespace: 'ns' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const post = await fetch(`${base}/v1/messages`, { method: 'POST', body: JSON.stringify(init()) });
      assert.equal(post.status, 201);
      const z = store.zones.get(`ns/${ID}`) as ExecutionZone;
      z.status = {
        vlanId: 1000,
        networkId: 274468950876,
        network: 'fd3f:e79f:d35c:3e8::/64',
        marking: '111000',
        vpn: { Fog1: { from: 'HOME-SWITCH', to: 'Fog1-SWITCH' } },
        instances: {
          Fog1: { C1: { group: 'init-1', cores: 2, memory: 1024, storage: 8192, address: 'fd3f:e79f:d35c:3e8::1:1' } },
        },
      };
      const get = await fetch(`${base}/v1/zones/${ID}`);
      assert.equal(get.status, 200);
      const body = (await get.json()) as Record<
        string,
        { vlan_id: number; instances: Record<string, Record<string, unknown>> }
      >;
      assert.equal(body[ID].vlan_id, 1000);
      assert.deepEqual(body[ID].instances.Fog1.C1, {
        cores: 2,
        memory: 1024,
        storage: 8192,
        address: 'fd3f:e79f:d35c:3e8::1:1',
      });
      const bad = await fetch(`${base}/v1/messages`, { method: 'POST', body: '{not json' });
      assert.equal(bad.status, 400);
      assert.equal(bad.headers.get('content-type'), 'application/problem+json');
      assert.equal((await fetch(`${base}/v1/zones/not-a-uuid`)).status, 400);
      assert.equal((await fetch(`${base}/v1/messages`)).status, 405);
    } finally {
      server.close();
    }
  });

  it('answers /healthz always and /readyz only while the hub answers (probes of the chart)', async () => {
    let hubDown: string | undefined = 'hub 10.0.0.1:443: connect ECONNREFUSED';
    const server = gatewayServer(new MessageHandler(new MemoryStore()), {
      defaultNamespace: 'ns',
      ready: async () => hubDown,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const notReady = await fetch(`${base}/readyz`);
      assert.equal(notReady.status, 503);
      assert.equal(notReady.headers.get('content-type'), 'application/problem+json');
      assert.match(((await notReady.json()) as { detail: string }).detail, /ECONNREFUSED/);
      hubDown = undefined;
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
    } finally {
      server.close();
    }
  });

  it('answers a retried INIT with the group it made, and adds nothing (Idempotency-Key or the same message)', async () => {
    const store = new MemoryStore();
    const h = new MessageHandler(store);
    const first = await h.handle(init(), at(store, 'ns', { requestKey: 'sha256:aa' }));
    assert.equal(first.status, 201);
    const retry = await h.handle(init(), at(store, 'ns', { requestKey: 'sha256:aa' }));
    assert.deepEqual(retry, { status: 200, body: { zone: ID, group: 'init-1', scaleUp: false, replayed: true } });
    const scale = await h.handle(init(), at(store, 'ns', { requestKey: 'key:second-group' }));
    assert.deepEqual(scale.body, { zone: ID, group: 'init-2', scaleUp: true });
    const scaleRetry = await h.handle(init(), at(store, 'ns', { requestKey: 'key:second-group' }));
    assert.deepEqual(scaleRetry.body, { zone: ID, group: 'init-2', scaleUp: false, replayed: true });
    assert.deepEqual(
      store.zones.get(`ns/${ID}`)?.spec.groups.map((g) => g.name),
      ['init-1', 'init-2'],
    );
    // The same message after the window is a new request: a deliberate second identical scale-up.
    const later = at(store, 'ns', { requestKey: 'sha256:aa', now: at(store, 'ns').now + 11 * 60_000 });
    assert.deepEqual((await h.handle(init(), later)).body, { zone: ID, group: 'init-3', scaleUp: true });
  });
});
