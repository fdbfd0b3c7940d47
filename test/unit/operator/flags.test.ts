// The operator's command line: what a flag means, and the error that names
// a bad one before anything starts.
import assert from 'node:assert/strict';
import { parseFlags } from '../../../src/operator/main.js';

describe('operator flags', () => {
  it('reads --vlan-range MIN-MAX (or ZONEKEEPER_VLAN_RANGE), default 1000-4094 by leaving it unset', () => {
    assert.equal(parseFlags([], {}).vlanRange, undefined);
    assert.deepEqual(parseFlags(['--vlan-range', '1-4094'], {}).vlanRange, { min: 1, max: 4094 });
    assert.deepEqual(parseFlags([], { ZONEKEEPER_VLAN_RANGE: '2000-2999' }).vlanRange, { min: 2000, max: 2999 });
  });

  it('refuses a VLAN range outside 802.1Q, empty, or not MIN-MAX, naming the flag', () => {
    assert.throws(
      () => parseFlags(['--vlan-range', '0-4094'], {}),
      /--vlan-range "0-4094": VLAN range must lie within 1–4094/,
    );
    assert.throws(() => parseFlags(['--vlan-range', '3000-2000'], {}), /--vlan-range "3000-2000": VLAN range is empty/);
    assert.throws(() => parseFlags(['--vlan-range', '1000'], {}), /--vlan-range "1000": must be MIN-MAX/);
  });

  it('reads --credential-renew-fraction (or ZONEKEEPER_CREDENTIAL_RENEW_FRACTION), unset meaning the default 1/3', () => {
    assert.equal(parseFlags([], {}).credentialRenewFraction, undefined);
    assert.equal(parseFlags(['--credential-renew-fraction', '0.5'], {}).credentialRenewFraction, 0.5);
    assert.equal(parseFlags([], { ZONEKEEPER_CREDENTIAL_RENEW_FRACTION: '0.98' }).credentialRenewFraction, 0.98);
  });

  it('refuses a renew fraction outside (0, 1), naming the flag', () => {
    for (const bad of ['0', '1', '1.5', 'abc', ''])
      assert.throws(
        () => parseFlags(['--credential-renew-fraction', bad], {}),
        /--credential-renew-fraction ".*": must be a number between 0 and 1/,
        bad,
      );
  });
});
