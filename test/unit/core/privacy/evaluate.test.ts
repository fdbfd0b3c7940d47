import { strict as assert } from 'node:assert';
import { CompiledPrivacy, evaluatePrivacy, type PrivacySubject } from '../../../../src/core/privacy/evaluate.js';
import { provider, rules } from '../../../support/core-fixtures.js';

const subject = (mcc: number, extra: Partial<PrivacySubject> = {}): PrivacySubject => {
  const p = provider('P', { country: mcc });
  return { country: p.country, mcc: p.mcc, autonomousSystems: [], equipment: [], ...extra };
};

describe('privacy rules (design section 2)', () => {
  describe('regions', () => {
    const eeaOnly = rules({ regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }] });

    it('passes a country of an allowed region', () => {
      assert.equal(evaluatePrivacy(eeaOnly, subject(242)).pass, true);
    });

    it('rejects a country outside it by the trailing DENY_ALL, naming the rule', () => {
      const v = evaluatePrivacy(eeaOnly, subject(310));
      assert.equal(v.pass, false);
      assert.equal(v.list, 'regions');
      assert.equal(v.ruleIndex, 1);
      assert.equal(v.reason, 'country 310 (US) not allowed by regions rule #2 DENY_ALL');
    });

    it('lets the first matching rule decide, so order matters', () => {
      const denyFirst = rules({
        regions: [
          { action: 'DenySpecific', value: 'Scandinavia' },
          { action: 'AllowSpecific', value: 'EEA' },
          { action: 'DenyAll' },
        ],
      });
      const v = evaluatePrivacy(denyFirst, subject(242));
      assert.equal(v.pass, false);
      assert.match(v.reason, /regions rule #1 DENY_SPECIFIC Scandinavia/);
      assert.equal(evaluatePrivacy(denyFirst, subject(262)).pass, true);
      const allowFirst = rules({
        regions: [
          { action: 'AllowSpecific', value: 'EEA' },
          { action: 'DenySpecific', value: 'Scandinavia' },
        ],
      });
      assert.equal(evaluatePrivacy(allowFirst, subject(242)).pass, true);
    });

    it('matches region names case-insensitively', () => {
      const r = rules({ regions: [{ action: 'DenySpecific', value: 'brics' }] });
      assert.equal(evaluatePrivacy(r, subject(250)).pass, false);
    });
  });

  describe('countries', () => {
    it('passes a value no rule matches (implicit ALLOW_ALL)', () => {
      const r = rules({ countries: [{ action: 'DenySpecific', value: 240 }] });
      assert.equal(evaluatePrivacy(r, subject(242)).pass, true);
      assert.equal(evaluatePrivacy(r, subject(240)).pass, false);
    });

    it('lets an *_ALL rule match every value', () => {
      const r = rules({ countries: [{ action: 'AllowAll' }, { action: 'DenySpecific', value: 240 }] });
      assert.equal(evaluatePrivacy(r, subject(240)).pass, true);
      const d = rules({ countries: [{ action: 'DenyAll' }] });
      assert.equal(evaluatePrivacy(d, subject(242)).pass, false);
    });

    it('matches a country with several MCCs by any of them', () => {
      const r = rules({ countries: [{ action: 'DenySpecific', value: 310 }] });
      const v = evaluatePrivacy(r, subject(311));
      assert.equal(v.pass, false);
      assert.equal(v.reason, 'country 311 (US) not allowed by countries rule #1 DENY_SPECIFIC 310');
      assert.equal(
        evaluatePrivacy(
          rules({ regions: [{ action: 'AllowSpecific', value: 'America' }, { action: 'DenyAll' }] }),
          subject(316),
        ).pass,
        true,
      );
    });

    it('accepts ISO alpha-2 codes in manifests', () => {
      const r = rules({ countries: [{ action: 'DenySpecific', value: 'se' }] });
      assert.equal(evaluatePrivacy(r, subject(240)).pass, false);
    });

    it('checks regions and countries against the same country (Listing 1: EEA without Sweden)', () => {
      const r = rules({
        regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }],
        countries: [{ action: 'DenySpecific', value: 240 }],
      });
      assert.equal(evaluatePrivacy(r, subject(242)).pass, true);
      const se = evaluatePrivacy(r, subject(240));
      assert.equal(se.pass, false);
      assert.equal(se.list, 'countries');
      assert.equal(evaluatePrivacy(r, subject(250)).list, 'regions');
    });
  });

  describe('as and equipment (sets on a provider)', () => {
    it('requires every member of the set to pass', () => {
      const noCisco = rules({ equipment: [{ action: 'DenySpecific', value: 9 }] });
      assert.equal(
        evaluatePrivacy(noCisco, subject(242, { equipment: [674, 9] })).reason,
        'equipment PEN 9 not allowed by equipment rule #1 DENY_SPECIFIC 9',
      );
      assert.equal(evaluatePrivacy(noCisco, subject(242, { equipment: [674, 11] })).pass, true);
    });

    it('allows only the listed vendors with ALLOW_SPECIFIC … DENY_ALL (the ded95 zone)', () => {
      const only = rules({
        equipment: [
          { action: 'AllowSpecific', value: 1894 },
          { action: 'AllowSpecific', value: 44957 },
          { action: 'DenyAll' },
        ],
      });
      assert.equal(evaluatePrivacy(only, subject(262, { equipment: [1894, 44957] })).pass, true);
      const v = evaluatePrivacy(only, subject(262, { equipment: [1894, 2011] }));
      assert.equal(v.pass, false);
      assert.equal(v.reason, 'equipment PEN 2011 not allowed by equipment rule #3 DENY_ALL');
    });

    it('fails a provider that declares no AS numbers when the list holds a deny rule', () => {
      const r = rules({ autonomousSystems: [{ action: 'DenySpecific', value: 3320 }] });
      const v = evaluatePrivacy(r, subject(262));
      assert.equal(v.pass, false);
      assert.equal(v.list, 'as');
      assert.match(v.reason, /declares no AS numbers.*unknown is never compliant/);
      assert.equal(evaluatePrivacy(r, subject(262, { autonomousSystems: [3209] })).pass, true);
      assert.equal(evaluatePrivacy(r, subject(262, { autonomousSystems: [3209, 3320] })).pass, false);
    });

    it('fails a provider without equipment when the list ends in DENY_ALL', () => {
      const r = rules({ equipment: [{ action: 'AllowSpecific', value: 1894 }, { action: 'DenyAll' }] });
      assert.equal(evaluatePrivacy(r, subject(262)).list, 'equipment');
    });

    it('passes a provider without AS numbers when the list only allows', () => {
      const r = rules({ autonomousSystems: [{ action: 'AllowSpecific', value: 3320 }] });
      assert.equal(evaluatePrivacy(r, subject(262)).pass, true);
      assert.equal(evaluatePrivacy(rules({}), subject(262)).pass, true);
    });
  });

  it('requires a provider to pass all four lists', () => {
    const r = rules({
      regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }],
      autonomousSystems: [{ action: 'DenySpecific', value: 3320 }],
      equipment: [{ action: 'DenySpecific', value: 2011 }],
    });
    assert.equal(evaluatePrivacy(r, subject(262, { autonomousSystems: [1], equipment: [2011] })).list, 'equipment');
    assert.equal(evaluatePrivacy(r, subject(262, { autonomousSystems: [3320], equipment: [1] })).list, 'as');
    assert.equal(evaluatePrivacy(r, subject(262, { autonomousSystems: [1], equipment: [1] })).pass, true);
  });

  it('gives the same verdicts compiled as the reference evaluation, also across repeated look-ups', () => {
    const r = rules({
      regions: [{ action: 'AllowSpecific', value: 'EU' }, { action: 'DenyAll' }],
      countries: [{ action: 'DenySpecific', value: 'FR' }],
      equipment: [{ action: 'DenySpecific', value: 9 }],
    });
    const compiled = new CompiledPrivacy(r);
    for (const mcc of [208, 262, 310, 311, 242, 240, 262, 208]) {
      for (const equipment of [[], [9], [674], [674, 9]]) {
        const s = subject(mcc, { equipment });
        assert.deepEqual(compiled.evaluate(s), evaluatePrivacy(r, s), `mcc ${mcc} equipment ${equipment.join(',')}`);
      }
    }
  });
});
