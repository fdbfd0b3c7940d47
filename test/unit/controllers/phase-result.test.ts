import assert from 'node:assert/strict';
import {
  done,
  failed,
  foldResults,
  lowerResult,
  requeueAfter,
  retry,
  runPhase,
  toReconcileResult,
} from '../../../src/controllers/phase-result.js';

describe('controllers/phase-result', () => {
  it('folds nothing, or only done, to done', () => {
    assert.deepEqual(foldResults([]), done);
    assert.deepEqual(foldResults([done, done]), done);
    assert.deepEqual(toReconcileResult(foldResults([done])), {});
  });

  it('keeps the shortest non-zero requeue, whatever the order', () => {
    const rs = [requeueAfter(10_000), done, requeueAfter(250), requeueAfter(1000)];
    assert.equal((foldResults(rs) as { ms: number }).ms, 250);
    assert.equal((foldResults([...rs].reverse()) as { ms: number }).ms, 250);
    assert.deepEqual(toReconcileResult(foldResults(rs)), { requeueAfterMs: 250 });
  });

  it('treats a zero or negative requeue as done', () => {
    assert.deepEqual(requeueAfter(0), done);
    assert.deepEqual(requeueAfter(-5), done);
    assert.equal((foldResults([requeueAfter(0), requeueAfter(500)]) as { ms: number }).ms, 500);
  });

  it('lets a backoff retry win over requeues, and an error over both', () => {
    assert.equal(foldResults([requeueAfter(5), retry(), requeueAfter(1)]).kind, 'retry');
    assert.deepEqual(toReconcileResult(retry()), { requeue: true });
    const boom = new Error('commit failed');
    const r = foldResults([requeueAfter(5), failed(boom), retry(), failed(new Error('later'))]);
    assert.equal(r.kind, 'error');
    assert.throws(() => toReconcileResult(r), /commit failed/, 'the first error is the one thrown');
  });

  it('is order-independent for two results of different kinds', () => {
    const all = [done, requeueAfter(3), requeueAfter(7), retry(), failed('x')];
    for (const a of all) for (const b of all) assert.deepEqual(lowerResult(a, b).kind, lowerResult(b, a).kind);
  });

  it('turns a throwing phase into an error result', async () => {
    const r = await runPhase(() => {
      throw new Error('finalizer write failed');
    });
    assert.equal(r.kind, 'error');
    assert.deepEqual(await runPhase(async () => requeueAfter(9)), requeueAfter(9));
  });
});
