// The `completed` trigger's judgement (pure) and what it reads of the
// members' objects.

import assert from 'node:assert/strict';
import { judgeCompletion, type InstanceProgress } from '../../../src/controllers/completion-trigger.js';
import { readCompletion } from '../../../src/controllers/completion-reading.js';
import { dueTime } from '../../../src/controllers/release-trigger.js';
import type { MemberAccess, MemberZoneObjects, ZoneObject } from '../../../src/controllers/member-access.js';
import { group, zone } from '../../support/core-fixtures.js';
import { zoneObject } from './fakes.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const p = (name: string, state: InstanceProgress['state'], detail: string = state): InstanceProgress => ({
  provider: 'Fog1',
  name,
  state,
  detail,
});

describe('completed trigger: judging whether the application completed', () => {
  it('parses completed: {} and refuses fields or a second trigger kind, naming the field', () => {
    assert.deepEqual(dueTime({ completed: {} }, 0), { completed: true });
    const withField = dueTime({ completed: { after: '1m' } as unknown as Record<never, never> }, 0);
    assert.match((withField as { error: string }).error, /spec\.trigger\.completed: takes no fields \(got after\)/);
    const two = dueTime({ completed: {}, after: '1m' }, 0);
    assert.match((two as { error: string }).error, /only one of .*completed \(got after, completed\)/);
  });

  it('fires only when every named instance succeeded, and counts them', () => {
    const waiting = judgeCompletion([p('C1', 'succeeded'), p('C2', 'running', 'pod Running')], undefined, T0);
    assert.equal(waiting.fired, false);
    assert.equal(waiting.observed.completed, '1/2');
    assert.deepEqual(waiting.observed.pending, ['Fog1/C2']);
    assert.deepEqual(waiting.observed.failed, []);
    assert.equal(waiting.observed.condition, 'completed');
    assert.match(waiting.text, /1\/2 named instances succeeded; not done: Fog1\/C2 \(pod Running\)/);

    const fired = judgeCompletion([p('C1', 'succeeded'), p('C2', 'succeeded')], waiting.observed, T0 + 5000);
    assert.equal(fired.fired, true);
    assert.equal(fired.observed.completed, '2/2');
    assert.deepEqual(fired.observed.pending, []);
    assert.equal(fired.text, 'completed: 2/2 named instances succeeded');
  });

  it('keeps waiting while a named instance failed, and says which', () => {
    const v = judgeCompletion([p('C1', 'succeeded'), p('C2', 'failed', 'pod Failed, exit code 3')], undefined, T0);
    assert.equal(v.fired, false);
    assert.deepEqual(v.observed.failed, ['Fog1/C2']);
    assert.match(v.observed.message ?? '', /1 named instance\(s\) failed, so the application did not complete/);
    assert.match(v.text, /failed: Fog1\/C2 \(pod Failed, exit code 3\)/);
  });

  it('does not fire on nothing: an unplaced zone or unknown instances wait', () => {
    const none = judgeCompletion([], undefined, T0);
    assert.equal(none.fired, false);
    assert.equal(none.observed.completed, '0/0');
    assert.match(none.observed.message ?? '', /names no live instance/);
    const unknown = judgeCompletion([p('C1', 'unknown', 'Fog1 cannot be read')], undefined, T0);
    assert.equal(unknown.fired, false);
    assert.deepEqual(unknown.observed.pending, ['Fog1/C1']);
  });

  it('keeps the observed time while nothing else changes, so an unchanged judgement writes nothing', () => {
    const first = judgeCompletion([p('C1', 'running')], undefined, T0);
    const same = judgeCompletion([p('C1', 'running')], first.observed, T0 + 60_000);
    assert.deepEqual(same.observed, first.observed);
    const moved = judgeCompletion([p('C1', 'succeeded'), p('C2', 'running')], first.observed, T0 + 60_000);
    assert.equal(moved.observed.observedTime, new Date(T0 + 60_000).toISOString());
  });

  it('spells out at most ten instances in the text, and lists all in status', () => {
    const many = Array.from({ length: 12 }, (_, n) => p(`C${n + 1}`, 'running'));
    const v = judgeCompletion(many, undefined, T0);
    assert.match(v.text, /and 2 more$/);
    assert.equal(v.observed.pending?.length, 12);
  });
});

