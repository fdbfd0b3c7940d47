import assert from 'node:assert/strict';
import { TurnQueue } from '../../../src/p4/turn-queue.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('runtime/TurnQueue', () => {
  it('runs jobs in order, one per turn: what a job schedules for the next turn runs before the next job', async () => {
    const q = new TurnQueue();
    const seen: string[] = [];
    q.push(() => {
      seen.push('job 1');
      setImmediate(() => seen.push('scheduled by job 1'));
    });
    q.push(() => seen.push('job 2'));
    q.push(() => seen.push('job 3'));
    assert.deepEqual(seen, [], 'nothing runs in the pushing turn');
    for (let i = 0; i < 5; i++) await turn();
    assert.deepEqual(seen, ['job 1', 'scheduled by job 1', 'job 2', 'job 3']);
    assert.equal(q.size, 0);
  });

  it('goes on after a job that throws, and drops what is queued on clear()', async () => {
    const q = new TurnQueue();
    const seen: string[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => {
      uncaught.push(e);
    };
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      q.push(() => {
        throw new Error('boom');
      });
      q.push(() => seen.push('after the throw'));
      for (let i = 0; i < 4; i++) await turn();
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      for (const l of listeners) process.on('uncaughtException', l);
    }
    assert.equal(uncaught.length, 1);
    assert.deepEqual(seen, ['after the throw']);
    q.push(() => seen.push('never'));
    q.clear();
    for (let i = 0; i < 3; i++) await turn();
    assert.deepEqual(seen, ['after the throw']);
  });
});
