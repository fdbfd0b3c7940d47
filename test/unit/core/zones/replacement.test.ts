// spec.onViolation Replace in the core: a group placed again on a compliant
// provider as new instances (new names), booked before anything exists,
// the old ones released only by completeReplacement; and the move as
// status stores it, read back whole after a restart.
import { strict as assert } from 'node:assert';
import type { ExecutionZoneSpec } from '../../../../src/core/api/types.js';
import { loadAllocation, storeAllocation } from '../../../../src/core/zones/allocation.js';
import { checkCompliance } from '../../../../src/core/zones/compliance.js';
import { Federation } from '../../../../src/core/zones/federation.js';
import { group, provider, REGIONS, uuid, zone } from '../../../support/core-fixtures.js';

/** A in Norway, B in Germany, C in Norway; four cores each. */
const providers = () => [
  provider('A', { country: 242, capacity: { cores: 4, memory: 8192, storage: 65536 } }),
  provider('B', { country: 262, capacity: { cores: 4, memory: 8192, storage: 65536 } }),
  provider('C', { country: 242, capacity: { cores: 4, memory: 8192, storage: 65536 } }),
];

const denyNorway = { countries: [{ action: 'DenySpecific' as const, value: 'NO' }] };

/** web (2 × 1 core) placed on A, then the zone's rules edited to deny Norway. */
function drifted(f = new Federation({ providers: providers() })) {
  const spec = zone({ applicationId: uuid(7), groups: [group({ name: 'web', count: 2, cores: 1 })] });
  assert.equal(f.reconcile(spec).groups[0]?.provider, 'A');
  const edited: ExecutionZoneSpec = { ...spec, privacy: denyNorway };
  assert.deepEqual(f.reconcile(edited).errors ?? [], []);
  return { f, spec: edited, id: spec.applicationId };
}

const facts = (f: Federation) => (name: string) => f.catalogue.get(name);

