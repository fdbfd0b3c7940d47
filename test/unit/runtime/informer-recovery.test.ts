// The informer against a fake API server on loopback: a watch that ends
// with 410 Gone relists and tells its handlers about the objects deleted
// meanwhile; a watch that falls silent is restarted by the watchdog from
// the last resourceVersion seen.

import assert from 'node:assert/strict';
import { Informer, type WatchHealthEvent } from '../../../src/runtime/informer.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/kube-client.js';
import { silentLogger } from '../../../src/runtime/logger.js';
import { FakeApiServer, object } from './fake-api-server.js';
import { FakeClock } from './fake-clock.js';

const PATH = '/api/v1/namespaces/ns/configmaps';

describe('Informer recovery against a fake API server', () => {
  let api: FakeApiServer;
  let client: KubeClient;
  let informer: Informer<KubeObject> | undefined;
  beforeEach(async () => {
    api = new FakeApiServer();
    client = await api.start();
  });
  afterEach(() => {
    informer?.stop();
    client.close();
    api.close();
  });

  /** An informer that records what its handlers were told, and its health events. */
  function start(clock?: FakeClock, stallMs?: number) {
    const seen: string[] = [];
    const health: WatchHealthEvent[] = [];
    informer = new Informer<KubeObject>({
      client,
      path: PATH,
      logger: silentLogger,
      onHealth: (e) => health.push(e),
      ...(clock ? { clock } : {}),
      ...(stallMs ? { stallMs } : {}),
    });
    informer.on({
      add: (o) => seen.push(`add ${o.metadata?.name}`),
      update: (o) => seen.push(`update ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
      delete: (o) => seen.push(`delete ${o.metadata?.name}`),
    });
    informer.start();
    return { seen, health, informer };
  }

  for (const how of ['an ERROR event with code 410', 'an HTTP 410 answer to the watch'] as const) {
    it(`relists after ${how}, sending deletes for what vanished and updates for what changed`, async () => {
      api.list = { resourceVersion: '3', items: [object('a', '1'), object('b', '2'), object('c', '3')] };
      const { seen, health, informer: inf } = start();
      await inf.waitForSync();
      await api.until(() => api.watchRequests.length === 1, 'the first watch');
      assert.equal(
        api.watchRequests[0]?.searchParams.get('resourceVersion'),
        '3',
        "watches from the list's resourceVersion",
      );
      assert.deepEqual(seen, ['add a', 'add b', 'add c']);

      // Meanwhile b was deleted, c changed and d was added; the history is compacted.
      api.list = { resourceVersion: '9', items: [object('a', '1'), object('c', '7'), object('d', '8')] };
      if (how === 'an ERROR event with code 410')
        api.send('ERROR', { kind: 'Status', code: 410, message: 'too old resource version: 3 (5)' });
      else {
        api.watchStatus = 410;
        api.send('BOOKMARK', { kind: 'ConfigMap', metadata: { resourceVersion: '4' } });
        // End the stream: the informer reconnects from rv 4 and is answered 410.
        (api as unknown as { open: { end(): void }[] }).open.at(-1)?.end();
      }
      await api.until(
        () =>
          api.lists.length === 2 &&
          api.watchRequests.length >= 2 &&
          api.watchRequests.at(-1)?.searchParams.get('resourceVersion') === '9',
        'the relist and a watch from its resourceVersion',
      );
      assert.deepEqual(seen.slice(3).sort(), ['add d', 'delete b', 'update c@7']);
      assert.deepEqual(
        inf
          .list()
          .map((o) => o.metadata?.name)
          .sort(),
        ['a', 'c', 'd'],
      );
      assert.ok(health.includes('gone'), `health: ${health.join(', ')}`);
    });
  }

  it('restarts a watch that stays silent past stallMs from the last resourceVersion, but not one that bookmarks', async () => {
    const clock = new FakeClock();
    api.list = { resourceVersion: '5', items: [object('a', '5')] };
    const { seen, health, informer: inf } = start(clock, 9000);
    await inf.waitForSync();
    await api.until(() => api.watchRequests.length === 1, 'the first watch');
    api.send('MODIFIED', object('a', '6'));
    await api.until(() => seen.includes('update a@6'), 'the event');

    // Bookmarks every 6 s keep it alive through 18 s.
    for (let t = 0; t < 3; t++) {
      clock.advance(6000);
      api.send('BOOKMARK', { kind: 'ConfigMap', metadata: { resourceVersion: String(10 + t) } });
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.equal(api.watchRequests.length, 1, 'a watch that speaks is left alone');
    assert.ok(!health.includes('stall'));

    // Then silence: restarted once the watchdog sees more than 9 s without a word.
    clock.advance(12_000);
    await api.until(() => api.watchRequests.length === 2, 'the restarted watch');
    assert.ok(health.includes('stall'));
    assert.equal(
      api.watchRequests[1]?.searchParams.get('resourceVersion'),
      '12',
      'from the last bookmark, with no relist',
    );
    assert.equal(api.lists.length, 1);
    api.send('MODIFIED', object('a', '13'));
    await api.until(() => seen.includes('update a@13'), 'events on the new watch');
  });
});
