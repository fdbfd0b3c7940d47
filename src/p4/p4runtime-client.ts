// A promise-based P4Runtime client over @grpc/grpc-js: the unary RPCs, Read
// collected into one list, and the StreamChannel as an arbitration session.
// Failed batches are decoded into one error per update.
import { type GrpcSecurity, PLAINTEXT } from '../runtime/grpc-tls.js';
import * as grpc from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import { loadP4RuntimeProto } from './p4runtime-proto.js';
import { decodeBatchErrors, type UpdateError } from './status-details.js';
import type {
  CapabilitiesResponse,
  Entity,
  GetForwardingPipelineConfigRequest,
  GetForwardingPipelineConfigResponse,
  MasterArbitrationUpdate,
  ReadRequest,
  ReadResponse,
  SetForwardingPipelineConfigRequest,
  StreamMessageRequest,
  StreamMessageResponse,
  Uint128,
  WriteRequest,
} from './p4runtime-types.js';

/** A failed RPC; `updates` holds the per-update errors of a failed batch. */
export class P4RuntimeError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
    readonly updates?: UpdateError[],
  ) {
    super(`${grpc.status[code] ?? code}: ${details}`);
  }
}

function toError(e: grpc.ServiceError): P4RuntimeError {
  return new P4RuntimeError(e.code, e.details, decodeBatchErrors(e.metadata));
}

type Unary<Req, Res> = (
  req: Req,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (e: grpc.ServiceError | null, r?: Res) => void,
) => grpc.ClientUnaryCall;
interface RawClient extends grpc.Client {
  Write: Unary<WriteRequest, object>;
  SetForwardingPipelineConfig: Unary<SetForwardingPipelineConfigRequest, object>;
  GetForwardingPipelineConfig: Unary<GetForwardingPipelineConfigRequest, GetForwardingPipelineConfigResponse>;
  Capabilities: Unary<{ device_id?: string }, CapabilitiesResponse>;
  Read(req: ReadRequest, md?: grpc.Metadata, opts?: grpc.CallOptions): grpc.ClientReadableStream<ReadResponse>;
  StreamChannel(
    md?: grpc.Metadata,
    opts?: grpc.CallOptions,
  ): grpc.ClientDuplexStream<StreamMessageRequest, StreamMessageResponse>;
}

export interface P4RuntimeClientOptions {
  /** Per-RPC deadline for unary calls and reads. */
  timeoutMs?: number;
  /** How the channel is secured (default plaintext: the processes' flags choose, see grpc-tls.ts). */
  security?: GrpcSecurity;
}

export class P4RuntimeClient {
  readonly raw: RawClient;
  private readonly timeoutMs: number;

  constructor(
    readonly address: string,
    opts: P4RuntimeClientOptions = {},
  ) {
    const { Client } = loadP4RuntimeProto();
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.raw = new Client(address, (opts.security ?? PLAINTEXT).channel(), {
      // A failed batch carries ~10-100 bytes per update in its trailer; the
      // 8 KB default would turn a large failed batch into RESOURCE_EXHAUSTED
      // (P4Runtime specification, implementation note on error reporting).
      'grpc.max_metadata_size': 16 * 1024 * 1024,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      // Channelz (grpc-js' call statistics, unused here) costs a tracker update per call.
      'grpc.enable_channelz': 0,
    }) as unknown as RawClient;
  }

  close(): void {
    this.raw.close();
  }

  private deadline(): grpc.CallOptions {
    return { deadline: Date.now() + this.timeoutMs };
  }

