import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/runtime/work-queue.js';
import {
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
  defaultControllerRateLimiter,
} from '../../../src/runtime/rate-limiter.js';
import { Controller } from '../../../src/runtime/controller.js';
import { silentLogger } from '../../../src/runtime/logger.js';
import { FakeClock } from './fake-clock.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('runtime/work-queue', () => {
  it('holds a key once however often it is added', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.len(), 0);
  });

  it('never hands a key being processed to a second worker, and requeues it once after done', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    const k = await q.get();
    assert.equal(k, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'a dirty key in processing is not queued');
    let second: string | undefined;
    void q.get().then((x) => (second = x));
    await tick();
    assert.equal(second, undefined, 'no worker gets "a" while it is processed');
    q.done('a');
    await tick();
    assert.equal(second, 'a', 'handed out once, after done');
    assert.equal(q.len(), 0);
  });

  it('keeps only the earliest deadline of delayed adds', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 100);
    q.addAfter('a', 5000);
    clock.advance(99);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    clock.advance(10_000);
    assert.equal(q.len(), 1, 'the later deadlines were dropped');
  });

  it('addNow queues at once, ahead of others when asked, and drops the pending delayed add', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.add('b');
    q.addAfter('a', 200);
    q.addNow('a', true);
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a', 'ahead of b');
    q.done('a');
    clock.advance(1000);
    assert.equal(q.len(), 1, 'the delayed add of a did not fire: only b is queued');
    assert.equal(await q.get(), 'b');
  });

  it('backs a failing key off exponentially from 5 ms to 1000 s and starts over on forget', () => {
    const r = new ItemExponentialRateLimiter(5, 1_000_000);
    const delays = Array.from({ length: 20 }, () => r.when('k'));
    assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
    assert.equal(delays[19], 1_000_000);
    assert.equal(r.retries('k'), 20);
    assert.equal(r.when('other'), 5, 'per key');
    r.forget('k');
    assert.equal(r.when('k'), 5);
  });

  it('limits retries overall with a token bucket (10 qps, burst 100)', () => {
    const clock = new FakeClock();
    const b = new TokenBucketRateLimiter(10, 100, clock);
    for (let i = 0; i < 100; i++) assert.equal(b.when(), 0);
    assert.equal(Math.round(b.when()), 100);
    assert.equal(Math.round(b.when()), 200);
    clock.advance(10_000);
    assert.equal(b.when(), 0, 'refilled');
    const max = new MaxOfRateLimiter([new ItemExponentialRateLimiter(5, 1000), b]);
    assert.equal(max.when('x'), 5);
  });

  it('addRateLimited waits the backoff and counts retries', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, rateLimiter: defaultControllerRateLimiter({ clock }) });
    q.addRateLimited('a');
    q.addRateLimited('a');
    assert.equal(q.numRequeues('a'), 2);
    clock.advance(4);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1, 'the earliest (5 ms) deadline fired');
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
  });

  it('puts follow-up work ahead of new keys when asked', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('new1');
    q.add('new2');
    q.add('started', true);
    q.add('new2', true);
    assert.equal(await q.get(), 'new2');
    assert.equal(await q.get(), 'started');
    assert.equal(await q.get(), 'new1');
  });

  it('returns undefined to waiting workers on shutdown and ignores adds after it', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const w = q.get();
    q.shutDown();
    assert.equal(await w, undefined);
    q.add('a');
    assert.equal(q.len(), 0);
  });
});

describe('runtime/controller', () => {
  it('reconciles with N workers in parallel but one key never twice at once', async () => {
    const inFlight = new Set<string>();
    let peak = 0;
    let overlap = false;
    const done: string[] = [];
    const c = new Controller({
      name: 't',
      concurrency: 4,
      logger: silentLogger,
      reconcile: async (key) => {
        if (inFlight.has(key)) overlap = true;
        inFlight.add(key);
        peak = Math.max(peak, inFlight.size);
        await new Promise((r) => setTimeout(r, 5));
        inFlight.delete(key);
        done.push(key);
      },
    });
    c.start();
    for (let round = 0; round < 5; round++) for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) c.enqueue(k);
    for (let i = 0; i < 100 && (c.queue.len() > 0 || inFlight.size > 0); i++)
      await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30));
    await c.stop();
    assert.equal(overlap, false, 'a key was reconciled twice at once');
    assert.equal(peak, 4, 'all four workers were used');
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) assert.ok(done.includes(k));
    assert.ok(done.length <= 12, `dedup: ${done.length} reconciles for 30 adds of 6 keys`);
  });

  it('retries a failing key with backoff and forgets it on success', async () => {
    let calls = 0;
    const c = new Controller({
      name: 't2',
      logger: silentLogger,
      reconcile: async () => {
        calls++;
        if (calls < 3) throw new Error('boom');
      },
    });
    c.start();
    c.enqueue('k');
    for (let i = 0; i < 100 && calls < 3; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(calls, 3);
    assert.equal(c.queue.numRequeues('k'), 0, 'forgotten after success');
    await c.stop();
  });
});
