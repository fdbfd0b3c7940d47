// rest_client_requests_total counts what the operator asked of each API
// server, by method and answer: the restart benchmark reads it to prove a
// restart writes nothing, and an admin reads it to see a member refusing.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { KubeClient } from '../../../src/runtime/kube-client.js';
import { OperatorMetrics } from '../../../src/runtime/metrics.js';
import { metricValue } from '../../../tools/harness/operator-process.js';
import { listenWithClient } from '../../support/local-kube-client.js';

describe('rest_client_requests_total', () => {
  let server: Server;
  let client: KubeClient;

  before(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/cut')) {
        req.socket.destroy();
        return;
      }
      res.writeHead(req.method === 'POST' ? 201 : 404, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    client = await listenWithClient(server);
  });
  after(() => {
    client.close();
    server.closeAllConnections();
    server.close();
  });

  it('counts each request by host, method and code, and a request with no answer as <error>', async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    metrics.observeClient(client);
    await client.create('/api/v1/namespaces', {});
    await client.create('/api/v1/namespaces', {});
    await assert.rejects(client.get('/api/v1/namespaces/x'), /404/);
    await assert.rejects(client.get('/cut'), /socket hang up|ECONNRESET/);
    const text = await metrics.registry.metrics();
    const host = client.server.host;
    assert.equal(metricValue(text, 'rest_client_requests_total', { host, method: 'POST', code: '201' }), 2);
    assert.equal(metricValue(text, 'rest_client_requests_total', { host, method: 'GET', code: '404' }), 1);
    assert.equal(metricValue(text, 'rest_client_requests_total', { host, method: 'GET', code: '<error>' }), 1);
  });
});
