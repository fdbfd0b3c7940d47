// The `usage` and `stall` release triggers: the rules read from the spec,
// the pure judgement of readings (thresholds held at every reading, the
// clock restarted by a missing reading or a gap, restart rises within the
// window), and the ZoneRelease reconciler that waits on them, fires with an
// Event naming the measured value, and releases exactly the named scope.

import assert from 'node:assert/strict';
import type { ZoneUsage } from '../../../src/clusters/member-usage.js';
import type { ReleaseObservation } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { dueTime } from '../../../src/controllers/release-trigger.js';
import {
  cpuText,
  judgeStall,
  judgeUsage,
  memoryText,
  stallRule,
  usageRule,
  type InstanceUsage,
  type StallRule,
  type UsageReading,
  type UsageRule,
} from '../../../src/controllers/usage-trigger.js';
import { group, zone } from '../../support/core-fixtures.js';
import { readyZone, releaseBed, zoneBed } from './zone-bed.js';

const T0 = Date.parse('2026-12-07T12:00:00Z');
const S = 1000;
const GAP = 60 * S;
const at = (ms: number) => new Date(ms).toISOString();

const reading = (readAtMs: number, instances: InstanceUsage[], problems: string[] = []): UsageReading => ({
  instances,
  problems,
  readAtMs,
});
const rule = <T>(r: T | { error: string }): T => {
  if (typeof r === 'object' && r !== null && 'error' in r) assert.fail(r.error);
  return r;
};
const errorOf = (r: object): string => (r as { error: string }).error;

describe('usage and stall triggers: the rules from the spec', () => {
  it('reads usage thresholds and durations into numbers', () => {
    assert.deepEqual(usageRule({ resource: 'cpu', below: '100m', for: '20s' }), {
      kind: 'usage',
      resource: 'cpu',
      below: 0.1,
      forMs: 20 * S,
    });
    assert.deepEqual(usageRule({ resource: 'memory', above: '512Mi', for: '1m' }), {
      kind: 'usage',
      resource: 'memory',
      above: 512 * 2 ** 20,
      forMs: 60 * S,
    });
    assert.deepEqual(dueTime({ stall: { for: '5m', restarts: 3 } }, 0), {
      watch: { kind: 'stall', forMs: 300 * S, restarts: 3 },
    });
  });

  it('refuses a bad usage or stall trigger, naming the field', () => {
    assert.match(errorOf(usageRule({ resource: 'cpu', for: '1m' })), /spec\.trigger\.usage: set exactly one of above/);
    assert.match(
      errorOf(usageRule({ resource: 'cpu', above: '1', below: '2', for: '1m' })),
      /exactly one of above and below/,
    );
    assert.match(
      errorOf(usageRule({ resource: 'disk' as 'cpu', above: '1', for: '1m' })),
      /spec\.trigger\.usage\.resource: must be cpu or memory/,
    );
    assert.match(errorOf(usageRule({ resource: 'cpu', above: 'lots', for: '1m' })), /spec\.trigger\.usage\.above:/);
    assert.match(errorOf(usageRule({ resource: 'cpu', above: '-1', for: '1m' })), /usage\.above: must not be negative/);
    assert.match(
      errorOf(usageRule({ resource: 'cpu', below: '0', for: '1m' })),
      /usage\.below: must be more than zero/,
    );
    assert.match(errorOf(usageRule({ resource: 'cpu', below: '1', for: '0s' })), /spec\.trigger\.usage\.for/);
    assert.match(errorOf(stallRule({ for: '1m' })), /spec\.trigger\.stall: set cpuBelow, restarts or both/);
    assert.match(errorOf(stallRule({ for: '1m', restarts: 0 })), /spec\.trigger\.stall\.restarts: must be a whole/);
    assert.match(errorOf(stallRule({ for: '1m', restarts: 1.5 })), /stall\.restarts/);
    assert.match(errorOf(stallRule({ for: '1m', cpuBelow: '0m' })), /stall\.cpuBelow: must be more than zero/);
    assert.match(errorOf(stallRule({ for: 'x', cpuBelow: '1m' })), /spec\.trigger\.stall\.for/);
    assert.match(
      errorOf(dueTime({ usage: { resource: 'cpu', above: '1', for: '1m' }, stall: { for: '1m', restarts: 1 } }, 0)),
      /only one of immediate, at, after, idle, usage, stall, completed \(got usage, stall\)/,
    );
  });

  it('writes cpu in millicores (rounded up) and memory in the largest whole binary unit', () => {
    assert.equal(cpuText(0.25), '250m');
    assert.equal(cpuText(0.0001), '1m');
    assert.equal(cpuText(0), '0m');
    assert.equal(cpuText(1.5), '1500m');
    assert.equal(memoryText(512 * 2 ** 20), '512Mi');
    assert.equal(memoryText(2 ** 30), '1Gi');
    assert.equal(memoryText(1536 * 1024), '1536Ki');
    assert.equal(memoryText(1000), '1000');
    assert.equal(memoryText(2 ** 20 + 1), '1025Ki');
  });
});

