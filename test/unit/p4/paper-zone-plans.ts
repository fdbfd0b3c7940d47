// The paper's six zones (Tables II, III and V; docs/design.md) as network
// plans, the way the core's network planner describes them: VLANs
// 1000–1005, marks 111000, 001000, 000010, 000100, 111000, 111000 and the
// prefixes fd3f:e79f:d35c:<vlan hex>::/64.
import type { ZoneNetworkPlan } from '../../../src/core/network/types.js';
import type { SwitchPortMap } from '../../../src/core/network/p4-entries.js';

export const PORTS: SwitchPortMap = {
  trunkPort: 0,
  providerPorts: {
    Fog1: 1,
    Fog2: 2,
    PrivateCloud2: 3,
    PublicCloud1: 4,
    PublicCloud2: 5,
    PublicCloud3: 6,
    PublicCloud4: 7,
  },
  routerAddresses: ['fd3f:e79f:d35c::1'],
};

const ZONES: { id: string; vlan: number; bits: string; groups: [string, string[]][] }[] = [
  {
    id: '755b9…04f51',
    vlan: 1000,
    bits: '111000',
    groups: [
      ['Fog1', ['C1', 'C2']],
      ['Fog2', ['C3', 'C4']],
    ],
  },
  { id: '9ed1d…0eb38', vlan: 1001, bits: '001000', groups: [['PrivateCloud2', ['V1', 'V3']]] },
  {
    id: '5050f…522ca',
    vlan: 1002,
    bits: '000010',
    groups: [
      ['PublicCloud2', ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8']],
      ['PublicCloud3', ['V1', 'V2']],
    ],
  },
  { id: '83042…2aaed', vlan: 1003, bits: '000100', groups: [['PublicCloud1', ['V1', 'V2', 'V3', 'V4']]] },
  {
    id: 'f885e…89c29',
    vlan: 1004,
    bits: '111000',
    groups: [['PrivateCloud2', ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8']]],
  },
  { id: 'ded95…62d9e', vlan: 1005, bits: '111000', groups: [['PublicCloud4', ['V1', 'V2', 'V3']]] },
];

export function zonePlan(z: (typeof ZONES)[number]): ZoneNetworkPlan {
  const prefix = `fd3f:e79f:d35c:${z.vlan.toString(16)}`;
  const dscp = parseInt(z.bits, 2);
  let n = 0;
  const instances = z.groups.flatMap(([provider, names]) =>
    names.map((name) => ({ name, provider, group: 'g1', address: `${prefix}::${(++n).toString(16)}` })),
  );
  const providers = [...new Set(z.groups.map(([p]) => p))].sort();
  return {
    applicationId: z.id,
    vlanId: z.vlan,
    globalId: 0x3fe79fd35c,
    networkId: 274468950876,
    network: `${prefix}::/64`,
    prefixBytes: [0xfd, 0x3f, 0xe7, 0x9f, 0xd3, 0x5c, z.vlan >> 8, z.vlan & 0xff],
    marking: { bits: z.bits, dscp, tos: dscp << 2 },
    vpn: providers.map((p) => ({ provider: p, from: 'HOME-SWITCH', to: `${p}-SWITCH` })),
    released: [],
    instances,
  };
}

export const PAPER_PLANS: ZoneNetworkPlan[] = ZONES.map(zonePlan);

/** A synthetic zone on VLAN `vlan` with `count` instances on one provider. */
export function syntheticPlan(vlan: number, provider = 'Fog1', count = 2): ZoneNetworkPlan {
  return zonePlan({
    id: `zone-${vlan}`,
    vlan,
    bits: '111000',
    groups: [[provider, Array.from({ length: count }, (_, i) => `C${i + 1}`)]],
  });
}
