// The switch side of a zone (VLAN, marking, drop rules) goes through the
// P4Runtime sidecar when one is configured. The reconciler only needs to
// ask "program this plan" and "remove this zone"; without a sidecar the
// network plan is still computed and reported, and NetworkReady says so.

import type { ZoneNetworkPlan } from '../core/network/types.js';

export interface NetworkProgrammer {
  readonly configured: boolean;
  program(plan: ZoneNetworkPlan): Promise<{ ok: boolean; message: string }>;
  remove(applicationId: string): Promise<void>;
}

export const planOnlyNetwork: NetworkProgrammer = {
  configured: false,
  program: (plan) => Promise.resolve({ ok: true, message: `VLAN ${plan.vlanId}, ${plan.network}, marking ${plan.marking.bits}; no switch sidecar configured, plan only` }),
  remove: () => Promise.resolve(),
};
