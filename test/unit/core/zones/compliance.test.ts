import { strict as assert } from 'node:assert';
import type { ExecutionZoneSpec } from '../../../../src/core/api/types.js';
import type { Provider } from '../../../../src/core/catalogue/provider.js';
import { regionFromSpec } from '../../../../src/core/privacy/region-catalogue.js';
import {
  checkCompliance,
  describeViolation,
  violatingInstances,
  type ComplianceReport,
} from '../../../../src/core/zones/compliance.js';
import { Federation } from '../../../../src/core/zones/federation.js';
import { group, provider, REGIONS, uuid, zone } from '../../../support/core-fixtures.js';

/** Fog1 in Norway (an EEA member), Cloud1 in Germany. */
const catalogue = (fog1: Partial<Parameters<typeof provider>[1]> = {}): Provider[] => [
  provider('Fog1', { country: 242, tier: 'fog', autonomousSystems: [64500], equipment: [9], ...fog1 }),
  provider('Cloud1', { country: 262, tier: 'cloud', autonomousSystems: [64501], equipment: [2636] }),
];

/** A zone of two groups, web on Fog1 and db on Cloud1, placed by the federation. */
function placed(spec: ExecutionZoneSpec) {
  const f = new Federation({ providers: catalogue() });
  const out = f.reconcile(spec);
  assert.equal(out.waiting, false);
  const a = f.allocation(spec.applicationId);
  assert.ok(a);
  return a;
}

const twoGroups = (privacy: ExecutionZoneSpec['privacy'] = {}): ExecutionZoneSpec =>
  zone({
    applicationId: uuid(),
    privacy,
    groups: [
      group({ name: 'web', platformType: 'fog', count: 2 }),
      group({ name: 'db', platformType: 'cloud', count: 1 }),
    ],
  });

const facts =
  (providers: readonly Provider[]) =>
  (name: string): Provider | undefined =>
    providers.find((p) => p.name === name);

function violations(r: ComplianceReport) {
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  return r.violations;
}

