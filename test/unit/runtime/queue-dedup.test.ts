// The work queue's de-duplication end to end: an informer on a fake API
// server feeds a controller through its For() watch; a burst of changes of
// one object while it is being reconciled brings exactly one more pass,
// and that pass sees the newest copy.

import assert from 'node:assert/strict';
import { Controller } from '../../../src/runtime/controller.js';
import { Informer } from '../../../src/runtime/informer.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/kube-client.js';
import { silentLogger } from '../../../src/runtime/logger.js';
import { Watches } from '../../../src/runtime/watches.js';
import { FakeApiServer, object } from './fake-api-server.js';

describe('work queue de-duplication against a fake API server', () => {
  let api: FakeApiServer;
  let client: KubeClient;
  const stops: (() => unknown)[] = [];
  beforeEach(async () => {
    api = new FakeApiServer();
    client = await api.start();
  });
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
    client.close();
    api.close();
  });

  it('folds a burst of 50 changes during a reconcile into one more pass, which sees the last one', async () => {
    api.list = { resourceVersion: '1', items: [object('a', '1'), object('b', '1')] };
    const informer = new Informer<KubeObject>({
      client,
      path: '/api/v1/namespaces/ns/configmaps',
      logger: silentLogger,
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const passes: string[] = [];
    const controller = new Controller({
      name: 'dedup',
      concurrency: 2,
      logger: silentLogger,
      reconcile: async (key) => {
        passes.push(`${key}@${informer.get(key)?.metadata?.resourceVersion}`);
        if (key === 'ns/a' && passes.filter((p) => p.startsWith('ns/a')).length === 1) await gate;
        return {};
      },
    });
    new Watches(controller.queue).for(informer);
    stops.push(
      () => controller.stop(),
      () => informer.stop(),
    );
    informer.start();
    await informer.waitForSync();
    controller.start();
    await api.until(() => passes.length === 2 && api.watchRequests.length === 1, 'the first passes and the watch');
    for (let rv = 2; rv <= 51; rv++) api.send('MODIFIED', object('a', String(rv), { n: String(rv) }));
    await api.until(() => informer.get('ns/a')?.metadata?.resourceVersion === '51', 'the burst in the cache');
    assert.equal(controller.queue.len(), 0, 'a key being reconciled is not queued again, only marked');
    release();
    await api.until(() => passes.filter((p) => p.startsWith('ns/a')).length === 2, 'the second pass');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      passes.filter((p) => p.startsWith('ns/a')),
      ['ns/a@1', 'ns/a@51'],
    );
    assert.deepEqual(
      passes.filter((p) => p.startsWith('ns/b')),
      ['ns/b@1'],
      'the other key was never held up or repeated',
    );
  });
});
