// A typed client of the sidecar's API, for the operator and for tests.
import * as grpc from '@grpc/grpc-js';
import type { PlannedEntry } from '../core/network/p4-entries.js';
import {
  loadSidecarService,
  type WireSwitchStatus,
  type WireZoneCounters,
  type WireZoneStatus,
} from './sidecar-server.js';
import type { ZoneRequest } from './wire-entries.js';
import { type GrpcSecurity, PLAINTEXT } from '../runtime/grpc-tls.js';
import { encodeSetZoneEntriesRequest, encodeSetZonesRequest } from './zone-request-encoding.js';

type Cb<R> = (e: grpc.ServiceError | null, r?: R) => void;
interface Raw extends grpc.Client {
  SetZoneEntries(req: unknown, md: grpc.Metadata, o: grpc.CallOptions, cb: Cb<{ status?: WireZoneStatus }>): void;
  SetZones(req: unknown, md: grpc.Metadata, o: grpc.CallOptions, cb: Cb<{ statuses?: WireZoneStatus[] }>): void;
  DeleteZone(
    req: unknown,
    md: grpc.Metadata,
    o: grpc.CallOptions,
    cb: Cb<{ removed?: boolean; message?: string }>,
  ): void;
  GetZoneStatus(
    req: unknown,
    md: grpc.Metadata,
    o: grpc.CallOptions,
    cb: Cb<{ zones?: WireZoneStatus[]; switches?: WireSwitchStatus[]; desired_complete?: boolean }>,
  ): void;
  SetElection(req: unknown, md: grpc.Metadata, o: grpc.CallOptions, cb: Cb<object>): void;
  SetDesiredComplete(req: unknown, md: grpc.Metadata, o: grpc.CallOptions, cb: Cb<object>): void;
  GetZoneCounters(req: unknown, md: grpc.Metadata, o: grpc.CallOptions, cb: Cb<WireZoneCounters>): void;
}

/** A zone's traffic as the sidecar last read it from the switches. */
export interface ZoneCounters {
  zones: { zone: string; packets: bigint; bytes: bigint }[];
  complete: boolean;
  readAtMs: number;
  message: string;
}

export class SidecarClient {
  private readonly raw: Raw;
  private readonly service: grpc.ServiceDefinition;
  constructor(
    address: string,
    private readonly timeoutMs = 60_000,
    security: GrpcSecurity = PLAINTEXT,
  ) {
    const C = loadSidecarService();
    this.service = C.service;
    this.raw = new C(address, security.channel(), {
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      'grpc.enable_channelz': 0,
      // grpc-js backs off up to 120 s between connection attempts; the sidecar is
      // next door, and a restarted one should be used again within seconds.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
    }) as unknown as Raw;
  }

  /** A call whose request is encoded by `serialize` (wire-entries.ts) instead of proto-loader's object conversion. */
  private callEncoded<Req, R>(
    method: 'SetZoneEntries' | 'SetZones',
    serialize: (r: Req) => Buffer,
    req: Req,
  ): Promise<R> {
    const def = this.service[method] as grpc.MethodDefinition<Req, R>;
    return new Promise((resolve, reject) =>
      this.raw.makeUnaryRequest(
        def.path,
        serialize,
        def.responseDeserialize,
        req,
        new grpc.Metadata(),
        { deadline: Date.now() + this.timeoutMs },
        (e: grpc.ServiceError | null, r?: R) => (e ? reject(e) : resolve(r as R)),
      ),
    );
  }

  private call<R>(
    fn: (req: unknown, md: grpc.Metadata, o: grpc.CallOptions, cb: Cb<R>) => void,
    req: unknown,
  ): Promise<R> {
    return new Promise((resolve, reject) =>
      fn(req, new grpc.Metadata(), { deadline: Date.now() + this.timeoutMs }, (e, r) =>
        e ? reject(e) : resolve(r as R),
      ),
    );
  }

  async setZoneEntries(
    zone: string,
    generation: number,
    entries: PlannedEntry[],
    vlanId?: number,
  ): Promise<WireZoneStatus> {
    const r = await this.callEncoded<ZoneRequest, { status?: WireZoneStatus }>(
      'SetZoneEntries',
      encodeSetZoneEntriesRequest,
      { zone, generation, entries, ...(vlanId !== undefined ? { vlanId } : {}) },
    );
    return r.status ?? {};
  }
  async setZones(zones: ZoneRequest[]): Promise<WireZoneStatus[]> {
    const r = await this.callEncoded<{ zones: ZoneRequest[] }, { statuses?: WireZoneStatus[] }>(
      'SetZones',
      encodeSetZonesRequest,
      { zones },
    );
    return r.statuses ?? [];
  }
  deleteZone(zone: string): Promise<{ removed?: boolean; message?: string }> {
    return this.call(this.raw.DeleteZone.bind(this.raw), { zone });
  }
  getZoneStatus(
    zone = '',
  ): Promise<{ zones?: WireZoneStatus[]; switches?: WireSwitchStatus[]; desired_complete?: boolean }> {
    return this.call(this.raw.GetZoneStatus.bind(this.raw), { zone });
  }
  async getSwitchStatus(): Promise<WireSwitchStatus[]> {
    return (await this.call(this.raw.GetZoneStatus.bind(this.raw), { switches_only: true })).switches ?? [];
  }
  async setElection(term: bigint, ordinal: bigint): Promise<void> {
    await this.call(this.raw.SetElection.bind(this.raw), { term: term.toString(), ordinal: ordinal.toString() });
  }
  async setDesiredComplete(): Promise<void> {
    await this.call(this.raw.SetDesiredComplete.bind(this.raw), {});
  }
  /** `zone` empty: all zones; `cached`: the sidecar's last periodic read instead of a read now. */
  async getZoneCounters(zone = '', cached = false): Promise<ZoneCounters> {
    const r = await this.call(this.raw.GetZoneCounters.bind(this.raw), { zone, cached });
    return {
      zones: (r.zones ?? []).map((c) => ({
        zone: c.zone ?? '',
        packets: BigInt(c.packets ?? '0'),
        bytes: BigInt(c.bytes ?? '0'),
      })),
      complete: r.complete ?? false,
      readAtMs: Number(r.read_unix_ms ?? '0'),
      message: r.message ?? '',
    };
  }
  close(): void {
    this.raw.close();
  }
}
