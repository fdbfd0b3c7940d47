// The informer's namespace index follows the cache: a LIST fills it, watch
// events add to it and take from it.

import { strict as assert } from 'node:assert';
import { createServer, type ServerResponse, type Server } from 'node:http';
import { Informer } from '../../../src/runtime/informer.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/kube-client.js';
import { listenWithClient } from '../../support/local-kube-client.js';
import { silentLogger } from '../../../src/runtime/logger.js';

const pod = (namespace: string, name: string, rv: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace, name, resourceVersion: rv },
});

describe('Informer namespace index', () => {
  let server: Server;
  let client: KubeClient;
  let watch: ServerResponse | undefined;
  let watching!: Promise<void>;
  let watchOpened!: () => void;

  before(async () => {
    watching = new Promise((r) => (watchOpened = r));
    server = createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url?.includes('watch=true')) {
        watch = res;
        res.writeHead(200);
        watchOpened();
        return;
      }
      res.end(
        JSON.stringify({
          metadata: { resourceVersion: '3' },
          items: [pod('a', 'p1', '1'), pod('a', 'p2', '2'), pod('b', 'p3', '3')],
        }),
      );
    });
    client = await listenWithClient(server);
  });
  after(() => {
    client?.close();
    server.closeAllConnections();
    server.close();
  });

  it('lists one namespace, and follows adds and deletes', async () => {
    const inf = new Informer<KubeObject>({ client, path: '/api/v1/pods', logger: silentLogger });
    const seen: string[] = [];
    inf.on({
      add: (o) => seen.push(`add ${o.metadata?.name}`),
      delete: (o) => seen.push(`delete ${o.metadata?.name}`),
    });
    inf.start();
    await inf.waitForSync();
    const names = (ns: string) =>
      inf
        .listNamespace(ns)
        .map((o) => o.metadata?.name)
        .sort();
    assert.deepEqual(names('a'), ['p1', 'p2']);
    assert.deepEqual(names('b'), ['p3']);
    assert.deepEqual(names('c'), []);
    await watching;
    watch?.write(JSON.stringify({ type: 'DELETED', object: pod('a', 'p1', '4') }) + '\n');
    watch?.write(JSON.stringify({ type: 'ADDED', object: pod('c', 'p4', '5') }) + '\n');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(names('a'), ['p2']);
    assert.deepEqual(names('c'), ['p4']);
    assert.equal(inf.list().length, 3);
    assert.ok(seen.includes('delete p1') && seen.includes('add p4'));
    inf.stop();
  });
});