describe('usage trigger: judging the summed usage', () => {
  const below100m = rule(usageRule({ resource: 'cpu', below: '100m', for: '20s' }));
  let obs: ReleaseObservation | undefined;
  const step = (r: UsageRule, rd: UsageReading | { error: string }, nowMs: number) => {
    const v = judgeUsage(r, obs, rd, nowMs, GAP);
    obs = v.observed;
    return v;
  };
  beforeEach(() => (obs = undefined));

  it('sums the instances, holds from the first reading that satisfied it, and fires after `for`', () => {
    const high = step(
      below100m,
      reading(T0, [
        { name: 'C1', cpu: 0.08 },
        { name: 'C2', cpu: 0.05 },
      ]),
      T0,
    );
    assert.equal(high.fired, false);
    assert.equal(high.observed.cpu, '130m', 'the sum, not each');
    assert.equal(high.observed.since, undefined);
    assert.match(high.text, /cpu 130m summed over 2 instance\(s\), not below 100m/);

    const low = step(
      below100m,
      reading(T0 + 10 * S, [
        { name: 'C1', cpu: 0.04 },
        { name: 'C2', cpu: 0.05 },
      ]),
      T0 + 10 * S,
    );
    assert.equal(low.fired, false);
    assert.equal(low.observed.since, at(T0 + 10 * S));
    assert.equal(low.waitMs, 20 * S);

    const still = step(
      below100m,
      reading(T0 + 25 * S, [
        { name: 'C1', cpu: 0.01 },
        { name: 'C2', cpu: 0.01 },
      ]),
      T0 + 25 * S,
    );
    assert.equal(still.fired, false, '15 s of 20');
    assert.equal(still.waitMs, 5 * S);

    const done = step(
      below100m,
      reading(T0 + 30 * S, [
        { name: 'C1', cpu: 0.01 },
        { name: 'C2', cpu: 0.02 },
      ]),
      T0 + 30 * S,
    );
    assert.equal(done.fired, true);
    assert.equal(done.observed.cpu, '30m');
    assert.equal(done.observed.since, at(T0 + 10 * S));
    assert.match(
      done.text,
      /^usage: cpu 30m summed over 2 instance\(s\), below 100m at every reading since 2026-12-07T12:00:10\.000Z \(20s, at least 20s\)$/,
    );
  });

  it('restarts the clock at a reading that does not satisfy it (strictly above/below)', () => {
    const above = rule(usageRule({ resource: 'memory', above: '1Gi', for: '1m' }));
    const mem = (ms: number, bytes: number) => step(above, reading(ms, [{ name: 'C1', memory: bytes }]), ms);
    assert.equal(mem(T0, 2 ** 31).observed.since, at(T0));
    assert.equal(mem(T0 + 30 * S, 2 ** 30).observed.since, undefined, 'equal to the threshold is not above it');
    assert.equal(mem(T0 + 40 * S, 2 ** 31).observed.since, at(T0 + 40 * S));
    assert.equal(mem(T0 + 90 * S, 2 ** 31).fired, false);
    const v = mem(T0 + 100 * S, 3 * 2 ** 30);
    assert.equal(v.fired, true);
    assert.equal(v.observed.memory, '3Gi');
  });

  it('takes a missing reading as no evidence: not judged, says so, and the clock restarts', () => {
    step(
      below100m,
      reading(T0, [
        { name: 'C1', cpu: 0.01 },
        { name: 'C2', cpu: 0.01 },
      ]),
      T0,
    );
    const partial = step(
      below100m,
      reading(T0 + 10 * S, [{ name: 'C1', cpu: 0.01 }, { name: 'C2' }], ['Cloud2: Cloud2 is not reachable']),
      T0 + 10 * S,
    );
    assert.equal(partial.fired, false);
    assert.equal(partial.observed.since, undefined);
    assert.match(
      partial.observed.message ?? '',
      /^no cpu metrics for C2 \(Cloud2: Cloud2 is not reachable\): no evidence, the clock restarts$/,
    );
    assert.match(partial.text, /^usage: not judged/);
    const again = step(
      below100m,
      reading(T0 + 25 * S, [
        { name: 'C1', cpu: 0 },
        { name: 'C2', cpu: 0 },
      ]),
      T0 + 25 * S,
    );
    assert.equal(again.observed.since, at(T0 + 25 * S), 'counted again from the first full reading after the gap');
    assert.equal(again.fired, false, '25 s after the first low reading, but only 0 s of unbroken evidence');
    assert.equal(again.observed.message, undefined);

    const err = step(below100m, { error: 'GET pods: 503 service unavailable' }, T0 + 30 * S);
    assert.match(err.observed.message ?? '', /metrics unavailable: GET pods: 503 .*the clock restarts/);
    assert.equal(err.observed.since, undefined);
  });

  it('does not judge an empty scope', () => {
    const v = step(below100m, reading(T0, []), T0);
    assert.equal(v.fired, false);
    assert.match(v.observed.message ?? '', /no live instance in scope/);
  });

  it('restarts the clock after a gap between readings longer than maxGapMs (the operator was down)', () => {
    const low = (ms: number) => step(below100m, reading(ms, [{ name: 'C1', cpu: 0.01 }]), ms);
    low(T0);
    const late = low(T0 + 5 * 60 * S);
    assert.equal(late.fired, false, 'five minutes without a reading are not five minutes of evidence');
    assert.equal(late.observed.since, at(T0 + 5 * 60 * S));
  });

  it('ignores an observation of another trigger kind', () => {
    const prev: ReleaseObservation = { condition: 'idle', observedTime: at(T0), lastPacketTime: at(T0 - 60 * S) };
    const v = judgeUsage(below100m, prev, reading(T0 + S, [{ name: 'C1', cpu: 0 }]), T0 + S, GAP);
    assert.equal(v.observed.since, at(T0 + S));
    assert.equal(v.fired, false);
  });
});

