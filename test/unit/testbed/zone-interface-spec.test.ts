// The packet stand-in reads what the operator writes: the objects of
// src/core/network/zone-attachment.ts must parse into the interface they
// describe, and broken ones must be refused with the field and the reason.
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { instanceMac } from '../../../src/core/network/p4-entries.js';
import {
  podNetworksAnnotation,
  vmZoneNetwork,
  zoneAttachment,
  ZONE_INTERFACE,
} from '../../../src/core/network/zone-attachment.js';
import type { ZoneNetworkPlan } from '../../../src/core/network/types.js';
import {
  parseNetworksAnnotation,
  parseVlanConfig,
  vmiSelections,
  zoneInterfaceSpec,
} from '../../../tools/testbed/zone-interface-spec.js';

const plan: ZoneNetworkPlan = {
  applicationId: '755b94a1-2847-4bb8-b530-cfca97404f51',
  vlanId: 1000,
  globalId: 1,
  networkId: 1,
  network: 'fd3f:e79f:d35c:3e8::/64',
  prefixBytes: [],
  marking: { bits: '111000', dscp: 56, tos: 0xe0 },
  vpn: [],
  released: [],
  instances: [{ name: 'C1', provider: 'Fog1', group: 'g1', address: 'fd3f:e79f:d35c:3e8::1' }],
};
const inst = plan.instances[0];

describe('packet stand-in: reading the zone attachment objects', () => {
  it("turns the core's NAD and pod annotation into the interface they describe", () => {
    const nad = zoneAttachment(plan, 'zk-ns', 'eth1');
    const vlan = parseVlanConfig(nad.spec.config, 'nad');
    assert.deepEqual(vlan, { name: 'zone-1000', master: 'eth1', vlanId: 1000 });
    const [sel] = parseNetworksAnnotation(podNetworksAnnotation(plan, 'zk-ns', inst), 'ann');
    assert.ok(sel);
    const spec = zoneInterfaceSpec({ member: 'Fog1', namespace: 'zk-ns', pod: 'c1', index: 0 }, sel, vlan);
    assert.deepEqual(spec, {
      key: 'Fog1/zk-ns/c1#0',
      provider: 'Fog1',
      namespace: 'zk-ns',
      pod: 'c1',
      attachment: 'zk-ns/zone-1000',
      master: 'eth1',
      vlanId: 1000,
      interfaceName: ZONE_INTERFACE,
      mac: instanceMac(inst.address),
      cidrs: ['fd3f:e79f:d35c:3e8::1/64'],
    });
  });

  it("reads a VMI's bridge interface, Multus network and cloud-init network data", () => {
    const vm = vmZoneNetwork(plan, 'zk-ns', inst);
    const sels = vmiSelections(
      {
        domain: { devices: { interfaces: [{ name: 'default', masquerade: {} } as never, vm.interface] } },
        networks: [{ name: 'default', pod: {} } as never, vm.network],
        volumes: [{ name: 'cloudinit', cloudInitNoCloud: { networkData: vm.networkData } }],
      },
      'vmi',
      load,
    );
    assert.deepEqual(sels, [
      {
        name: 'zone-1000',
        namespace: 'zk-ns',
        interface: ZONE_INTERFACE,
        ips: ['fd3f:e79f:d35c:3e8::1/64'],
        mac: instanceMac(inst.address),
      },
    ]);
  });

  it('refuses broken objects with the field and the reason', () => {
    assert.throws(() => parseNetworksAnnotation('zone-1000', 'ann'), /^Error: ann: not JSON/);
    assert.throws(() => parseNetworksAnnotation('[{"name":"x","ips":"a"}]', 'ann'), /ann\[0\]\.ips: not a list/);
    assert.throws(
      () => parseNetworksAnnotation('[{"name":"x","ips":[],"mac":"zz"}]', 'ann'),
      /ann\[0\]\.mac: "zz" is not a MAC/,
    );
    assert.throws(
      () =>
        parseVlanConfig('{"plugins":[{"type":"vlan","master":"eth1","vlanId":4095,"ipam":{"type":"static"}}]}', 'c'),
      /c\.plugins\[0\]\.vlanId: 4095 is not a VLAN id/,
    );
    assert.throws(() => parseVlanConfig('{"plugins":[{"type":"bridge"}]}', 'c'), /c\.plugins: no plugin of type vlan/);
    assert.throws(
      () =>
        parseVlanConfig(
          '{"plugins":[{"type":"vlan","master":"a-name-far-too-long","vlanId":5,"ipam":{"type":"static"}}]}',
          'c',
        ),
      /master: "a-name-far-too-long" is not a Linux interface name/,
    );
    assert.throws(
      () =>
        zoneInterfaceSpec(
          { member: 'Fog1', namespace: 'n', pod: 'p', index: 0 },
          { name: 'x', ips: ['10.0.0.1/24'], mac: '02:00:00:00:00:01' },
          { name: 'x', master: 'eth1', vlanId: 5 },
        ),
      /Fog1\/n\/p: networks\[0\]\.ips\[0\]: "10.0.0.1\/24" is not an IPv6 address/,
    );
  });
});
