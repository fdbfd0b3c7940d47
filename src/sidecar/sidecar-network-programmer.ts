// The operator's NetworkProgrammer (src/controllers/network-programmer.ts)
// backed by the sidecar: plan the zone's P4 entries with the core, hand
// them over, and report the sidecar's verdict for NetworkReady.
import * as grpc from '@grpc/grpc-js';
import type { NetworkProgrammer } from '../controllers/network-programmer.js';
import { planP4Entries, type SwitchPortMap } from '../core/network/p4-entries.js';
import type { ZoneNetworkPlan } from '../core/network/types.js';
import { SidecarClient } from './sidecar-client.js';

export function sidecarNetworkProgrammer(address: string, ports: SwitchPortMap, client = new SidecarClient(address)): NetworkProgrammer & { close(): void } {
  return {
    configured: true,
    async program(plan: ZoneNetworkPlan) {
      const { zones, problems } = planP4Entries([plan], ports);
      const z = zones[0];
      if (!z) return { ok: false, message: `P4 entry plan: ${problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}` };
      try {
        const st = await client.setZoneEntries(z.zone, 0, z.entries);
        return { ok: st.programmed === true, message: `${st.reason ?? ''}: ${st.message ?? ''}` };
      } catch (e) {
        const err = e as grpc.ServiceError;
        return { ok: false, message: `sidecar: ${grpc.status[err.code] ?? err.code} ${err.details ?? err.message}` };
      }
    },
    async remove(applicationId: string) {
      const r = await client.deleteZone(applicationId);
      if (!r.removed) throw new Error(r.message ?? `zone ${applicationId} not yet removed from every switch`);
    },
    close: () => client.close(),
  };
}
