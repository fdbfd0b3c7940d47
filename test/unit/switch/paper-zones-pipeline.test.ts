// The paper's zones through the packet pipeline: entries planned by the
// core, written over P4Runtime, then raw frames run through the tables.
import assert from 'node:assert/strict';
import {
  instanceMac,
  planP4Entries,
  solicitedNodeGroup,
  solicitedNodeMac,
} from '../../../src/core/network/p4-entries.js';
import { translateEntry } from '../../../src/p4/entry-translator.js';
import { buildFrame, ipv4Checksum, parseFrame } from '../../../src/switch/frame.js';
import { PAPER_PLANS, PORTS, syntheticPlan } from '../p4/paper-zone-plans.js';
import { DEVICE, id, INDEX, startProgrammed, type Harness } from './switch-harness.js';
import type { Uint128 } from '../../../src/p4/p4runtime-types.js';
import type { ZoneNetworkPlan } from '../../../src/core/network/types.js';

const ROUTER_MAC = '02:ff:00:00:00:01';

/** The entries the core plans for these zones, written over P4Runtime. */
async function writePlanned(h: Harness & { election: Uint128 }, plans: readonly ZoneNetworkPlan[]): Promise<void> {
  const { zones } = planP4Entries(plans, PORTS);
  const updates = zones.flatMap((z) =>
    z.entries.map((e) => ({
      type: 'INSERT' as const,
      entity: { table_entry: translateEntry(INDEX, e, z.zone).entry },
    })),
  );
  await h.client.write({ device_id: DEVICE, election_id: h.election, updates });
}

