import { strict as assert } from 'node:assert';
import { privacyMarking } from '../../../../src/core/network/marking.js';
import {
  formatIpv6,
  instanceAddress,
  PAPER_GLOBAL_ID,
  parseGlobalId,
  prefixBytes,
  zoneNetwork,
} from '../../../../src/core/network/ula.js';
import { VlanAllocator } from '../../../../src/core/network/vlan-allocator.js';
import { REGIONS, rules } from '../../../support/core-fixtures.js';

describe('network plan', () => {
  describe('VLAN allocator', () => {
    it('hands out the lowest free ID and reuses a freed one', () => {
      const v = new VlanAllocator();
      assert.deepEqual([v.allocate(), v.allocate(), v.allocate()], [1000, 1001, 1002]);
      v.release(1001);
      assert.equal(v.allocate(), 1001);
      assert.equal(v.allocate(), 1003);
    });

    it('stops at the end of its range and says so', () => {
      const v = new VlanAllocator({ min: 4093, max: 4094 });
      assert.equal(v.allocate(), 4093);
      assert.equal(v.allocate(), 4094);
      assert.equal(v.allocate(), undefined);
      v.release(4093);
      assert.equal(v.allocate(), 4093);
    });

    it('fits the 802.1Q limit: 4,094 zones from VLAN 1', () => {
      const v = new VlanAllocator({ min: 1, max: 4094 });
      for (let i = 1; i <= 4094; i++) assert.equal(v.allocate(), i);
      assert.equal(v.allocate(), undefined);
      assert.equal(v.used, 4094);
    });

    it('rejects ranges beyond 802.1Q and claims durable IDs once', () => {
      assert.throws(() => new VlanAllocator({ min: 0, max: 10 }), /within 1–4094/);
      assert.throws(() => new VlanAllocator({ min: 10, max: 4095 }), /within 1–4094/);
      assert.throws(() => new VlanAllocator({ min: 20, max: 10 }), /empty/);
      const v = new VlanAllocator();
      assert.equal(v.claim(1000), true);
      assert.equal(v.claim(1000), false);
      assert.equal(v.allocate(), 1001);
    });

    it('holds a quarantined ID back from allocation until it is released, and quarantines only free IDs', () => {
      const v = new VlanAllocator({ min: 1000, max: 1002 });
      assert.equal(v.allocate(), 1000);
      assert.equal(v.quarantine(1000), false, 'held by a zone: not draining');
      assert.equal(v.quarantine(1001), true);
      assert.equal(v.quarantine(999), false, 'outside the range');
      assert.equal(v.draining, 1);
      assert.equal(v.isQuarantined(1001), true);
      assert.equal(v.isQuarantined(1000), false);
      assert.equal(v.allocate(), 1002, 'the draining ID is skipped');
      assert.equal(v.allocate(), undefined);
      v.release(1001);
      assert.equal(v.draining, 0);
      assert.equal(v.allocate(), 1001, 'free again once released');
    });
  });

  describe('IPv6 ULA', () => {
    it('builds the Listing 3 network for VLAN 1000 from the global ID 0x3fe79fd35c', () => {
      assert.equal(PAPER_GLOBAL_ID, 274468950876);
      assert.equal(zoneNetwork(PAPER_GLOBAL_ID, 1000), 'fd3f:e79f:d35c:3e8::/64');
      assert.deepEqual(prefixBytes(PAPER_GLOBAL_ID, 1000), [0xfd, 0x3f, 0xe7, 0x9f, 0xd3, 0x5c, 0x03, 0xe8]);
    });

    it('numbers containers ::1:n and VMs ::2:n', () => {
      assert.equal(instanceAddress(PAPER_GLOBAL_ID, 1000, 'container', 1), 'fd3f:e79f:d35c:3e8::1:1');
      assert.equal(instanceAddress(PAPER_GLOBAL_ID, 4094, 'VM', 65535), 'fd3f:e79f:d35c:ffe::2:ffff');
      assert.throws(() => instanceAddress(PAPER_GLOBAL_ID, 1000, 'VM', 0));
    });

    it('formats addresses canonically (RFC 5952)', () => {
      assert.equal(formatIpv6([0, 0, 0, 0, 0, 0, 0, 1]), '::1');
      assert.equal(formatIpv6([0xfd00, 0, 0, 1, 0, 0, 0, 1]), 'fd00:0:0:1::1', 'the longest zero run is shortened');
      assert.equal(
        formatIpv6([0xfd00, 1, 0, 0, 1, 0, 0, 1]),
        'fd00:1::1:0:0:1',
        'the first of equal runs is shortened',
      );
      assert.equal(formatIpv6([1, 0, 2, 3, 4, 5, 6, 7]), '1:0:2:3:4:5:6:7');
    });

    it('parses global IDs in hex and decimal, and refuses more than 40 bits', () => {
      assert.equal(parseGlobalId('0x3fe79fd35c'), PAPER_GLOBAL_ID);
      assert.equal(parseGlobalId('274468950876'), PAPER_GLOBAL_ID);
      assert.equal(parseGlobalId('0x10000000000'), undefined);
      assert.equal(parseGlobalId('zz'), undefined);
      assert.equal(zoneNetwork(0, 1), 'fd00:0:0:1::/64');
    });
  });

  describe('Table IV marking', () => {
    const mark = (regions: [string, ...string[]]) =>
      privacyMarking(
        rules({
          regions: [...regions.map((r) => ({ action: 'AllowSpecific' as const, value: r })), { action: 'DenyAll' }],
        }),
        REGIONS,
      ).bits;

    it('reproduces Table V', () => {
      assert.equal(mark(['EEA']), '111000');
      assert.equal(mark(['EU']), '001000');
      assert.equal(mark(['BRICS']), '000010');
      assert.equal(mark(['America']), '000100');
    });

    it('sets a bit for every region covered by the union of allowed regions', () => {
      assert.equal(mark(['EU', 'Scandinavia']), '101000', 'EU + DK NO SE lacks IS and LI, so not EEA');
      assert.equal(
        privacyMarking(rules({ regions: [{ action: 'AllowSpecific', value: 'MENA' }] }), REGIONS).bits,
        '000001',
      );
    });

    it('does not set a bit for a region an earlier deny rule shadows', () => {
      const r = rules({
        regions: [
          { action: 'DenySpecific', value: 'BRICS' },
          { action: 'AllowSpecific', value: 'America' },
          { action: 'AllowSpecific', value: 'EEA' },
        ],
      });
      assert.equal(
        privacyMarking(r, REGIONS).bits,
        '111000',
        'Brazil is denied first, so America is not wholly allowed',
      );
    });

    it('gives no bits to a zone without ALLOW_SPECIFIC regions, and the byte is dscp << 2', () => {
      assert.equal(privacyMarking(rules({}), REGIONS).bits, '000000');
      const m = privacyMarking(rules({ regions: [{ action: 'AllowSpecific', value: 'EEA' }] }), REGIONS);
      assert.equal(m.dscp, 0b111000);
      assert.equal(m.tos, 0xe0);
    });
  });
});
