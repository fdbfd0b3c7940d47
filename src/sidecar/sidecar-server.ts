// The sidecar's gRPC API (proto/zonekeeper/sidecar/v1/sidecar.proto) in
// front of a Sidecar.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, PROTO_ROOT, SIDECAR_PROTO } from '../p4/proto-files.js';
import { DesiredStateError, type Sidecar, type ZoneStatus } from './sidecar.js';
import { raiseReceiveWindow } from '../p4/receive-window.js';
import { TurnQueue } from '../p4/turn-queue.js';
import { type GrpcSecurity, PLAINTEXT } from '../runtime/grpc-tls.js';
import { decodeSetZoneEntriesRequest, decodeSetZonesRequest, type ZoneRequest } from './wire-entries.js';

export interface WireZoneStatus {
  zone?: string;
  generation?: string;
  programmed?: boolean;
  reason?: string;
  message?: string;
  entries?: number;
  vlan_id?: number;
}
export interface WireSwitchStatus {
  address?: string;
  device_id?: string;
  connected?: boolean;
  primary?: boolean;
  pipeline_cookie?: string;
  last_sync_unix_ms?: string;
  entries?: number;
  message?: string;
}

export interface WireZoneCounters {
  zones?: { zone?: string; packets?: string; bytes?: string }[];
  complete?: boolean;
  read_unix_ms?: string;
  message?: string;
}

export function loadSidecarService(): grpc.ServiceClientConstructor {
  const def = protoLoader.loadSync(SIDECAR_PROTO, { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    zonekeeper: { sidecar: { v1: { ZoneProgrammer: grpc.ServiceClientConstructor } } };
  };
  return pkg.zonekeeper.sidecar.v1.ZoneProgrammer;
}

const statusToWire = (s: ZoneStatus): WireZoneStatus => ({
  zone: s.zone,
  generation: String(s.generation),
  programmed: s.programmed,
  reason: s.reason,
  message: s.message,
  entries: s.entries,
  vlan_id: s.vlanId,
});

/**
 * The service definition with the two hot requests left as bytes: their
 * handlers read them straight into PlannedEntry (wire-entries.ts), skipping
 * proto-loader's message objects and their conversion to plain objects.
 */
function serviceDefinition(): grpc.ServiceDefinition {
  const service = { ...loadSidecarService().service };
  for (const method of ['SetZoneEntries', 'SetZones']) {
    const def = service[method];
    if (def) service[method] = { ...def, requestDeserialize: (b: Buffer) => b };
  }
  return service;
}

/** A request that is not valid protobuf is the caller's mistake, not the sidecar's. */
class MalformedRequest extends Error {}
function decode<T>(fn: (b: Buffer) => T, b: Buffer): T {
  try {
    return fn(b);
  } catch (e) {
    throw new MalformedRequest(`request is not a valid protobuf message: ${(e as Error).message}`);
  }
}

/**
 * Decoding and preparing a zone update is the sidecar's heaviest work (about
 * 10 ms for 1,000 entries). Run in the I/O callback that received the
 * request, several such requests arriving together would keep the event
 * loop in its poll phase while the P4Runtime writes already started wait to
 * be sent (Node sends HTTP/2 data from its check phase): in the benchmark a
 * write reached the switch 35-50 ms after it was issued, with the switch
 * idle meanwhile. Running one such request per turn of the event loop
 * lets the writes started by the last one go out before the next starts.
 */
function deferred<T>(queue: TurnQueue, work: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) =>
    queue.push(() => {
      // The executor turns a synchronous throw of `work` into a rejection too.
      new Promise<T>((run) => run(work())).then(resolve, reject);
    }),
  );
}

