// The sidecar's Prometheus metrics, on a registry of its own so that tests
// can run several sidecars in one process.
import client from 'prom-client';
import { EMPTY_SNAPSHOT, type ZoneCountsSnapshot } from './zone-counters.js';

export interface SidecarMetrics {
  registry: client.Registry;
  updates: client.Counter<'switch' | 'type' | 'code'>;
  reconciles: client.Counter<'switch' | 'trigger' | 'result'>;
  reconcileSeconds: client.Histogram<'switch'>;
  pipelinePushes: client.Counter<'switch'>;
  connected: client.Gauge<'switch'>;
  primary: client.Gauge<'switch'>;
  primaryLost: client.Counter<'switch'>;
  zones: client.Gauge<'state'>;
  desiredEntries: client.Gauge;
  zonePackets: client.Counter<'zone'>;
  zoneBytes: client.Counter<'zone'>;
}

/** A counter that shows the zones' counts as last read from the switches. */
function zoneCounter(
  name: string,
  help: string,
  registers: client.Registry[],
  value: (c: ZoneCountsSnapshot['zones'][number]) => bigint,
  counts: () => ZoneCountsSnapshot,
): client.Counter<'zone'> {
  return new client.Counter({
    name,
    help,
    labelNames: ['zone'],
    registers,
    collect() {
      // The switch holds the count; a deleted zone's series goes, and a
      // re-inserted entry starts at zero again (a counter reset to Prometheus).
      this.reset();
      for (const z of counts().zones) this.inc({ zone: z.zone }, Number(value(z)));
    },
  });
}

export function createMetrics(
  zoneCounts: () => { desired: number; programmed: number } = () => ({ desired: 0, programmed: 0 }),
  counts: () => ZoneCountsSnapshot = () => EMPTY_SNAPSHOT,
): SidecarMetrics {
  const registry = new client.Registry();
  const registers = [registry];
  return {
    registry,
    updates: new client.Counter({
      name: 'zonekeeper_sidecar_p4rt_updates_total',
      help: 'P4Runtime updates written, by type and result code',
      labelNames: ['switch', 'type', 'code'],
      registers,
    }),
    reconciles: new client.Counter({
      name: 'zonekeeper_sidecar_reconciles_total',
      help: 'Full reconciles (wildcard read and diff), by trigger and result',
      labelNames: ['switch', 'trigger', 'result'],
      registers,
    }),
    reconcileSeconds: new client.Histogram({
      name: 'zonekeeper_sidecar_reconcile_duration_seconds',
      help: 'Duration of full reconciles',
      labelNames: ['switch'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    }),
    pipelinePushes: new client.Counter({
      name: 'zonekeeper_sidecar_pipeline_pushes_total',
      help: 'SetForwardingPipelineConfig calls (cookie differed)',
      labelNames: ['switch'],
      registers,
    }),
    connected: new client.Gauge({
      name: 'zonekeeper_sidecar_switch_connected',
      help: '1 while the StreamChannel to the switch is open',
      labelNames: ['switch'],
      registers,
    }),
    primary: new client.Gauge({
      name: 'zonekeeper_sidecar_switch_primary',
      help: '1 while this sidecar is the primary controller of the switch',
      labelNames: ['switch'],
      registers,
    }),
    primaryLost: new client.Counter({
      name: 'zonekeeper_sidecar_primary_lost_total',
      help: 'Times another controller took the switch from this primary sidecar (a new leader, or someone with a certificate of the switch path)',
      labelNames: ['switch'],
      registers,
    }),
    zones: new client.Gauge({
      name: 'zonekeeper_sidecar_zones',
      help: 'Zones by programming state',
      labelNames: ['state'],
      registers,
      collect() {
        const c = zoneCounts();
        this.set({ state: 'desired' }, c.desired);
        this.set({ state: 'programmed' }, c.programmed);
      },
    }),
    desiredEntries: new client.Gauge({
      name: 'zonekeeper_sidecar_desired_entries',
      help: 'Entries in the desired state',
      registers,
    }),
    zonePackets: zoneCounter(
      'zonekeeper_sidecar_zone_packets_total',
      "Packets the zone's instances sent into the switches (zone_traffic, summed over switches), as last read",
      registers,
      (z) => z.packets,
      counts,
    ),
    zoneBytes: zoneCounter(
      'zonekeeper_sidecar_zone_bytes_total',
      "Bytes the zone's instances sent into the switches (zone_traffic, summed over switches), as last read",
      registers,
      (z) => z.bytes,
      counts,
    ),
  };
}