describe('packet pipeline: the paper zones (Tables IV and V, Figure 5)', () => {
  let h: Harness & { election: Uint128 };
  before(async () => {
    h = await startProgrammed();
    await writePlanned(h, PAPER_PLANS);
  });
  after(() => h.close());

  const from = (zi: number, ii: number): { port: number; mac: string; addr: string; vlan: number } => {
    const z = PAPER_PLANS[zi];
    const inst = z?.instances[ii];
    assert.ok(z && inst);
    return {
      port: PORTS.providerPorts[inst.provider],
      mac: instanceMac(inst.address),
      addr: inst.address,
      vlan: z.vlanId,
    };
  };

  for (const [zi, plan] of PAPER_PLANS.entries()) {
    it(`marks zone ${plan.applicationId} (VLAN ${plan.vlanId}) with ${plan.marking.bits} on a packet to its own network`, () => {
      const src = from(zi, 0);
      const dst = plan.instances[plan.instances.length - 1];
      assert.ok(dst);
      const r = h.sw.processFrame(
        buildFrame({
          dstMac: instanceMac(dst.address),
          srcMac: src.mac,
          vlanId: plan.vlanId,
          ipv6: { src: src.addr, dst: dst.address },
        }),
        src.port,
      );
      const expectedPort =
        plan.instances.length > 1 && PORTS.providerPorts[dst.provider] !== src.port
          ? PORTS.providerPorts[dst.provider]
          : undefined;
      if (expectedPort === undefined) {
        // Same provider port: the switch never hairpins; the provider's own network delivers it.
        assert.equal(r.verdict, 'drop');
        const up = h.sw.processFrame(
          buildFrame({
            dstMac: ROUTER_MAC,
            srcMac: src.mac,
            vlanId: plan.vlanId,
            ipv6: { src: src.addr, dst: `${plan.network.split('::')[0]}::ffff` },
          }),
          src.port,
        );
        assert.equal(up.verdict, 'forward');
        assert.ok(up.verdict === 'forward' && up.egressPort === 0 && up.dscp === parseInt(plan.marking.bits, 2));
        assert.equal(parseFrame(up.frame)?.ipv6?.dscp, parseInt(plan.marking.bits, 2), 'the DSCP bits in the frame');
        return;
      }
      assert.equal(r.verdict, 'forward', JSON.stringify(r));
      assert.ok(r.verdict === 'forward');
      assert.equal(r.egressPort, expectedPort);
      assert.equal(r.vlanId, plan.vlanId);
      assert.equal(r.dscp, parseInt(plan.marking.bits, 2));
      assert.equal(
        (parseFrame(r.frame)?.ipv6?.dscp ?? -1) << 2,
        plan.marking.tos,
        'the Traffic Class byte holds Table V',
      );
    });
  }

  it('sends a packet for the router up the trunk on port 0, marked', () => {
    const s = from(0, 0);
    const r = h.sw.processFrame(
      buildFrame({ dstMac: ROUTER_MAC, srcMac: s.mac, vlanId: 1000, ipv6: { src: s.addr, dst: 'fd3f:e79f:d35c::1' } }),
      s.port,
    );
    assert.ok(r.verdict === 'forward', JSON.stringify(r));
    assert.equal(r.egressPort, 0);
    assert.equal(r.dscp, 0b111000);
  });

  it('drops a packet to a destination outside the zone allowed set', () => {
    const s = from(0, 0);
    const r = h.sw.processFrame(
      buildFrame({ dstMac: ROUTER_MAC, srcMac: s.mac, vlanId: 1000, ipv6: { src: s.addr, dst: '2001:db8::1' } }),
      s.port,
    );
    assert.ok(r.verdict === 'drop');
    assert.equal(r.stage, 'ZoneIngress.zone_acl');
  });

  it('drops a packet to another zone network inside the zone VLAN', () => {
    const s = from(0, 0);
    const other = PAPER_PLANS[1]?.instances[0];
    assert.ok(other);
    const r = h.sw.processFrame(
      buildFrame({
        dstMac: instanceMac(other.address),
        srcMac: s.mac,
        vlanId: 1000,
        ipv6: { src: s.addr, dst: other.address },
      }),
      s.port,
    );
    assert.ok(r.verdict === 'drop');
    assert.equal(r.stage, 'ZoneIngress.zone_acl');
  });

  it("drops a packet tagged with another zone's VLAN", () => {
    const s = from(0, 0); // Fog1, port 1, a member of VLAN 1000 only
    const other = PAPER_PLANS[1]?.instances[0];
    assert.ok(other);
    const r = h.sw.processFrame(
      buildFrame({
        dstMac: instanceMac(other.address),
        srcMac: s.mac,
        vlanId: 1001,
        ipv6: { src: s.addr, dst: other.address },
      }),
      s.port,
    );
    assert.ok(r.verdict === 'drop');
    assert.equal(r.stage, 'ZoneIngress.zone_admit');
  });

  it('drops a packet on a port/VLAN pair that is not admitted', () => {
    const r = h.sw.processFrame(
      buildFrame({
        dstMac: ROUTER_MAC,
        srcMac: '02:00:00:00:00:99',
        vlanId: 1000,
        ipv6: { src: 'fd3f:e79f:d35c:3e8::99', dst: 'fd3f:e79f:d35c:3e8::1' },
      }),
      7,
    );
    assert.ok(r.verdict === 'drop');
    assert.equal(r.stage, 'ZoneIngress.zone_admit');
  });

  it('drops untagged frames and non-IP frames', () => {
    const u = h.sw.processFrame(
      buildFrame({
        dstMac: ROUTER_MAC,
        srcMac: '02:00:00:00:00:01',
        ipv6: { src: 'fd3f:e79f:d35c:3e8::1', dst: 'fd3f:e79f:d35c:3e8::2' },
      }),
      1,
    );
    assert.ok(u.verdict === 'drop' && u.stage === 'ingress');
    const n = h.sw.processFrame(
      buildFrame({ dstMac: ROUTER_MAC, srcMac: '02:00:00:00:00:01', vlanId: 1000, etherType: 0x88b5 }),
      1,
    );
    assert.ok(n.verdict === 'drop' && n.stage === 'ingress');
  });

  it('delivers traffic from the router on the trunk to the instance port', () => {
    const d = PAPER_PLANS[0]?.instances[2]; // C3 on Fog2
    assert.ok(d);
    const r = h.sw.processFrame(
      buildFrame({
        dstMac: instanceMac(d.address),
        srcMac: ROUTER_MAC,
        vlanId: 1000,
        ipv6: { src: 'fd3f:e79f:d35c::1', dst: d.address },
      }),
      0,
    );
    assert.ok(r.verdict === 'forward' && r.egressPort === 2);
  });

  it("sends a neighbour solicitation for an instance of the zone to that instance's port, and nowhere else", () => {
    const s = from(0, 0); // 755b9's C1 on Fog1
    const d = PAPER_PLANS[0]?.instances[2]; // C3 on Fog2
    assert.ok(d);
    const group = solicitedNodeGroup(d.address);
    const solicit = (vlanId: number, port: number) =>
      h.sw.processFrame(
        buildFrame({ dstMac: solicitedNodeMac(d.address), srcMac: s.mac, vlanId, ipv6: { src: s.addr, dst: group } }),
        port,
      );
    const r = solicit(1000, s.port);
    assert.ok(r.verdict === 'forward' && r.egressPort === 2, JSON.stringify(r));
    // The router resolves the instance the same way, from the trunk.
    const up = solicit(1000, 0);
    assert.ok(up.verdict === 'forward' && up.egressPort === 2, JSON.stringify(up));
    // On another zone's VLAN the group is unknown: it misses and goes up that zone's trunk, never to C3's port.
    const other = from(1, 0);
    const cross = h.sw.processFrame(
      buildFrame({
        dstMac: solicitedNodeMac(d.address),
        srcMac: other.mac,
        vlanId: other.vlan,
        ipv6: { src: other.addr, dst: group },
      }),
      other.port,
    );
    assert.ok(cross.verdict !== 'forward' || cross.egressPort === 0, JSON.stringify(cross));
  });

  it('rewrites the IPv4 DSCP and fixes the header checksum', async () => {
    // Allow the IPv4-mapped 10.0.0.0/8 for VLAN 1001 so an IPv4 packet passes the ACL.
    await h.client.write({
      device_id: DEVICE,
      election_id: h.election,
      updates: [
        {
          type: 'INSERT',
          entity: {
            table_entry: translateEntry(
              INDEX,
              {
                table: 'ZoneIngress.zone_acl',
                priority: 10,
                action: 'ZoneIngress.acl_permit',
                params: [],
                match: [
                  { field: 'hdr.vlan.vid', kind: 'exact', value: '1001' },
                  {
                    field: 'meta.dst_addr',
                    kind: 'ternary',
                    value: '0xffff0a000000',
                    mask: '0xffffffffffffffffffffffffff000000',
                  },
                ],
              },
              'v4',
            ).entry,
          },
        },
      ],
    });
    const s = from(1, 0);
    const r = h.sw.processFrame(
      buildFrame({
        dstMac: ROUTER_MAC,
        srcMac: s.mac,
        vlanId: 1001,
        ipv4: { src: '10.0.0.5', dst: '10.1.2.3', dscp: 0 },
      }),
      s.port,
    );
    assert.ok(r.verdict === 'forward', JSON.stringify(r));
    const p = parseFrame(r.frame);
    assert.equal(p?.ipv4?.dscp, 0b001000);
    const hdr = r.frame.subarray(18, 38);
    assert.equal(hdr.readUInt16BE(10), ipv4Checksum(hdr));
  });

  it('drops an IPv4 packet with options (IHL 6), as zone_switch.p4 does, that passes with IHL 5', () => {
    // Relies on the 10.0.0.0/8 rule of the test before.
    const s = from(1, 0);
    const plain = buildFrame({
      dstMac: ROUTER_MAC,
      srcMac: s.mac,
      vlanId: 1001,
      ipv4: { src: '10.0.0.5', dst: '10.1.2.3' },
    });
    assert.equal(h.sw.processFrame(plain, s.port).verdict, 'forward');
    // Insert one 4-byte option (NOP x4) after the fixed header and fix IHL, length and checksum.
    const withOption = Buffer.concat([plain.subarray(0, 38), Buffer.from([1, 1, 1, 1]), plain.subarray(38)]);
    withOption[18] = 0x46;
    withOption.writeUInt16BE(withOption.length - 18, 20);
    withOption.writeUInt16BE(ipv4Checksum(withOption.subarray(18, 42)), 28);
    const r = h.sw.processFrame(withOption, s.port);
    assert.deepEqual(r, {
      verdict: 'drop',
      stage: 'ingress',
      reason: 'IPv4 header length 24 bytes: options are not carried',
    });
  });

  it('drops at egress when a port is not a member of the VLAN', async () => {
    const s = from(0, 0);
    // A rogue forwarding entry pointing VLAN 1000 at PublicCloud4's port 7.
    await h.client.write({
      device_id: DEVICE,
      election_id: h.election,
      updates: [
        {
          type: 'INSERT',
          entity: {
            table_entry: {
              table_id: id('ZoneIngress.mac_forward'),
              match: [
                { field_id: 1, exact: { value: Buffer.from([0x03, 0xe8]) } },
                { field_id: 2, exact: { value: Buffer.from('02000000ee01', 'hex') } },
              ],
              action: {
                action: { action_id: id('ZoneIngress.forward'), params: [{ param_id: 1, value: Buffer.from([7]) }] },
              },
            },
          },
        },
      ],
    });
    const r = h.sw.processFrame(
      buildFrame({
        dstMac: '02:00:00:00:ee:01',
        srcMac: s.mac,
        vlanId: 1000,
        ipv6: { src: s.addr, dst: 'fd3f:e79f:d35c:3e8::ee01' },
      }),
      s.port,
    );
    assert.ok(r.verdict === 'drop');
    assert.equal(r.stage, 'ZoneEgress.egress_vlan');
  });
});

