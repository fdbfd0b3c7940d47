// The `idle` release trigger: judging network idleness from the switches'
// per-zone packet counter (pure), and the ZoneRelease reconciler that
// waits on it, fires with an Event naming the measurement, and releases.

import assert from 'node:assert/strict';
import type { ReleaseObservation } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { durationText, judgeIdle, type TrafficReading } from '../../../src/controllers/idle-trigger.js';
import { dueTime } from '../../../src/controllers/release-trigger.js';
import { group, zone } from '../../support/core-fixtures.js';
import { readyZone, releaseBed, zoneBed } from './zone-bed.js';

const T0 = Date.parse('2026-12-07T12:00:00Z');
const MIN = 60_000;
const reading = (packets: number, readAtMs: number, over: Partial<TrafficReading> = {}): TrafficReading => ({
  packets: BigInt(packets),
  bytes: BigInt(packets * 100),
  complete: true,
  counted: true,
  readAtMs,
  message: '',
  ...over,
});

describe('idle trigger: judging idleness from packet counts', () => {
  it('parses idle.for and refuses a second trigger kind or a zero or bad duration, naming the field', () => {
    assert.deepEqual(dueTime({ idle: { for: '10m' } }, 0), { idleForMs: 10 * MIN });
    assert.match((dueTime({ idle: { for: '0s' } }, 0) as { error: string }).error, /spec\.trigger\.idle\.for/);
    assert.match((dueTime({ idle: { for: 'soon' } }, 0) as { error: string }).error, /spec\.trigger\.idle\.for/);
    assert.match(
      (dueTime({ idle: { for: '1m' }, after: '1m' }, 0) as { error: string }).error,
      /only one of immediate, at, after, idle, usage, stall, completed \(got after, idle\)/,
    );
  });

  it('counts from the release creation while nothing was ever counted, and fires once quiet long enough', () => {
    const first = judgeIdle(10 * MIN, T0, undefined, reading(0, T0 + 4 * MIN), T0 + 4 * MIN);
    assert.equal(first.fired, false);
    assert.equal(first.waitMs, 6 * MIN);
    assert.equal(first.observed.lastPacketTime, new Date(T0).toISOString());
    assert.equal(first.observed.packets, '0');
    const later = judgeIdle(10 * MIN, T0, first.observed, reading(0, T0 + 10 * MIN), T0 + 10 * MIN);
    assert.equal(later.fired, true);
    assert.match(
      later.text,
      /no packet in the zone's VLAN since 2026-12-07T12:00:00\.000Z \(10m, at least 10m\); 0 packets/,
    );
  });

  it('takes a change of the count as traffic at that reading, a reset too, so it never fires early', () => {
    let obs: ReleaseObservation | undefined;
    const step = (packets: number, atMin: number) => {
      const v = judgeIdle(5 * MIN, T0, obs, reading(packets, T0 + atMin * MIN), T0 + atMin * MIN);
      obs = v.observed;
      return v;
    };
    assert.equal(step(3, 1).observed.lastPacketTime, new Date(T0 + MIN).toISOString(), 'first count > 0: traffic now');
    assert.equal(step(3, 4).fired, false);
    assert.equal(step(7, 5).observed.lastPacketTime, new Date(T0 + 5 * MIN).toISOString());
    assert.equal(step(7, 9).fired, false);
    assert.equal(step(2, 9.5).observed.lastPacketTime, new Date(T0 + 9.5 * MIN).toISOString(), 'a reset is traffic');
    const v = step(2, 14.5);
    assert.equal(v.fired, true);
    assert.equal(v.observed.packets, '2');
    assert.equal(v.observed.bytes, '200');
  });

  it('does not judge on a partial reading, a zone without a counted entry, or no sidecar', () => {
    const base = judgeIdle(MIN, T0, undefined, reading(0, T0), T0).observed;
    for (const [r, why] of [
      [
        reading(0, T0 + 5 * MIN, { complete: false, message: 'switch 10.0.0.1:9559: connecting' }),
        /not every switch was read: switch 10\.0\.0\.1/,
      ],
      [reading(0, T0 + 5 * MIN, { counted: false }), /count nothing for the zone yet/],
      [{ error: 'no sidecar' }, /switch counters unavailable: no sidecar/],
    ] as const) {
      const v = judgeIdle(MIN, T0, base, r, T0 + 5 * MIN);
      assert.equal(v.fired, false);
      assert.match(v.observed.message ?? '', why);
      assert.equal(v.observed.packets, '0', 'the last good measurement stays in the status');
      assert.equal(v.observed.lastPacketTime, new Date(T0).toISOString());
    }
  });

  it('writes durations as h, m and s', () => {
    assert.equal(durationText(0), '0s');
    assert.equal(durationText(90_000), '1m30s');
    assert.equal(durationText(3_600_000), '1h');
  });
});