describe('group replacement (spec.onViolation Replace)', () => {
  it('places the group again on a compliant provider as new names, booked on both until completed', () => {
    const { f, id } = drifted();
    const r = f.replaceGroup(id, 'web');
    assert.deepEqual(r, { ok: true, new: true, from: 'A', provider: 'B', instances: { V1: 'V3', V2: 'V4' } });
    const a = f.allocation(id);
    assert.deepEqual(
      a?.instances.map((i) => `${i.name}@${i.provider}`),
      ['V1@A', 'V2@A', 'V3@B', 'V4@B'],
    );
    assert.equal(f.usedBy('A').cores, 2, 'the old instances still run');
    assert.equal(f.usedBy('B').cores, 2, 'the new ones are booked before they exist');
    const plan = f.networkPlan(id);
    assert.deepEqual(
      plan?.vpn.map((v) => v.provider),
      ['A', 'B'],
      'both providers are linked while the group moves',
    );
    assert.deepEqual(
      plan?.instances.map((i) => i.name),
      ['V1', 'V2', 'V3', 'V4'],
    );

    assert.deepEqual(f.replaceGroup(id, 'web'), {
      ok: true,
      new: false,
      from: 'A',
      provider: 'B',
      instances: { V1: 'V3', V2: 'V4' },
    });
    assert.equal(f.usedBy('B').cores, 2, 'asking again books nothing more');
  });

  it('completing releases the old instances, frees their capacity and leaves the group on the new provider with count names', () => {
    const { f, id, spec } = drifted();
    f.replaceGroup(id, 'web');
    assert.deepEqual(f.completeReplacement(id, 'web'), { ok: true, released: { A: ['V1', 'V2'] } });
    const a = f.allocation(id);
    assert.deepEqual(a?.groups.web?.provider, 'B');
    assert.deepEqual(a?.groups.web?.instances, ['V3', 'V4']);
    assert.equal(a?.groups.web?.replacing, undefined);
    assert.deepEqual(a?.released, ['V1', 'V2'], 'old names are never handed out again');
    assert.equal(f.usedBy('A').cores, 0);
    assert.equal(f.usedBy('B').cores, 2);
    assert.deepEqual(
      f.networkPlan(id)?.vpn.map((v) => v.provider),
      ['B'],
    );
    assert.deepEqual(f.reconcile(spec).errors ?? [], [], 'the spec still matches the moved group (count unchanged)');
    const report = checkCompliance(spec, a ?? assert.fail(), facts(f), REGIONS);
    assert.ok(report.ok && report.violations.length === 0);
    assert.equal(f.completeReplacement(id, 'web').ok, false, 'nothing left to complete');
  });

  it('mid-move, only the old provider is in violation', () => {
    const { f, id, spec } = drifted();
    f.replaceGroup(id, 'web');
    const report = checkCompliance(spec, f.allocation(id) ?? assert.fail(), facts(f), REGIONS);
    assert.ok(report.ok);
    assert.deepEqual(
      report.violations.map((v) => `${v.group} ${v.provider} ${v.instances.join(',')}`),
      ['web A V1,V2'],
    );
  });

  it('without compliant room says NoCompliantCapacity with the reasons and books nothing', () => {
    const { f, id } = drifted(
      new Federation({
        providers: [
          provider('A', { country: 242, capacity: { cores: 4, memory: 8192, storage: 65536 } }),
          provider('B', { country: 262, capacity: { cores: 1, memory: 8192, storage: 65536 } }),
        ],
      }),
    );
    const r = f.replaceGroup(id, 'web');
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason === 'NoCompliantCapacity');
    assert.match(
      r.ok ? '' : r.message,
      /^no compliant provider has room for 2 instance\(s\) of group web: .*B: insufficient capacity/,
    );
    assert.equal(f.allocation(id)?.instances.length, 2);
    assert.equal(f.allocation(id)?.groups.web?.replacing, undefined);
    assert.equal(f.usedBy('B').cores, 0);
  });

  it('an unplaced group is refused by name', () => {
    const { f, id } = drifted();
    const r = f.replaceGroup(id, 'nope');
    assert.ok(!r.ok && r.reason === 'NotPlaced' && r.message.includes('group nope'));
  });

  it('a move in status reads back whole: the new instances on the new provider, capacity booked on both', () => {
    const { f, id, spec } = drifted();
    f.replaceGroup(id, 'web');
    const stored = storeAllocation(f.allocation(id) ?? assert.fail());
    assert.deepEqual(stored.groups.web?.replacing, { provider: 'B', instances: { V1: 'V3', V2: 'V4' } });
    const loaded = loadAllocation(JSON.parse(JSON.stringify(stored)) as typeof stored);
    assert.deepEqual(loaded.problems, []);
    assert.deepEqual(
      loaded.allocation?.instances.map((i) => `${i.name}@${i.provider}`),
      ['V1@A', 'V2@A', 'V3@B', 'V4@B'],
    );
    const g = new Federation({ providers: providers() });
    assert.deepEqual(g.restore(spec, loaded.allocation ?? assert.fail()), []);
    assert.equal(g.usedBy('A').cores, 2);
    assert.equal(g.usedBy('B').cores, 2);
    // The restarted operator carries the same move on, and new groups never reuse its names.
    assert.deepEqual(g.replaceGroup(id, 'web'), {
      ok: true,
      new: false,
      from: 'A',
      provider: 'B',
      instances: { V1: 'V3', V2: 'V4' },
    });
    const grown = { ...spec, groups: [...spec.groups, group({ name: 'db', platformType: 'cloud' })] };
    assert.deepEqual(g.reconcile(grown).groups[1]?.instances, ['V5']);
  });

  it('an instance listed as new by no replacement is still refused when read back', () => {
    const { f, id } = drifted();
    f.replaceGroup(id, 'web');
    const stored = storeAllocation(f.allocation(id) ?? assert.fail());
    delete stored.groups.web?.replacing;
    const loaded = loadAllocation(stored);
    assert.equal(loaded.allocation, undefined);
    assert.deepEqual(
      loaded.problems.map((p) => p.path),
      ['status.allocation.instances[2].name', 'status.allocation.instances[3].name'],
    );
  });
});