  private unary<Req, Res>(fn: Unary<Req, Res>, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      fn.call(this.raw, req, new grpc.Metadata(), this.deadline(), (e, r) =>
        e ? reject(toError(e)) : resolve(r as Res),
      );
    });
  }

  write(req: WriteRequest): Promise<object> {
    return this.unary(this.raw.Write, req);
  }

  /** A Write whose request is already encoded (see write-encoding.ts). */
  writeEncoded(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.raw.makeUnaryRequest(
        '/p4.v1.P4Runtime/Write',
        (b: Buffer) => b,
        () => ({}),
        bytes,
        new grpc.Metadata(),
        this.deadline(),
        (e: grpc.ServiceError | null) => (e ? reject(toError(e)) : resolve()),
      );
    });
  }
  setPipeline(req: SetForwardingPipelineConfigRequest): Promise<object> {
    return this.unary(this.raw.SetForwardingPipelineConfig, req);
  }
  getPipeline(req: GetForwardingPipelineConfigRequest): Promise<GetForwardingPipelineConfigResponse> {
    return this.unary(this.raw.GetForwardingPipelineConfig, req);
  }
  capabilities(deviceId: string): Promise<CapabilitiesResponse> {
    return this.unary(this.raw.Capabilities, { device_id: deviceId });
  }

  read(req: ReadRequest): Promise<Entity[]> {
    return new Promise((resolve, reject) => {
      const out: Entity[] = [];
      const call = this.raw.Read(req, new grpc.Metadata(), this.deadline());
      call.on('data', (r: ReadResponse) => {
        for (const e of r.entities ?? []) out.push(e);
      });
      call.on('error', (e: grpc.ServiceError) => reject(toError(e)));
      call.on('end', () => resolve(out));
    });
  }

  /** Open a StreamChannel and send the first arbitration message. */
  openStream(deviceId: string, electionId: Uint128 | undefined, role = ''): ArbitrationStream {
    return new ArbitrationStream(this.raw.StreamChannel(), deviceId, electionId, role);
  }
}

/**
 * One StreamChannel. Emits 'arbitration' (MasterArbitrationUpdate) and
 * 'closed' ({code, details}) once the stream ends for any reason.
 */
export class ArbitrationStream extends EventEmitter {
  last: MasterArbitrationUpdate | undefined;
  closed: { code: grpc.status; details: string } | undefined;

  constructor(
    private readonly call: grpc.ClientDuplexStream<StreamMessageRequest, StreamMessageResponse>,
    readonly deviceId: string,
    electionId: Uint128 | undefined,
    readonly role: string,
  ) {
    super();
    call.on('data', (m: StreamMessageResponse) => {
      if (m.arbitration) {
        this.last = m.arbitration;
        this.emit('arbitration', m.arbitration);
      }
    });
    const done = (code: grpc.status, details: string): void => {
      if (this.closed) return;
      this.closed = { code, details };
      this.emit('closed', this.closed);
    };
    call.on('error', (e: grpc.ServiceError) => done(e.code, e.details));
    call.on('status', (s: grpc.StatusObject) => done(s.code, s.details));
    call.on('end', () => done(grpc.status.OK, 'stream ended'));
    this.arbitrate(electionId);
  }

  arbitrate(electionId: Uint128 | undefined, deviceId = this.deviceId, role = this.role): void {
    const a: MasterArbitrationUpdate = { device_id: deviceId };
    if (role !== '') a.role = { name: role };
    if (electionId) a.election_id = electionId;
    this.call.write({ arbitration: a });
  }

  /** The next arbitration message, or the stream's end, whichever comes first. */
  next(timeoutMs = 5000): Promise<MasterArbitrationUpdate> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        cleanup();
        reject(new Error('no arbitration message in time'));
      }, timeoutMs);
      const onArb = (m: MasterArbitrationUpdate): void => {
        cleanup();
        resolve(m);
      };
      const onClosed = (c: { code: grpc.status; details: string }): void => {
        cleanup();
        reject(new P4RuntimeError(c.code, c.details));
      };
      const cleanup = (): void => {
        clearTimeout(t);
        this.off('arbitration', onArb);
        this.off('closed', onClosed);
      };
      this.on('arbitration', onArb);
      this.on('closed', onClosed);
    });
  }

  end(): void {
    this.call.end();
    this.call.cancel();
  }
}
