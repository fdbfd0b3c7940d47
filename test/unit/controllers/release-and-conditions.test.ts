import assert from 'node:assert/strict';
import { dueTime } from '../../../src/controllers/release-trigger.js';
import { setCondition } from '../../../src/controllers/conditions.js';
import { paperScenario } from '../../../tools/harness/paper-scenario.js';

describe('controllers/release-trigger', () => {
  it('is due at once, at a time, or a duration after creation, and names a bad field', () => {
    assert.deepEqual(dueTime(undefined, 1000), { at: 1000 });
    assert.deepEqual(dueTime({ after: '2s' }, 1000), { at: 3000 });
    assert.deepEqual(dueTime({ at: '2026-01-01T00:00:00Z' }, 0), { at: Date.parse('2026-01-01T00:00:00Z') });
    assert.match((dueTime({ after: 'soon' }, 0) as { error: string }).error, /spec\.trigger\.after/);
    assert.match((dueTime({ immediate: true, after: '1s' }, 0) as { error: string }).error, /only one/);
  });
});

describe('controllers/conditions', () => {
  it('moves lastTransitionTime only when the status flips', () => {
    let c = setCondition([], { type: 'Ready', status: 'False', reason: 'A', message: '' }, 't1');
    c = setCondition(c, { type: 'Ready', status: 'False', reason: 'B', message: 'other' }, 't2');
    assert.equal(c[0]?.lastTransitionTime, 't1');
    c = setCondition(c, { type: 'Ready', status: 'True', reason: 'Ready', message: '' }, 't3');
    assert.equal(c[0]?.lastTransitionTime, 't3');
    c = setCondition(c, { type: 'Placed', status: 'True', reason: 'Placed', message: '' }, 't4');
    assert.deepEqual(
      c.map((x) => x.type),
      ['Ready', 'Placed'],
      'summary first',
    );
  });
});

describe('operator/paper-scenario', () => {
  it('turns the paper messages into zones (scale-ups add groups) and releases, in order', () => {
    const steps = paperScenario('examples/paper/messages.json', 'paper');
    assert.equal(steps.length, 10);
    const kinds = steps.map((s) =>
      s.kind === 'zone' ? (s.scaleUp ? 'up' : 'zone') : s.release.spec.instances ? 'stop-some' : 'stop-all',
    );
    assert.deepEqual(kinds, ['zone', 'zone', 'zone', 'zone', 'zone', 'zone', 'up', 'up', 'stop-all', 'stop-some']);
    const s7 = steps[6];
    assert.ok(
      s7?.kind === 'zone' && s7.zone.spec.groups.length === 2 && s7.zone.spec.groups[1]?.resourceType === 'FPGA',
    );
    const s10 = steps[9];
    assert.ok(s10?.kind === 'release' && s10.release.spec.instances?.['PrivateCloud2']?.[0] === 'V2');
  });
});
