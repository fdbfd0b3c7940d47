// The sidecar's gRPC API (proto/zonekeeper/sidecar/v1/sidecar.proto) in
// front of a Sidecar.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { MatchKind, PlannedEntry } from '../core/network/p4-entries.js';
import { LOADER_OPTIONS, PROTO_ROOT, SIDECAR_PROTO } from '../p4/proto-files.js';
import { loadProtobufRoot } from '../p4/p4runtime-proto.js';
import { DesiredStateError, type Sidecar, type ZoneStatus } from './sidecar.js';

export interface WireMatch { field?: string; kind?: string; value?: string; mask?: string; prefix_len?: number }
export interface WireEntry { table?: string; match?: WireMatch[]; priority?: number; action?: string; params?: { name?: string; value?: string }[] }
export interface WireZoneStatus { zone?: string; generation?: string; programmed?: boolean; reason?: string; message?: string; entries?: number }
export interface WireSwitchStatus {
  address?: string; device_id?: string; connected?: boolean; primary?: boolean; pipeline_cookie?: string;
  last_sync_unix_ms?: string; entries?: number; message?: string;
}

export function loadSidecarService(): grpc.ServiceClientConstructor {
  const def = protoLoader.loadSync(SIDECAR_PROTO, { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { zonekeeper: { sidecar: { v1: { ZoneProgrammer: grpc.ServiceClientConstructor } } } };
  return pkg.zonekeeper.sidecar.v1.ZoneProgrammer;
}

export function fromWire(e: WireEntry): PlannedEntry {
  return {
    table: e.table ?? '',
    match: (e.match ?? []).map((m) => ({
      field: m.field ?? '', kind: (m.kind ?? '') as MatchKind, value: m.value ?? '',
      ...(m.mask ? { mask: m.mask } : {}), ...(m.prefix_len ? { prefixLen: m.prefix_len } : {}),
    })),
    priority: e.priority ?? 0,
    action: e.action ?? '',
    params: (e.params ?? []).map((p) => ({ name: p.name ?? '', value: p.value ?? '' })),
  };
}

export function toWire(e: PlannedEntry): WireEntry {
  return {
    table: e.table, priority: e.priority, action: e.action,
    match: e.match.map((m) => ({ field: m.field, kind: m.kind, value: m.value, ...(m.mask ? { mask: m.mask } : {}), ...(m.prefixLen ? { prefix_len: m.prefixLen } : {}) })),
    params: e.params.map((p) => ({ name: p.name, value: p.value })),
  };
}

const statusToWire = (s: ZoneStatus): WireZoneStatus => ({
  zone: s.zone, generation: String(s.generation), programmed: s.programmed, reason: s.reason, message: s.message, entries: s.entries,
});

/**
 * The service definition with a lighter request decoder for the two hot
 * RPCs: protobufjs messages are read as they decode (defaults come from the
 * prototype), skipping proto-loader's second conversion to plain objects.
 */
function serviceDefinition(): grpc.ServiceDefinition {
  const service = { ...loadSidecarService().service };
  const root = loadProtobufRoot([SIDECAR_PROTO]);
  for (const [method, type] of [['SetZoneEntries', 'SetZoneEntriesRequest'], ['SetZones', 'SetZonesRequest']] as const) {
    const T = root.lookupType(`zonekeeper.sidecar.v1.${type}`);
    const def = service[method];
    if (def) service[method] = { ...def, requestDeserialize: (b: Buffer) => T.decode(b) };
  }
  return service;
}

export async function serveSidecarApi(sidecar: Sidecar, address: string): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const fail = (cb: (e: Partial<grpc.StatusObject>) => void, e: unknown): void => {
    if (e instanceof DesiredStateError) {
      cb({ code: e.kind === 'capacity' ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.INVALID_ARGUMENT, details: `desired state rejected, nothing written: ${e.message}` });
    } else {
      cb({ code: grpc.status.INTERNAL, details: (e as Error).message });
    }
  };
  server.addService(serviceDefinition(), {
    SetZoneEntries: (call: grpc.ServerUnaryCall<{ zone?: string; generation?: string; entries?: WireEntry[] }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const r = call.request;
      sidecar.setZoneEntries(r.zone ?? '', Number(String(r.generation ?? '0')), (r.entries ?? []).map(fromWire))
        .then((s) => cb(null, { status: statusToWire(s) }), (e: unknown) => fail(cb, e));
    },
    SetZones: (call: grpc.ServerUnaryCall<{ zones?: { zone?: string; generation?: string; entries?: WireEntry[] }[] }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const zones = (call.request.zones ?? []).map((z) => ({ zone: z.zone ?? '', generation: Number(String(z.generation ?? '0')), entries: (z.entries ?? []).map(fromWire) }));
      sidecar.setZones(zones).then((st) => cb(null, { statuses: st.map(statusToWire) }), (e: unknown) => fail(cb, e));
    },
    DeleteZone: (call: grpc.ServerUnaryCall<{ zone?: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      sidecar.deleteZone(call.request.zone ?? '').then((r) => cb(null, r), (e: unknown) => fail(cb, e));
    },
    GetZoneStatus: (call: grpc.ServerUnaryCall<{ zone?: string; switches_only?: boolean }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const z = call.request.zone ?? '';
      const zones = call.request.switches_only ? [] : z === '' ? sidecar.allZoneStatus() : [sidecar.zoneStatus(z)];
      cb(null, {
        zones: zones.map(statusToWire),
        switches: sidecar.switchStatus().map((s): WireSwitchStatus => ({
          address: s.address, device_id: s.deviceId, connected: s.connected, primary: s.primary, pipeline_cookie: s.pipelineCookie,
          last_sync_unix_ms: String(s.lastSyncUnixMs), entries: s.entries, message: s.message,
        })),
      });
    },
    SetElection: (call: grpc.ServerUnaryCall<{ term?: string; ordinal?: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      sidecar.setElection(BigInt(call.request.term ?? '0'), BigInt(call.request.ordinal ?? '0'));
      cb(null, {});
    },
    SetDesiredComplete: (_call: grpc.ServerUnaryCall<object, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      sidecar.setDesiredComplete().then(() => cb(null, {}), (e: unknown) => fail(cb, e));
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p)));
  });
  return { server, port };
}
