// The REST gateway against the test bed's hub with the shipped CRDs: what
// the gateway writes for the paper's messages must pass the real API
// server's schema and CEL rules, and read back as it was sent.

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ExecutionZone, ZoneRelease } from '../../../src/core/api/types.js';
import { MessageHandler } from '../../../src/gateway/message-handler.js';
import { gatewayServer } from '../../../src/gateway/server.js';
import { KubeZoneStore } from '../../../src/gateway/zone-store.js';
import { KubeClient } from '../../../src/runtime/kube-client.js';
import { findCluster } from '../../../tools/testbed/state.js';
import { readFileSync } from 'node:fs';
import { HubApi } from '../admission/hub-api.js';
import { installCrds } from '../admission/install-crds.js';
import { useNamespaces } from '../support/clients.js';
import { testbed } from '../support/global-fixture.js';

const messages = JSON.parse(readFileSync('examples/paper/messages.json', 'utf8')) as Record<string, unknown>[];

describe('REST gateway on the hub', function () {
  this.timeout(120_000);
  const namespaces = useNamespaces('hub');
  const nsName = () => namespaces()[0].name;
  let client: KubeClient;
  let server: Server;
  let base = '';

  before(async () => {
    await installCrds(await HubApi.connect());
    client = await KubeClient.fromKubeconfigText(readFileSync(findCluster(testbed(), 'hub').kubeconfig, 'utf8'));
  });

  beforeEach(async () => {
    server = gatewayServer(new MessageHandler(new KubeZoneStore(client)), { defaultNamespace: nsName() });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => server.close());
  after(() => client?.close());

  const post = async (body: unknown) => {
    const r = await fetch(`${base}/v1/messages`, { method: 'POST', body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('stores every INIT of Table II as an ExecutionZone the CRD accepts, scale-ups as new groups', async () => {
    for (const m of messages.filter((x) => x.type === 'INIT')) {
      const r = await post(m);
      assert.ok(r.status === 201 || r.status === 200, `${r.status} ${JSON.stringify(r.body)}`);
    }
    const list = await client.list<ExecutionZone>(`/apis/zonekeeper.io/v1alpha1/namespaces/${nsName()}/executionzones`);
    assert.equal(list.items.length, 6);
    const byId = new Map(list.items.map((z) => [z.spec.applicationId.slice(0, 5), z]));
    assert.deepEqual(
      byId.get('5050f')?.spec.groups.map((g) => [g.name, g.environment, g.resourceType]),
      [
        ['init-1', 'container', 'CPU'],
        ['init-2', 'VM', 'FPGA'],
      ],
    );
    assert.deepEqual(byId.get('5050f')?.spec.groups[1].privacy?.equipment, [{ action: 'DenySpecific', value: 9 }]);
    assert.deepEqual(byId.get('755b9')?.spec.privacy?.countries, [{ action: 'DenySpecific', value: 240 }]);
    assert.equal(byId.get('755b9')?.spec.performance, 'latency');
  });

  it('stores the STOPs of Table III as ZoneReleases', async () => {
    for (const m of messages) await post(m);
    const list = await client.list<ZoneRelease>(`/apis/zonekeeper.io/v1alpha1/namespaces/${nsName()}/zonereleases`);
    const specs = list.items.map((r) => r.spec).sort((a, b) => a.zoneRef.name.localeCompare(b.zoneRef.name));
    assert.deepEqual(
      specs.map((s) => [s.zoneRef.name.slice(0, 5), s.instances]),
      [
        ['9ed1d', { PrivateCloud2: ['V2'] }],
        ['ded95', undefined],
      ],
    );
  });

  it('answers a bad message with 422 naming the field, and a STOP for no zone with 404', async () => {
    const bad = await post({ ...messages[0], 'instance-count': -1 });
    assert.equal(bad.status, 422);
    assert.match(String(bad.body.detail), /^instance-count: must be a positive integer/);
    const stop = await post({ type: 'STOP', application_id: '00000000-0000-4000-8000-000000000000' });
    assert.equal(stop.status, 404);
  });
});