describe('completed trigger: reading the named instances from their members', () => {
  const spec = zone({ groups: [group({ name: 'jobs', count: 4 })] });
  const id = spec.applicationId.toLowerCase();
  const pod = (phase: string, terminated?: number): ZoneObject => ({
    vm: false,
    obj: {
      metadata: { name: 'x' },
      spec: { restartPolicy: 'Never', containers: [] },
      status: {
        phase,
        ...(terminated !== undefined
          ? { containerStatuses: [{ state: { terminated: { exitCode: terminated } } }] }
          : {}),
      },
    },
  });
  const vm = (printableStatus: string, runStrategy = 'Once'): ZoneObject => ({
    vm: true,
    obj: { metadata: { name: 'v' }, spec: { runStrategy }, status: { printableStatus } },
  });
  function members(objects: Record<string, ZoneObject>, vmis: Record<string, string> = {}): MemberAccess {
    const handle = {
      zoneObjects: (appId: string) => new Map(appId === id ? Object.entries(objects) : []),
      vmInstancePhases: async () => new Map(Object.entries(vmis)),
    } as unknown as MemberZoneObjects;
    return {
      providers: () => ['Fog1', 'Fog2'],
      get: (provider) =>
        provider === 'Fog1' ? { ok: true, member: handle } : { ok: false, reason: 'Fog2 is not reachable' },
      synced: () => true,
    };
  }
  const scoped = (provider: string, name: string) => ({ provider, name, group: 'jobs', resourceType: 'CPU' as const });

  it('reads pods by phase, with the exit code of a failed one', async () => {
    const z = zoneObject('a', spec);
    const got = await readCompletion(
      members({ C1: pod('Succeeded', 0), C2: pod('Failed', 3), C3: pod('Running') }),
      z,
      [scoped('Fog1', 'C1'), scoped('Fog1', 'C2'), scoped('Fog1', 'C3'), scoped('Fog2', 'C4')],
    );
    assert.deepEqual(
      got.map((i) => [i.name, i.state, i.detail]),
      [
        ['C1', 'succeeded', 'pod Succeeded'],
        ['C2', 'failed', 'pod Failed, exit code 3'],
        ['C3', 'running', 'pod Running'],
        ['C4', 'unknown', 'Fog2 cannot be read: Fog2 is not reachable'],
      ],
    );
  });

  it("reads a VM's ending from its VirtualMachineInstance; RerunOnFailure runs a failed one again", async () => {
    const z = zoneObject('a', spec);
    const got = await readCompletion(
      members(
        { V1: vm('Stopped'), V2: vm('Stopped'), V3: vm('Running', 'RerunOnFailure'), V4: vm('Stopped') },
        { V1: 'Succeeded', V2: 'Failed', V3: 'Failed' },
      ),
      z,
      ['V1', 'V2', 'V3', 'V4'].map((n) => scoped('Fog1', n)),
    );
    assert.deepEqual(
      got.map((i) => [i.name, i.state]),
      [
        ['V1', 'succeeded'],
        ['V2', 'failed'],
        ['V3', 'running'],
        ['V4', 'succeeded'],
      ],
    );
    assert.equal(got[3]?.detail, 'VM Stopped, no instance left');
  });

  it('judges an instance whose object was removed after it finished by its recorded phase', async () => {
    const z = zoneObject('a', spec);
    z.status = {
      instances: {
        Fog1: { C1: { group: 'jobs', cores: 1, memory: 1, storage: 1, address: '::1', phase: 'Succeeded' } },
      },
    };
    const got = await readCompletion(members({}), z, [scoped('Fog1', 'C1'), scoped('Fog1', 'C2')]);
    assert.deepEqual(
      got.map((i) => [i.name, i.state]),
      [
        ['C1', 'succeeded'],
        ['C2', 'running'],
      ],
    );
  });
});
