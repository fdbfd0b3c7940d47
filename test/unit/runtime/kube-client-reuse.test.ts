// A kept-alive socket that the server closes just as the next request goes
// out (an API server closing idle connections does this) must not fail the
// request: it is sent again once on a fresh socket. A failure on a fresh
// socket is reported, not retried.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeClient } from '../../../src/runtime/kube-client.js';

function kubeconfig(port: number): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: {} }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
  });
}

describe('KubeClient on a reused socket', () => {
  let server: Server;
  let served = 0;
  /** Requests seen per socket; the second one on any socket is cut off without an answer. */
  const perSocket = new Map<Socket, number>();
  let cutSecond = true;

  before(async () => {
    server = createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n === 2 && cutSecond) { req.socket.destroy(); return; }
      served++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ n: served }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(() => { server.closeAllConnections(); server.close(); });

  it('sends a request again on a fresh socket when its reused socket is reset before any answer', async () => {
    const c = await KubeClient.fromKubeconfigText(kubeconfig((server.address() as AddressInfo).port));
    assert.deepEqual(await c.get('/api/v1/namespaces/a'), { n: 1 });
    // Same socket (kept alive), which the server now cuts: the client retries on a new one.
    assert.deepEqual(await c.get('/api/v1/namespaces/b'), { n: 2 });
    assert.equal(served, 2);
    c.close();
  });

  it('reports a reset on a socket that was not reused', async () => {
    cutSecond = false;
    const once = createServer((req) => req.socket.destroy());
    await new Promise<void>((r) => once.listen(0, '127.0.0.1', r));
    const c = await KubeClient.fromKubeconfigText(kubeconfig((once.address() as AddressInfo).port));
    await assert.rejects(c.get('/api/v1/namespaces/x'), /socket hang up|ECONNRESET/);
    c.close();
    once.close();
  });
});