describe('ZoneReleaseReconciler: trigger idle', () => {
  function idleBed(traffic: () => Promise<TrafficReading>) {
    const zones = zoneBed(['Cloud1']);
    zones.clock.advance(T0 - zones.clock.now());
    const asked: string[] = [];
    const bed = releaseBed(zones, {
      enqueueZone: () => {},
      traffic: (id) => {
        asked.push(id);
        return traffic();
      },
      idlePollMs: 10_000,
    });
    return { ...bed, asked };
  }

  it('waits while packets flow, shows the last observed count, then fires with an Event and releases the whole zone', async () => {
    let packets = 0;
    const bed = idleBed(() => Promise.resolve(reading(packets, bed.clock.now())));
    const spec = zone({ groups: [group({ count: 2 })] });
    const key = await readyZone(bed, 'a', spec);
    bed.put('quiet', { zoneRef: { name: 'a' }, trigger: { idle: { for: '1m' } } });

    assert.deepEqual(await bed.release.reconcile('tenant/quiet'), { requeueAfterMs: 10_000 });
    assert.deepEqual(bed.asked, [spec.applicationId.toLowerCase()]);
    assert.equal(bed.rel('quiet')?.phase, 'Waiting');
    assert.equal(bed.rel('quiet')?.observed?.packets, '0');
    assert.match(getCondition(bed.rel('quiet')?.conditions, 'Succeeded')?.message ?? '', /waiting for 1m/);

    bed.clock.advance(50_000);
    packets = 12;
    await bed.release.reconcile('tenant/quiet');
    assert.equal(bed.rel('quiet')?.observed?.lastPacketTime, new Date(T0 + 50_000).toISOString());
    assert.equal(bed.rel('quiet')?.observed?.packets, '12');

    bed.clock.advance(30_000);
    await bed.release.reconcile('tenant/quiet');
    assert.equal(bed.rel('quiet')?.phase, 'Waiting', 'only 30s since the last packet');
    assert.deepEqual(bed.releaseEvents.reasons(), []);

    bed.clock.advance(30_000);
    await bed.release.reconcile('tenant/quiet');
    assert.equal(bed.rel('quiet')?.phase, 'Releasing');
    assert.deepEqual(bed.releaseEvents.reasons(), ['TriggerFired']);
    assert.match(
      bed.releaseEvents.list[0]?.note ?? '',
      /^idle: no packet in the zone's VLAN since 2026-12-07T12:00:50\.000Z \(1m, at least 1m\); 12 packets, 1200 bytes counted: releasing the whole zone$/,
    );
    assert.equal(bed.rel('quiet')?.releaseTime, new Date(T0 + 110_000).toISOString());

    // Traffic after firing changes nothing: the release goes on.
    packets = 99;
    await bed.reconciler.reconcile(key);
    await bed.release.reconcile('tenant/quiet');
    assert.equal(bed.rel('quiet')?.phase, 'Succeeded');
    assert.deepEqual(bed.members.instances(spec.applicationId), {});
    assert.equal(bed.rel('quiet')?.observed?.packets, '12', 'the value it fired on');
  });

  it('keeps waiting, and says why, while the counters cannot be read', async () => {
    const bed = idleBed(() => Promise.reject(new Error('sidecar 127.0.0.1:50051: UNAVAILABLE')));
    await readyZone(bed, 'a', zone());
    bed.put('quiet', { zoneRef: { name: 'a' }, trigger: { idle: { for: '1m' } } });
    bed.clock.advance(10 * MIN);
    await bed.release.reconcile('tenant/quiet');
    assert.equal(bed.rel('quiet')?.phase, 'Waiting');
    assert.match(bed.rel('quiet')?.observed?.message ?? '', /switch counters unavailable: sidecar .*UNAVAILABLE/);
    assert.deepEqual(bed.releaseEvents.reasons(), []);
  });
});