describe('compliance drift (checkCompliance)', () => {
  it('finds a freshly placed zone compliant', () => {
    const spec = twoGroups({ regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }] });
    const a = placed(spec);
    const r = checkCompliance(spec, a, facts(catalogue()), REGIONS);
    assert.deepEqual(violations(r), []);
    assert.ok(r.ok && r.groupsChecked === 2);
  });

  it("names the group, provider, rule and fact when the zone's own rules are edited to deny Norway", () => {
    const spec = twoGroups();
    const a = placed(spec);
    const edited: ExecutionZoneSpec = {
      ...spec,
      privacy: {
        countries: [
          { action: 'DenySpecific', value: 'SE' },
          { action: 'DenySpecific', value: 'NO' },
        ],
      },
    };
    const [v, ...rest] = violations(checkCompliance(edited, a, facts(catalogue()), REGIONS));
    assert.equal(rest.length, 0, 'db on Cloud1 (Germany) still complies');
    assert.deepEqual(v, {
      group: 'web',
      provider: 'Fog1',
      instances: ['V1', 'V2'],
      rules: 'spec.privacy.countries',
      list: 'countries',
      ruleIndex: 1,
      rule: 'countries rule #2 DENY_SPECIFIC NO',
      fact: 'country 242 (NO)',
      reason: 'country 242 (NO) not allowed by countries rule #2 DENY_SPECIFIC NO',
    });
    assert.equal(
      describeViolation(v),
      'group web on Fog1 (V1, V2): country 242 (NO) not allowed by countries rule #2 DENY_SPECIFIC NO (spec.privacy.countries[1])',
    );
    assert.deepEqual(violatingInstances([v]), { Fog1: ['V1', 'V2'] });
  });

  it("names a group's own rule list by the group's path", () => {
    const spec = twoGroups();
    const a = placed(spec);
    const edited: ExecutionZoneSpec = {
      ...spec,
      groups: [
        spec.groups[0],
        { ...spec.groups[1], privacy: { equipment: [{ action: 'DenySpecific', value: 2636 }] } },
      ],
    };
    const [v] = violations(checkCompliance(edited, a, facts(catalogue()), REGIONS));
    assert.equal(v.group, 'db');
    assert.equal(v.rules, 'spec.groups[1].privacy.equipment');
    assert.equal(v.rule, 'equipment rule #1 DENY_SPECIFIC 2636');
    assert.equal(v.fact, 'equipment PEN 2636');
  });

  describe("the provider's facts change", () => {
    const spec = twoGroups({ autonomousSystems: [{ action: 'DenySpecific', value: 64666 }] });

    it('a new AS on the path that the rules deny', () => {
      const a = placed(spec);
      const now = catalogue({ autonomousSystems: [64500, 64666] });
      const [v, ...rest] = violations(checkCompliance(spec, a, facts(now), REGIONS));
      assert.equal(rest.length, 0);
      assert.equal(v.provider, 'Fog1');
      assert.equal(v.rules, 'spec.privacy.autonomousSystems');
      assert.equal(v.rule, 'as rule #1 DENY_SPECIFIC 64666');
      assert.equal(v.fact, 'AS 64666');
    });

    it('a move to a country the rules deny', () => {
      const strict = twoGroups({ regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }] });
      const a = placed(strict);
      const [v] = violations(checkCompliance(strict, a, facts(catalogue({ country: 'US' })), REGIONS));
      assert.equal(v.fact, 'country 310 (US)');
      assert.equal(v.rule, 'regions rule #2 DENY_ALL');
    });

    it('AS numbers no longer declared: unknown is never compliant', () => {
      const a = placed(spec);
      const [v] = violations(checkCompliance(spec, a, facts(catalogue({ autonomousSystems: [] })), REGIONS));
      assert.equal(v.fact, 'no AS numbers declared');
      assert.equal(v.ruleIndex, 0);
      assert.match(v.reason, /unknown is never compliant/);
    });

    it('a provider that left the catalogue: its facts are unknown', () => {
      const a = placed(spec);
      const [v, ...rest] = violations(
        checkCompliance(spec, a, (n) => (n === 'Fog1' ? undefined : catalogue()[1]), REGIONS),
      );
      assert.equal(rest.length, 0);
      assert.equal(v.provider, 'Fog1');
      assert.equal(v.fact, 'facts unknown');
      assert.equal(v.ruleIndex, undefined);
      assert.match(v.reason, /unknown is never compliant/);
    });

    it('a provider whose facts are unknown still complies with a zone that has no rules', () => {
      const open = twoGroups();
      const a = placed(open);
      assert.deepEqual(violations(checkCompliance(open, a, () => undefined, REGIONS)), []);
    });
  });

  it('a region the zone allows loses a country', () => {
    const nordic = regionFromSpec('Nordics', { countries: ['NO', 'SE', 'DK'] });
    assert.ok(nordic.region);
    const before = REGIONS.withRegions([nordic.region]);
    const spec = zone({
      applicationId: uuid(),
      privacy: { regions: [{ action: 'AllowSpecific', value: 'Nordics' }, { action: 'DenyAll' }] },
      groups: [group({ name: 'web', platformType: 'fog', count: 2 })],
    });
    const f = new Federation({ providers: catalogue(), regions: before });
    assert.equal(f.reconcile(spec).waiting, false);
    const a = f.allocation(spec.applicationId);
    assert.ok(a);
    assert.deepEqual(violations(checkCompliance(spec, a, facts(catalogue()), before)), []);
    const shrunk = regionFromSpec('Nordics', { countries: ['SE', 'DK'] });
    assert.ok(shrunk.region);
    const after = REGIONS.withRegions([shrunk.region]);
    const [v] = violations(checkCompliance(spec, a, facts(catalogue()), after));
    assert.equal(v.rules, 'spec.privacy.regions');
    assert.equal(v.rule, 'regions rule #2 DENY_ALL');
    assert.equal(v.fact, 'country 242 (NO)');
  });

  it('a region the rules name that is gone: the rules no longer compile, and the report says which field', () => {
    const nordic = regionFromSpec('Nordics', { countries: ['NO'] });
    assert.ok(nordic.region);
    const spec = zone({
      applicationId: uuid(),
      privacy: { regions: [{ action: 'AllowSpecific', value: 'Nordics' }] },
      groups: [group({ name: 'web', platformType: 'fog' })],
    });
    const f = new Federation({ providers: catalogue(), regions: REGIONS.withRegions([nordic.region]) });
    f.reconcile(spec);
    const a = f.allocation(spec.applicationId);
    assert.ok(a);
    const r = checkCompliance(spec, a, facts(catalogue()), REGIONS);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.errors[0].path === 'spec.privacy.regions[0].value');
  });

  it('a zone whose rules name a deleted region is still restored: its VLAN and capacity stay booked, its mark drops to 000000', () => {
    const nordic = regionFromSpec('Nordics', { countries: ['NO', 'SE', 'DK', 'FI', 'IS'] });
    assert.ok(nordic.region);
    const spec = zone({
      applicationId: uuid(),
      privacy: {
        regions: [
          { action: 'AllowSpecific', value: 'EEA' },
          { action: 'AllowSpecific', value: 'Nordics' },
          { action: 'DenyAll' },
        ],
      },
      groups: [group({ name: 'web', platformType: 'fog', cores: 2 })],
    });
    const f = new Federation({ providers: catalogue(), regions: REGIONS.withRegions([nordic.region]) });
    f.reconcile(spec);
    const a = f.allocation(spec.applicationId);
    assert.ok(a);
    assert.notEqual(f.marking(spec.applicationId)?.bits, '000000', 'marked while the rules compile');
    // The operator restarts after the region was deleted: the rules no longer compile.
    const g = new Federation({ providers: catalogue(), regions: REGIONS });
    assert.deepEqual(g.restore(spec, a), [], 'not a conflict: the instances exist');
    assert.equal(g.vlans.has(a.vlanId ?? -1), true, 'the VLAN stays held');
    assert.deepEqual(g.usedBy(a.instances[0]?.provider ?? ''), f.usedBy(a.instances[0]?.provider ?? ''));
    assert.equal(g.marking(spec.applicationId)?.bits, '000000', 'no mark the rules cannot prove');
    assert.equal(g.networkPlan(spec.applicationId)?.marking.dscp, 0);
    assert.equal(checkCompliance(spec, a, facts(catalogue()), REGIONS).ok, false, 'and the report says unresolvable');
    // Another zone cannot take its VLAN or its capacity.
    const other = zone({ applicationId: uuid(), groups: [group({ name: 'web', platformType: 'fog', cores: 2 })] });
    g.reconcile(other);
    assert.notEqual(g.allocation(other.applicationId)?.vlanId, a.vlanId);
  });

  it('does not check groups whose instances were all released', () => {
    const spec = twoGroups();
    const f = new Federation({ providers: catalogue() });
    f.reconcile(spec);
    assert.ok(f.releaseInstances(spec.applicationId, { Fog1: ['V1', 'V2'] }).ok);
    const a = f.allocation(spec.applicationId);
    assert.ok(a);
    const edited = { ...spec, privacy: { countries: [{ action: 'DenySpecific' as const, value: 'NO' }] } };
    const r = checkCompliance(edited, a, facts(catalogue()), REGIONS);
    assert.deepEqual(violations(r), []);
    assert.ok(r.ok && r.groupsChecked === 1);
  });
});