describe('packet pipeline: a released instance', () => {
  let h: Harness & { election: Uint128 };
  const full = syntheticPlan(1500, 'Fog1', 3);
  const gone = full.instances[2];
  const kept = full.instances[0];
  before(async () => {
    h = await startProgrammed();
    assert.ok(gone);
    await writePlanned(h, [{ ...full, instances: full.instances.slice(0, 2), released: [gone] }]);
  });
  after(() => h.close());

  it("drops a packet to its address, which the zone's network would otherwise send up the trunk", () => {
    assert.ok(gone && kept);
    const send = (dst: string) =>
      h.sw.processFrame(
        buildFrame({
          dstMac: instanceMac(dst),
          srcMac: instanceMac(kept.address),
          vlanId: 1500,
          ipv6: { src: kept.address, dst },
        }),
        PORTS.providerPorts['Fog1'],
      );
    const r = send(gone.address);
    assert.ok(r.verdict === 'drop', JSON.stringify(r));
    assert.equal(r.stage, 'ZoneIngress.zone_acl');
    assert.match(r.reason, /explicit drop rule/);
    // An address of the zone's network that was never handed out still goes to the router.
    const never = send(`${full.network.split('::')[0]}::1:ff`);
    assert.ok(never.verdict !== 'drop', JSON.stringify(never));
  });
});