export async function serveSidecarApi(
  sidecar: Sidecar,
  address: string,
  security: GrpcSecurity = PLAINTEXT,
): Promise<{ server: grpc.Server; port: number }> {
  // Channelz (grpc-js' call statistics, unused here) costs a tracker update per call.
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024, 'grpc.enable_channelz': 0 });
  const fail = (cb: (e: Partial<grpc.StatusObject>) => void, e: unknown): void => {
    if (e instanceof MalformedRequest) {
      cb({ code: grpc.status.INVALID_ARGUMENT, details: e.message });
    } else if (e instanceof DesiredStateError) {
      cb({
        code: e.kind === 'capacity' ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.INVALID_ARGUMENT,
        details: `desired state rejected, nothing written: ${e.message}`,
      });
    } else {
      cb({ code: grpc.status.INTERNAL, details: (e as Error).message });
    }
  };
  const updates = new TurnQueue();
  server.addService(serviceDefinition(), {
    SetZoneEntries: (call: grpc.ServerUnaryCall<Buffer, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      deferred(updates, () => {
        const r: ZoneRequest = decode(decodeSetZoneEntriesRequest, call.request);
        return sidecar.setZoneEntries(r.zone, r.generation, r.entries, r.vlanId);
      }).then(
        (s) => cb(null, { status: statusToWire(s) }),
        (e: unknown) => fail(cb, e),
      );
    },
    SetZones: (call: grpc.ServerUnaryCall<Buffer, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      deferred(updates, () => sidecar.setZones(decode(decodeSetZonesRequest, call.request).zones)).then(
        (st) => cb(null, { statuses: st.map(statusToWire) }),
        (e: unknown) => fail(cb, e),
      );
    },
    DeleteZone: (call: grpc.ServerUnaryCall<{ zone?: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      sidecar.deleteZone(call.request.zone ?? '').then(
        (r) => cb(null, r),
        (e: unknown) => fail(cb, e),
      );
    },
    GetZoneStatus: (
      call: grpc.ServerUnaryCall<{ zone?: string; switches_only?: boolean }, unknown>,
      cb: grpc.sendUnaryData<unknown>,
    ) => {
      const z = call.request.zone ?? '';
      const zones = call.request.switches_only ? [] : z === '' ? sidecar.allZoneStatus() : [sidecar.zoneStatus(z)];
      cb(null, {
        zones: zones.map(statusToWire),
        switches: sidecar.switchStatus().map((s): WireSwitchStatus => ({
          address: s.address,
          device_id: s.deviceId,
          connected: s.connected,
          primary: s.primary,
          pipeline_cookie: s.pipelineCookie,
          last_sync_unix_ms: String(s.lastSyncUnixMs),
          entries: s.entries,
          message: s.message,
        })),
        desired_complete: sidecar.desiredComplete(),
      });
    },
    SetElection: (
      call: grpc.ServerUnaryCall<{ term?: string; ordinal?: string }, unknown>,
      cb: grpc.sendUnaryData<unknown>,
    ) => {
      sidecar.setElection(BigInt(call.request.term ?? '0'), BigInt(call.request.ordinal ?? '0'));
      cb(null, {});
    },
    GetZoneCounters: (
      call: grpc.ServerUnaryCall<{ zone?: string; cached?: boolean }, unknown>,
      cb: grpc.sendUnaryData<WireZoneCounters>,
    ) => {
      const z = call.request.zone ?? '';
      const snap = call.request.cached ? Promise.resolve(sidecar.lastZoneCounts()) : sidecar.readZoneCounts();
      snap.then(
        (s) =>
          cb(null, {
            zones: s.zones
              .filter((c) => z === '' || c.zone === z)
              .map((c) => ({ zone: c.zone, packets: c.packets.toString(), bytes: c.bytes.toString() })),
            complete: s.complete,
            read_unix_ms: String(s.readAtMs),
            message: s.message,
          }),
        (e: unknown) => fail(cb, e),
      );
    },
    SetDesiredComplete: (_call: grpc.ServerUnaryCall<object, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      sidecar.setDesiredComplete().then(
        () => cb(null, {}),
        (e: unknown) => fail(cb, e),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, security.server(), (e, p) => (e ? reject(e) : resolve(p)));
  });
  // SetZones requests of 64 zones are about 100 KiB.
  raiseReceiveWindow(server);
  return { server, port };
}
