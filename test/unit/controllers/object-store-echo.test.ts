// The zone informer skips the echo of the operator's own writes; a change
// by anyone else, or an echo that is not ours, must still come through.

import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import { ObjectStore, type StoredObject } from '../../../src/controllers/object-store.js';
import { EXECUTION_ZONES } from '../../../src/core/api/resources.js';
import type { Informer } from '../../../src/runtime/informer.js';
import type { KubeClient } from '../../../src/runtime/kube-client.js';
import { listenWithClient } from '../../support/local-kube-client.js';

describe('ObjectStore echo detection', () => {
  let server: Server;
  let client: KubeClient;
  let rv = 10;
  let hold: Promise<void> = Promise.resolve();

  before(async () => {
    // A hub that answers every PATCH with the next resourceVersion.
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        void hold.then(() => {
          rv++;
          res.setHeader('Content-Type', 'application/json');
          res.end(
            JSON.stringify({
              metadata: { name: 'z', namespace: 'ns', resourceVersion: String(rv) },
              status: { x: rv },
            }),
          );
        });
      });
    });
    client = await listenWithClient(server);
  });
  after(() => {
    client?.close();
    server.closeAllConnections();
    server.close();
  });

  const at = (v: string): StoredObject => ({ metadata: { name: 'z', namespace: 'ns', resourceVersion: v } });
  const informer = { get: () => undefined, list: () => [] } as unknown as Informer<StoredObject>;

  it("knows each of its own writes once, and nobody else's", async () => {
    const store = new ObjectStore<StoredObject>(client, EXECUTION_ZONES, informer);
    const a = await store.writeStatus(at('10'), { x: 1 });
    const b = await store.setFinalizers(a, ['f']);
    assert.equal(store.isEcho(at('999')), false, 'a version this process did not write');
    assert.equal(store.isEcho(at(b.metadata.resourceVersion as string)), true);
    assert.equal(
      store.isEcho(at(a.metadata.resourceVersion as string)),
      true,
      'an earlier write of ours, delivered late',
    );
    assert.equal(store.isEcho(at(a.metadata.resourceVersion as string)), false, 'only once');
  });

  it('skips no write when its status diff is empty, and forgets on forget()', async () => {
    const store = new ObjectStore<StoredObject>(client, EXECUTION_ZONES, informer);
    const same = { metadata: { name: 'z', namespace: 'ns', resourceVersion: '5' }, status: { x: 1 } };
    assert.equal(await store.writeStatus(same, { x: 1 }), same, 'nothing to write, nothing sent');
    assert.equal(store.isEcho(same), false);
    const w = await store.writeStatus(same, { x: 2 });
    store.forget('ns/z');
    assert.equal(store.isEcho(at(w.metadata.resourceVersion as string)), false);
  });

  it("holds an update that beats its write's response, and passes it on only if it was not that write", async () => {
    const store = new ObjectStore<StoredObject>(client, EXECUTION_ZONES, informer);
    const missed: string[] = [];
    store.onMissed = (k) => missed.push(k);
    let open!: () => void;
    hold = new Promise((r) => (open = r));
    const w1 = store.writeStatus(at('1'), { x: 'a' });
    await new Promise((r) => setTimeout(r, 20));
    const next = String(rv + 1);
    assert.equal(store.isEcho(at(next)), true, 'held while the write is in flight');
    open();
    await w1;
    assert.deepEqual(missed, [], 'it was our own write');
    hold = new Promise((r) => (open = r));
    const w2 = store.writeStatus(at('2'), { x: 'b' });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(store.isEcho(at('someone-else')), true, 'held as well');
    open();
    await w2;
    assert.deepEqual(missed, ['ns/z'], 'not ours: handed on once the write returned');
    hold = Promise.resolve();
  });
});