describe('stall trigger: no progress or a restart loop', () => {
  let obs: ReleaseObservation | undefined;
  const step = (r: StallRule, rd: UsageReading | { error: string }, nowMs: number) => {
    const v = judgeStall(r, obs, rd, nowMs, GAP);
    obs = v.observed;
    return v;
  };
  beforeEach(() => (obs = undefined));

  it('cpuBelow: every instance below the floor (the busiest one judged) at every reading for `for`', () => {
    const r = rule(stallRule({ for: '30s', cpuBelow: '50m' }));
    const cpu = (ms: number, a: number, b: number) =>
      step(
        r,
        reading(ms, [
          { name: 'C1', cpu: a, restarts: 0 },
          { name: 'C2', cpu: b, restarts: 0 },
        ]),
        ms,
      );
    assert.equal(cpu(T0, 0.01, 0.01).observed.since, at(T0));
    const busy = cpu(T0 + 10 * S, 0.01, 0.2);
    assert.equal(busy.observed.since, undefined, 'one instance working is progress');
    assert.equal(busy.observed.cpu, '200m');
    cpu(T0 + 20 * S, 0.04, 0.03);
    assert.equal(cpu(T0 + 40 * S, 0.01, 0.02).fired, false);
    const v = cpu(T0 + 50 * S, 0.02, 0.01);
    assert.equal(v.fired, true);
    assert.equal(v.observed.cpu, '20m');
    assert.match(
      v.text,
      /^stall: cpu of every instance below 50m \(busiest 20m\) since 2026-12-07T12:00:20\.000Z \(30s, at least 30s\)$/,
    );
  });

  it('restarts: fires when the summed restart counts rose by the number within the last `for`', () => {
    const r = rule(stallRule({ for: '1m', restarts: 3 }));
    const count = (ms: number, a: number, b: number) =>
      step(
        r,
        reading(ms, [
          { name: 'C1', restarts: a },
          { name: 'C2', restarts: b },
        ]),
        ms,
      );
    const first = count(T0, 5, 0);
    assert.equal(first.observed.restarts, 5);
    assert.equal(first.observed.restartRises, undefined, 'restarts before watching are the baseline');
    count(T0 + 10 * S, 6, 0);
    count(T0 + 20 * S, 6, 1);
    assert.deepEqual(obs?.restartRises, [
      { time: at(T0 + 10 * S), count: 1 },
      { time: at(T0 + 20 * S), count: 1 },
    ]);
    // The first rise leaves the window before the third comes: 2 within the last minute.
    const slow = count(T0 + 75 * S, 7, 1);
    assert.equal(slow.fired, false);
    assert.deepEqual(slow.observed.restartRises, [
      { time: at(T0 + 20 * S), count: 1 },
      { time: at(T0 + 75 * S), count: 1 },
    ]);
    assert.match(slow.text, /restart counts rose by 2 within the last 1m \(waiting for 3\); 8 restarts in all/);
    const loop = count(T0 + 78 * S, 8, 1);
    assert.equal(loop.fired, true);
    assert.match(loop.text, /^stall: restart counts rose by 3 within the last 1m \(at least 3\); 9 restarts in all$/);
  });

  it('restarts: a count that went down (a pod made anew) is no rise, and a missing pod drops the history', () => {
    const r = rule(stallRule({ for: '1m', restarts: 2 }));
    const count = (ms: number, n?: number) =>
      step(r, reading(ms, [n === undefined ? { name: 'C1' } : { name: 'C1', restarts: n }]), ms);
    count(T0, 4);
    count(T0 + 10 * S, 5);
    assert.equal(count(T0 + 20 * S, 0).observed.restartRises?.length, 1, 'the drop adds nothing');
    const gone = count(T0 + 30 * S);
    assert.equal(gone.observed.restarts, undefined);
    assert.equal(gone.observed.restartRises, undefined);
    assert.match(gone.observed.message ?? '', /no pod status for C1: no evidence, the clock restarts/);
    assert.equal(count(T0 + 40 * S, 1).observed.restartRises, undefined, 'the first count after is a baseline');
    assert.equal(count(T0 + 50 * S, 2).fired, false);
    assert.equal(count(T0 + 55 * S, 3).fired, true);
  });

  it('judges each part on its own data: restarts fire while cpu metrics are missing', () => {
    const r = rule(stallRule({ for: '1m', cpuBelow: '10m', restarts: 1 }));
    step(r, reading(T0, [{ name: 'C1', restarts: 0 }], ['Cloud1: metrics.k8s.io: 404']), T0);
    const v = step(
      r,
      reading(T0 + 10 * S, [{ name: 'C1', restarts: 1 }], ['Cloud1: metrics.k8s.io: 404']),
      T0 + 10 * S,
    );
    assert.equal(v.fired, true);
    assert.equal(v.observed.cpu, undefined);
    assert.match(v.observed.message ?? '', /no cpu metrics for C1 \(Cloud1: metrics\.k8s\.io: 404\)/);
  });

  it('does not judge when the member cannot be read', () => {
    const r = rule(stallRule({ for: '1m', restarts: 1 }));
    const v = step(r, { error: 'Cloud1 is not reachable' }, T0);
    assert.equal(v.fired, false);
    assert.match(v.observed.message ?? '', /member unreadable: Cloud1 is not reachable: no evidence/);
  });
});

