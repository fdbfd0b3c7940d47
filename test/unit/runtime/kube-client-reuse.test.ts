// A kept-alive socket that the server closes just as the next request goes
// out (an API server closing idle connections does this) must not fail the
// request: it is sent again once on a fresh socket. A failure on a fresh
// socket is reported, not retried.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { KubeClient } from '../../../src/runtime/kube-client.js';
import { listenWithClient } from '../../support/local-kube-client.js';

describe('KubeClient on a reused socket', () => {
  let server: Server;
  let client: KubeClient;
  let served = 0;
  /** Requests seen per socket; the second one on any socket is cut off without an answer. */
  const perSocket = new Map<Socket, number>();

  before(async () => {
    server = createServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n === 2) {
        req.socket.destroy();
        return;
      }
      served++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ n: served }));
    });
    client = await listenWithClient(server);
  });
  after(() => {
    client.close();
    server.closeAllConnections();
    server.close();
  });

  it('sends a request again on a fresh socket when its reused socket is reset before any answer', async () => {
    assert.deepEqual(await client.get('/api/v1/namespaces/a'), { n: 1 });
    // Same socket (kept alive), which the server now cuts: the client retries on a new one.
    assert.deepEqual(await client.get('/api/v1/namespaces/b'), { n: 2 });
    assert.equal(served, 2);
  });

  it('reports a reset on a socket that was not reused', async () => {
    const once = createServer((req) => req.socket.destroy());
    const c = await listenWithClient(once);
    await assert.rejects(c.get('/api/v1/namespaces/x'), /socket hang up|ECONNRESET/);
    c.close();
    once.close();
  });
});
