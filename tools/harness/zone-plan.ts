// A zone's network plan for tests and benchmarks that make member objects
// without a federation: the VLAN's ULA /64 of the built-in global ID, no
// mark, no instances (what desiredPod / desiredVm read of it).

import { markingFromDscp } from '../../src/core/network/marking.js';
import type { ZoneNetworkPlan } from '../../src/core/network/types.js';
import { prefixBytes, zoneNetwork } from '../../src/core/network/ula.js';

/** The paper's global ID (fd3f:e79f:d35c::/48). */
const GLOBAL_ID = 0x3fe79fd35c;

export function standalonePlan(applicationId: string, vlanId = 1000): ZoneNetworkPlan {
  return {
    applicationId,
    vlanId,
    globalId: GLOBAL_ID,
    networkId: GLOBAL_ID,
    network: zoneNetwork(GLOBAL_ID, vlanId),
    prefixBytes: prefixBytes(GLOBAL_ID, vlanId),
    marking: markingFromDscp(0),
    vpn: [],
    released: [],
    instances: [],
  };
}