describe('ZoneReleaseReconciler: triggers usage and stall', () => {
  function usageBed(figures: () => Map<string, { cpu?: number; memory?: number; restarts: number }>) {
    const zones = zoneBed(['Cloud1']);
    zones.clock.advance(T0 - zones.clock.now());
    const asked: string[] = [];
    let down = false;
    const bed = releaseBed(zones, {
      enqueueZone: () => {},
      usage: (provider, applicationId): Promise<ZoneUsage> => {
        asked.push(`${provider}/${applicationId}`);
        if (down) return Promise.reject(new Error(`${provider} is not reachable: health probe failing`));
        return Promise.resolve({ instances: figures() });
      },
      usagePollMs: 10_000,
    });
    return { ...bed, asked, setDown: (d: boolean) => (down = d) };
  }

  // The fixture's instances are VMs: their usage is their virt-launcher pods' (member-usage.ts).
  it('waits while the named instance is busy, fires with an Event naming the value, and releases only it', async () => {
    let c2cpu = 0.5;
    const bed = usageBed(
      () =>
        new Map([
          ['V1', { cpu: 0.9, memory: 2 ** 28, restarts: 0 }],
          ['V2', { cpu: c2cpu, memory: 2 ** 27, restarts: 0 }],
        ]),
    );
    const spec = zone({ groups: [group({ count: 2 })] });
    const key = await readyZone(bed, 'a', spec);
    bed.put('c2-idle', {
      zoneRef: { name: 'a' },
      instances: { Cloud1: ['V2'] },
      trigger: { usage: { resource: 'cpu', below: '100m', for: '20s' } },
    });

    assert.deepEqual(await bed.release.reconcile('tenant/c2-idle'), { requeueAfterMs: 10_000 });
    assert.deepEqual(bed.asked, [`Cloud1/${spec.applicationId}`]);
    assert.equal(bed.rel('c2-idle')?.phase, 'Waiting');
    assert.equal(bed.rel('c2-idle')?.observed?.cpu, '500m', 'only V2 is judged; V1 is busy but not named');

    c2cpu = 0.05;
    bed.clock.advance(10_000);
    await bed.release.reconcile('tenant/c2-idle');
    assert.equal(bed.rel('c2-idle')?.observed?.since, at(T0 + 10_000));
    bed.setDown(true);
    bed.clock.advance(10_000);
    await bed.release.reconcile('tenant/c2-idle');
    assert.equal(bed.rel('c2-idle')?.phase, 'Waiting');
    assert.match(bed.rel('c2-idle')?.observed?.message ?? '', /Cloud1 is not reachable.*the clock restarts/);
    bed.setDown(false);
    for (let i = 0; i < 2; i++) {
      bed.clock.advance(10_000);
      await bed.release.reconcile('tenant/c2-idle');
    }
    assert.equal(bed.rel('c2-idle')?.phase, 'Waiting', 'only 10 s of evidence since the member came back');
    assert.deepEqual(bed.releaseEvents.reasons(), []);
    bed.clock.advance(10_000);
    await bed.release.reconcile('tenant/c2-idle');
    assert.equal(bed.rel('c2-idle')?.phase, 'Releasing');
    assert.deepEqual(bed.releaseEvents.reasons(), ['TriggerFired']);
    assert.match(
      bed.releaseEvents.list[0]?.note ?? '',
      /^usage: cpu 50m summed over 1 instance\(s\), below 100m at every reading since 2026-12-07T12:00:30\.000Z \(20s, at least 20s\): releasing the named instances$/,
    );
    await bed.reconciler.reconcile(key);
    await bed.release.reconcile('tenant/c2-idle');
    assert.equal(bed.rel('c2-idle')?.phase, 'Succeeded');
    assert.deepEqual(bed.rel('c2-idle')?.released, { Cloud1: ['V2'] });
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1'] });
  });

  it('fires a stall on a restart loop and releases the whole zone', async () => {
    let restarts = 0;
    const bed = usageBed(() => new Map([['V1', { restarts }]]));
    const spec = zone();
    await readyZone(bed, 'a', spec);
    bed.put('loop', { zoneRef: { name: 'a' }, trigger: { stall: { for: '1m', restarts: 2 } } });
    await bed.release.reconcile('tenant/loop');
    assert.equal(bed.rel('loop')?.observed?.restarts, 0);
    restarts = 2;
    bed.clock.advance(10_000);
    await bed.release.reconcile('tenant/loop');
    assert.equal(bed.rel('loop')?.phase, 'Releasing');
    assert.match(
      bed.releaseEvents.list[0]?.note ?? '',
      /^stall: restart counts rose by 2 .*: releasing the whole zone$/,
    );
    assert.equal(bed.rel('loop')?.observed?.restarts, 2);
  });

  it('starts afresh when the trigger is edited: an observation under the old spec is no evidence', async () => {
    const bed = usageBed(() => new Map([['V1', { cpu: 0.01, restarts: 0 }]]));
    await readyZone(bed, 'a', zone());
    bed.put('edit', { zoneRef: { name: 'a' }, trigger: { usage: { resource: 'cpu', below: '1', for: '30s' } } });
    await bed.release.reconcile('tenant/edit');
    assert.equal(bed.rel('edit')?.observed?.since, at(T0));
    const old = bed.releases.current('tenant/edit');
    assert.ok(old);
    bed.releases.put({
      ...old,
      metadata: { ...old.metadata, generation: 2 },
      spec: { ...old.spec, trigger: { usage: { resource: 'cpu', below: '100m', for: '30s' } } },
    });
    bed.clock.advance(30_000);
    await bed.release.reconcile('tenant/edit');
    assert.equal(bed.rel('edit')?.phase, 'Waiting', 'held 30 s under the old threshold, 0 s under the new');
    assert.equal(bed.rel('edit')?.observed?.since, at(T0 + 30_000));
    bed.clock.advance(30_000);
    await bed.release.reconcile('tenant/edit');
    assert.equal(bed.rel('edit')?.phase, 'Releasing');
  });

  it('waits and says why when the operator reads no member', async () => {
    const zones = zoneBed(['Cloud1']);
    const bed = releaseBed(zones, { enqueueZone: () => {} });
    await readyZone(bed, 'a', zone());
    bed.put('m', { zoneRef: { name: 'a' }, trigger: { usage: { resource: 'memory', above: '1Gi', for: '1m' } } });
    await bed.release.reconcile('tenant/m');
    assert.equal(bed.rel('m')?.phase, 'Waiting');
    assert.match(
      getCondition(bed.rel('m')?.conditions, 'Succeeded')?.message ?? '',
      /usage: not judged, metrics unavailable: the operator reads no member/,
    );
  });
});
