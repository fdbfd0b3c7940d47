import assert from 'node:assert/strict';
import { instanceMac, macToBigInt, planP4Entries } from '../../../../src/core/network/p4-entries.js';
import { podNetworksAnnotation, vmZoneNetwork, zoneAttachment } from '../../../../src/core/network/zone-attachment.js';
import { PAPER_PLANS, PORTS } from '../../p4/paper-zone-plans.js';

const zone = PAPER_PLANS[0];
if (!zone) throw new Error('no paper zone');
const c1 = zone.instances[0];
if (!c1) throw new Error('no instance');

describe('core/network/zone-attachment: instances on their zone network', () => {
  it('puts the zone on its VLAN over the uplink with static IPAM and a MAC from the pod (vlan, then tuning)', () => {
    const nad = zoneAttachment(zone, 'zone-755b9', 'eth1');
    assert.equal(nad.apiVersion, 'k8s.cni.cncf.io/v1');
    assert.deepEqual(nad.metadata, {
      name: 'zone-1000',
      namespace: 'zone-755b9',
      labels: { 'zonekeeper.io/zone': zone.applicationId },
    });
    const config = JSON.parse(nad.spec.config) as {
      name: string;
      plugins: {
        type: string;
        master?: string;
        vlanId?: number;
        ipam?: { type: string };
        capabilities: Record<string, boolean>;
      }[];
    };
    assert.equal(config.name, 'zone-1000');
    assert.deepEqual(
      config.plugins.map((p) => p.type),
      ['vlan', 'tuning'],
    );
    assert.deepEqual(
      [config.plugins[0]?.master, config.plugins[0]?.vlanId, config.plugins[0]?.ipam?.type],
      ['eth1', 1000, 'static'],
    );
    assert.deepEqual(
      [config.plugins[0]?.capabilities, config.plugins[1]?.capabilities],
      [{ ips: true }, { mac: true }],
    );
  });

  it('refuses an uplink that is not an interface name, naming the field', () => {
    assert.throws(() => zoneAttachment(zone, 'ns', 'eth1; rm -rf /'), /^Error: uplink: /);
    // The kernel's dev_valid_name refuses ":" (alias syntax) and anything of IFNAMSIZ (16) or more.
    for (const bad of ['eth0:1', 'a'.repeat(16), '.', '..', '']) {
      assert.throws(() => zoneAttachment(zone, 'ns', bad), /^Error: uplink: must be a Linux network interface name/);
    }
    const config = JSON.parse(zoneAttachment(zone, 'ns', 'bond0.10').spec.config) as { plugins: { master?: string }[] };
    assert.equal(config.plugins[0]?.master, 'bond0.10');
  });

  it('gives each instance its address and the MAC the switch forwards to', () => {
    const [entry] = JSON.parse(podNetworksAnnotation(zone, 'zone-755b9', c1)) as {
      name: string;
      namespace: string;
      ips: string[];
      mac: string;
    }[];
    assert.deepEqual(entry, {
      name: 'zone-1000',
      namespace: 'zone-755b9',
      interface: 'zone0',
      ips: [`${c1.address}/64`],
      mac: instanceMac(c1.address),
    });
    // The switch's mac_forward entry for C1 matches exactly that MAC.
    const forwarded = planP4Entries([zone], PORTS)
      .zones[0]?.entries.filter((e) => e.table.endsWith('mac_forward'))
      .map((e) => BigInt(e.match[1]?.value ?? '0'));
    assert.ok(forwarded?.includes(macToBigInt(instanceMac(c1.address))), JSON.stringify(forwarded?.map(String)));
  });

  it('gives every instance of a zone a distinct locally administered unicast MAC, the same on every call', () => {
    const macs = zone.instances.map((i) => instanceMac(i.address));
    assert.equal(new Set(macs).size, macs.length);
    for (const m of macs) assert.equal(parseInt(m.slice(0, 2), 16) & 0x03, 0x02, m);
    assert.deepEqual(
      zone.instances.map((i) => instanceMac(i.address)),
      macs,
    );
  });

  it('gives a VM a bridge interface with its MAC, the Multus network, and cloud-init network data with its address', () => {
    const vm = vmZoneNetwork(zone, 'zone-755b9', c1);
    assert.deepEqual(vm.interface, { name: 'zone', bridge: {}, macAddress: instanceMac(c1.address) });
    assert.deepEqual(vm.network, { name: 'zone', multus: { networkName: 'zone-755b9/zone-1000' } });
    assert.match(vm.networkData, new RegExp(`macaddress: "${instanceMac(c1.address)}"`));
    assert.match(vm.networkData, new RegExp(`addresses: \\["${c1.address}/64"\\]`));
  });
});
