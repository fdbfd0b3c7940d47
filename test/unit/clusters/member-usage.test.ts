// Reading a zone's usage from one member: the pods (restart counts) and
// their PodMetrics, matched by the instance label, containers summed; a
// metrics API that is missing still leaves the restart counts.

import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import { readZoneUsage } from '../../../src/clusters/member-usage.js';
import type { KubeClient } from '../../../src/runtime/kube-client.js';
import { listenWithClient } from '../../support/local-kube-client.js';

const ID = '755b94a1-2847-4bb8-b530-cfca97404f51';
const NS = `zk-${ID}`;
const pod = (name: string, instance: string | undefined, restarts: number[]) => ({
  metadata: { name, namespace: NS, labels: instance ? { 'zonekeeper.io/instance': instance } : {} },
  status: { containerStatuses: restarts.map((restartCount, i) => ({ name: `c${i}`, restartCount })) },
});

describe('member usage: a zone’s pods and PodMetrics from one member', () => {
  let server: Server;
  let client: KubeClient;
  let metrics: { code: number; body: unknown };
  const asked: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === `/api/v1/namespaces/${NS}/pods`)
        return send(200, {
          items: [
            pod('c1', 'C1', [2, 1]),
            // A VM's virt-launcher pod carries the VM template's labels, the instance's among them.
            pod('virt-launcher-v2-x7k2p', 'V2', [0]),
            pod('stray', undefined, [9]),
          ],
        });
      if (url.pathname === `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`)
        return send(metrics.code, metrics.body);
      send(404, { kind: 'Status', message: 'not found' });
    });
    client = await listenWithClient(server);
  });
  after(() => {
    client.close();
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => (asked.length = 0));

  it('sums containers per instance, by the pods’ instance label, and asks with the zone’s label selector', async () => {
    metrics = {
      code: 200,
      body: {
        items: [
          {
            metadata: { name: 'c1' },
            containers: [
              { name: 'a', usage: { cpu: '150m', memory: '100Mi' } },
              { name: 'b', usage: { cpu: '250000000n', memory: '28Mi' } },
            ],
          },
          {
            metadata: { name: 'virt-launcher-v2-x7k2p' },
            containers: [{ name: 'compute', usage: { cpu: '1', memory: '1Gi' } }],
          },
          { metadata: { name: 'stray' }, containers: [{ name: 'x', usage: { cpu: '5', memory: '1Gi' } }] },
        ],
      },
    };
    const got = await readZoneUsage(client, ID.toUpperCase());
    assert.equal(got.metricsError, undefined);
    assert.deepEqual([...got.instances.keys()].sort(), ['C1', 'V2']);
    const c1 = got.instances.get('C1');
    assert.ok(c1);
    assert.ok(Math.abs((c1.cpu ?? 0) - 0.4) < 1e-9, String(c1.cpu));
    assert.equal(c1.memory, 128 * 2 ** 20);
    assert.equal(c1.restarts, 3);
    assert.deepEqual(got.instances.get('V2'), { restarts: 0, cpu: 1, memory: 2 ** 30 });
    const paths = asked
      .map((u) => new URL(u, 'http://x'))
      .map((u) => [u.pathname, u.searchParams.get('labelSelector')]);
    assert.deepEqual(paths.sort(), [
      [`/api/v1/namespaces/${NS}/pods`, `zonekeeper.io/application-id=${ID}`],
      [`/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`, `zonekeeper.io/application-id=${ID}`],
    ]);
  });

  it('keeps the restart counts and says why when the metrics API does not answer', async () => {
    metrics = { code: 503, body: { kind: 'Status', message: 'the server is currently unable to handle the request' } };
    const got = await readZoneUsage(client, ID);
    assert.match(got.metricsError ?? '', /503 the server is currently unable/);
    assert.deepEqual(got.instances.get('C1'), { restarts: 3 });
  });

  it('refuses a PodMetrics quantity it cannot read, naming the pod and container', async () => {
    metrics = {
      code: 200,
      body: {
        items: [{ metadata: { name: 'c1' }, containers: [{ name: 'a', usage: { cpu: 'fast', memory: '1Mi' } }] }],
      },
    };
    await assert.rejects(
      readZoneUsage(client, ID),
      new RegExp(`PodMetrics ${NS}/c1 container a cpu: "fast" is not a quantity`),
    );
  });
});
