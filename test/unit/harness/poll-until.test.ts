import assert from 'node:assert/strict';
import { pollUntil } from '../../../tools/harness/poll-until.js';

describe('pollUntil', () => {
  it('resolves with the first value that is neither undefined nor false, asking again after a throw', async () => {
    let calls = 0;
    const got = await pollUntil(
      'the third answer',
      () => {
        calls += 1;
        if (calls === 1) throw new Error('restarting');
        return calls === 2 ? false : `answer ${calls}`;
      },
      { everyMs: 1 },
    );
    assert.equal(got, 'answer 3');
    assert.equal(calls, 3);
  });

  it('names what it waited for and the last error when time runs out', async () => {
    await assert.rejects(
      pollUntil(
        'a member',
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 20, everyMs: 5, detail: () => 'log tail' },
      ),
      /timed out after 0\.02 s waiting for a member \(last error: connection refused\)\nlog tail/,
    );
  });

  it('stops at once when the wait is aborted', async () => {
    let calls = 0;
    await assert.rejects(
      pollUntil(
        'etcd',
        () => {
          calls += 1;
          return undefined;
        },
        { timeoutMs: 10_000, aborted: () => 'the process exited with code 1' },
      ),
      /^Error: etcd: the process exited with code 1$/,
    );
    assert.equal(calls, 0);
  });
});
