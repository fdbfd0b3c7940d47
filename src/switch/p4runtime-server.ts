// The software switch's P4Runtime server: one device, served over gRPC, that
// enforces the rules of the P4Runtime specification a controller relies on
// (arbitration, primary-only writes, pipeline actions and cookie, canonical
// byte strings, per-update errors, wildcard reads, default entries). The
// packet pipeline reads the same TableStore the server writes.
import { type GrpcSecurity, PLAINTEXT } from '../runtime/grpc-tls.js';
import * as grpc from '@grpc/grpc-js';
import { loadP4RuntimeProto } from '../p4/p4runtime-proto.js';
import type {
  CapabilitiesRequest,
  CapabilitiesResponse,
  Entity,
  ForwardingPipelineConfig,
  GetForwardingPipelineConfigRequest,
  GetForwardingPipelineConfigResponse,
  ReadRequest,
  ReadResponse,
  SetForwardingPipelineConfigRequest,
  StreamMessageRequest,
  StreamMessageResponse,
  WriteRequest,
} from '../p4/p4runtime-types.js';
import { batchError, type UpdateError } from '../p4/status-details.js';
import { Arbitration, ArbitrationError, type Controller } from './arbitration.js';
import { electionToBigInt } from './election-id.js';
import { verifyPipeline, type Pipeline } from './pipeline-config.js';
import { TableStore } from './table-store.js';
import { TurnQueue } from '../p4/turn-queue.js';
import { raiseReceiveWindow } from '../p4/receive-window.js';
import { processFrame, type PacketResult } from './packet-pipeline.js';

export const P4RUNTIME_API_VERSION = '1.4.1';
const READ_CHUNK = 1000;

export interface SoftwareSwitchOptions {
  deviceId: bigint;
  /** Streams per (device, role); more are refused with RESOURCE_EXHAUSTED. */
  maxStreamsPerRole?: number;
  /** Another proto/ tree to serve from (the wire-compatibility test). */
  protoRoot?: string;
  /** Told of every write refused to a controller that is not primary: who tried, for the log. */
  onRefusedWrite?: (r: RefusedWrite) => void;
}

/** A Write or SetForwardingPipelineConfig from a controller that is not primary. */
export interface RefusedWrite {
  rpc: 'Write' | 'SetForwardingPipelineConfig';
  peer: string;
  /** The client certificate's subject, when the connection is mutual TLS. */
  subject: string;
  role: string;
  electionId: string;
}

type Err = Partial<grpc.StatusObject>;
const err = (code: grpc.status, details: string): Err => ({ code, details, metadata: new grpc.Metadata() });

export class SoftwareSwitch {
  readonly deviceId: bigint;
  private readonly arbitration: Arbitration;
  private readonly protoRoot: string | undefined;
  private server: grpc.Server | undefined;
  private active: Pipeline | undefined;
  private saved: Pipeline | undefined;
  private store: TableStore | undefined;
  /** Writes received and not yet applied, in arrival order (see write()). */
  private readonly writeQueue = new TurnQueue();
  /** Counts for tests and the CLI's log. */
  readonly stats = { writes: 0, updates: 0, reads: 0, refusedWrites: 0 };
  private readonly onRefusedWrite: ((r: RefusedWrite) => void) | undefined;

  constructor(opts: SoftwareSwitchOptions) {
    this.deviceId = opts.deviceId;
    this.arbitration = new Arbitration(opts.maxStreamsPerRole ?? 16);
    this.protoRoot = opts.protoRoot;
    this.onRefusedWrite = opts.onRefusedWrite;
  }

  /** Serve on host:port (port 0 picks a free one); resolves to the bound port. */
  async start(address = '127.0.0.1:0', security: GrpcSecurity = PLAINTEXT): Promise<number> {
    const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    const { service } = loadP4RuntimeProto(this.protoRoot);
    server.addService(service, {
      Write: this.write.bind(this),
      Read: this.read.bind(this),
      SetForwardingPipelineConfig: this.setPipeline.bind(this),
      GetForwardingPipelineConfig: this.getPipeline.bind(this),
      StreamChannel: this.streamChannel.bind(this),
      Capabilities: this.capabilities.bind(this),
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, security.server(), (e, p) => (e ? reject(e) : resolve(p)));
    });
    raiseReceiveWindow(server);
    this.server = server;
    return port;
  }

  /** Stop at once, as a crash or power cycle would: streams break, state is lost. */
  stop(): void {
    this.writeQueue.clear();
    this.server?.forceShutdown();
    this.server = undefined;
  }

  get tables(): TableStore | undefined {
    return this.store;
  }
  get pipeline(): Pipeline | undefined {
    return this.active;
  }

  /** Run a raw Ethernet frame through the installed tables. */
  processFrame(frame: Buffer, ingressPort: number): PacketResult {
    return processFrame(this.store, frame, ingressPort);
  }

  // ---- StreamChannel ----

  private streamChannel(call: grpc.ServerDuplexStream<StreamMessageRequest, StreamMessageResponse>): void {
    let controller: (Controller & { electionId: bigint | undefined }) | undefined;
    let closed = false;
    const close = (e?: ArbitrationError): void => {
      if (closed) return;
      closed = true;
      if (controller) this.arbitration.leave(controller);
      if (e) call.emit('error', { code: e.code, details: e.message });
    };
    call.on('data', (msg: StreamMessageRequest) => {
      if (closed) return;
      if (msg.update !== 'arbitration' || !msg.arbitration) {
        if (!controller) {
          close(
            new ArbitrationError(
              grpc.status.FAILED_PRECONDITION,
              'the first stream message must be a MasterArbitrationUpdate',
            ),
          );
        }
        return;
      }
      const a = msg.arbitration;
      const deviceId = BigInt(a.device_id ?? '0');
      const role = a.role?.name ?? '';
      const electionId = a.election_id ? electionToBigInt(a.election_id) : undefined;
      try {
        if (a.role?.config)
          throw new ArbitrationError(grpc.status.INVALID_ARGUMENT, 'role.config is not supported by this target');
        if (!controller) {
          if (deviceId !== this.deviceId)
            throw new ArbitrationError(grpc.status.NOT_FOUND, `unknown device_id ${deviceId}`);
          const c: Controller = {
            deviceId,
            role,
            electionId,
            send: (update) => {
              if (!closed) call.write({ arbitration: update });
            },
          };
          this.arbitration.join(c);
          controller = c;
        } else {
          this.arbitration.update(controller, deviceId, role, electionId);
        }
      } catch (e) {
        if (e instanceof ArbitrationError) close(e);
        else throw e;
      }
    });
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('error', () => close());
    call.on('cancelled', () => close());
  }

  // ---- checks shared by Write and SetForwardingPipelineConfig ----

  private checkPrimary(
    rpc: RefusedWrite['rpc'],
    call: grpc.ServerUnaryCall<unknown, unknown>,
    req: {
      device_id?: string;
      role?: string;
      election_id?: WriteRequest['election_id'];
    },
  ): Err | undefined {
    if (BigInt(req.device_id ?? '0') !== this.deviceId)
      return err(grpc.status.NOT_FOUND, `unknown device_id ${req.device_id ?? '0'}`);
    if (!this.arbitration.isPrimary(this.deviceId, req.role ?? '', req.election_id)) {
      // Counted and told: a refused write is either a stale controller or someone trying to take the switch.
      this.stats.refusedWrites++;
      const e = req.election_id;
      this.onRefusedWrite?.({
        rpc,
        peer: call.getPeer(),
        subject: String(call.getAuthContext().sslPeerCertificate?.subject?.CN ?? ''),
        role: req.role ?? '',
        electionId: e ? `${e.high ?? '0'}:${e.low ?? '0'}` : 'none',
      });
      return err(grpc.status.PERMISSION_DENIED, 'not the primary controller for this device and role (election_id)');
    }
    return undefined;
  }

  // ---- Write ----

  /**
   * Writes are applied one per macrotask, in arrival order. Run back to back
   * in the tick their messages arrived in, a burst of batches from a
   * pipelining client would hold every response until the last batch was
   * applied (responses are flushed only when the event loop turns), so the
   * client would see the switch as idle-then-busy and could not keep it fed.
   */
  private write(call: grpc.ServerUnaryCall<WriteRequest, object>, cb: grpc.sendUnaryData<object>): void {
    this.writeQueue.push(() => this.applyWrite(call, cb));
  }

  private applyWrite(call: grpc.ServerUnaryCall<WriteRequest, object>, cb: grpc.sendUnaryData<object>): void {
    const req = call.request;
    const denied = this.checkPrimary('Write', call, req);
    if (denied) return cb(denied, null);
    if (!this.store)
      return cb(err(grpc.status.FAILED_PRECONDITION, 'no forwarding pipeline config has been set'), null);
    const atomicity = req.atomicity ?? 'CONTINUE_ON_ERROR';
    if (atomicity !== 'CONTINUE_ON_ERROR')
      return cb(err(grpc.status.UNIMPLEMENTED, `atomicity ${atomicity} is not supported`), null);
    this.stats.writes++;
    const updates = req.updates ?? [];
    this.stats.updates += updates.length;
    // Updates run in request order, so the batch behaves as if sequential.
    const results: UpdateError[] = updates.map((u) => (this.store as TableStore).apply(u));
    if (results.some((r) => r.code !== grpc.status.OK)) return cb(batchError(results), null);
    cb(null, {});
  }

  // ---- Read ----

  private read(call: grpc.ServerWritableStream<ReadRequest, ReadResponse>): void {
    const req = call.request;
    if (BigInt(req.device_id ?? '0') !== this.deviceId) {
      call.emit('error', err(grpc.status.NOT_FOUND, `unknown device_id ${req.device_id ?? '0'}`));
      return;
    }
    if (!this.store) {
      call.emit('error', err(grpc.status.FAILED_PRECONDITION, 'no forwarding pipeline config has been set'));
      return;
    }
    this.stats.reads++;
    const entities: Entity[] = [];
    const results: UpdateError[] = [];
    let failed = false;
    for (const ent of req.entities ?? []) {
      let r: Entity[] | UpdateError;
      if (ent.entity === 'table_entry' && ent.table_entry) {
        const read = this.store.read(ent.table_entry);
        r = Array.isArray(read) ? read.map((e) => ({ table_entry: e })) : read;
      } else if (ent.entity === 'direct_counter_entry' && ent.direct_counter_entry) {
        const read = this.store.readCounters(ent.direct_counter_entry);
        r = Array.isArray(read) ? read.map((e) => ({ direct_counter_entry: e })) : read;
      } else {
        failed = true;
        results.push({
          code: grpc.status.INVALID_ARGUMENT,
          message: ent.entity ? `entity ${ent.entity} is not supported` : 'empty entity',
        });
        continue;
      }
      if (Array.isArray(r)) {
        results.push({ code: grpc.status.OK, message: '' });
        for (const e of r) entities.push(e);
      } else {
        failed = true;
        results.push(r);
      }
    }
    if (failed) {
      call.emit('error', batchError(results));
      return;
    }
    for (let i = 0; i < entities.length; i += READ_CHUNK) call.write({ entities: entities.slice(i, i + READ_CHUNK) });
    call.end();
  }

  // ---- Pipeline config ----

  private setPipeline(
    call: grpc.ServerUnaryCall<SetForwardingPipelineConfigRequest, object>,
    cb: grpc.sendUnaryData<object>,
  ): void {
    const req = call.request;
    const denied = this.checkPrimary('SetForwardingPipelineConfig', call, req);
    if (denied) return cb(denied, null);
    const action = req.action ?? 'UNSPECIFIED';
    if (action === 'COMMIT') {
      if (req.config) return cb(err(grpc.status.INVALID_ARGUMENT, 'COMMIT takes no config'), null);
      if (!this.saved) return cb(err(grpc.status.NOT_FOUND, 'no saved config to commit (VERIFY_AND_SAVE first)'), null);
      this.commit(this.saved);
      this.saved = undefined;
      return cb(null, {});
    }
    if (action === 'UNSPECIFIED') return cb(err(grpc.status.INVALID_ARGUMENT, 'action is UNSPECIFIED'), null);
    const { pipeline, problem } = verifyPipeline(req.config);
    if (!pipeline) return cb(err(grpc.status.INVALID_ARGUMENT, `config cannot be realised: ${problem ?? ''}`), null);
    switch (action) {
      case 'VERIFY':
        return cb(null, {});
      case 'VERIFY_AND_SAVE':
        this.saved = pipeline;
        return cb(null, {});
      case 'VERIFY_AND_COMMIT':
        this.saved = undefined;
        this.commit(pipeline);
        return cb(null, {});
      case 'RECONCILE_AND_COMMIT': {
        // Keep every entry that is still valid under the new P4Info, with
        // its counts where the new table counts too; if one is not valid,
        // the state cannot be preserved and nothing changes.
        const next = new TableStore(pipeline.index, pipeline.defaults);
        if (this.store) {
          for (const t of this.store.p4info.tables) {
            const counted = next.hasDirectCounter(t.id);
            const read = this.store.read({ table_id: t.id, ...(counted ? { counter_data: {} } : {}) });
            for (const e of read as ReturnType<TableStore['toEntry']>[]) {
              const r = next.apply({ type: 'INSERT', entity: { table_entry: e, entity: 'table_entry' } });
              if (r.code !== grpc.status.OK)
                return cb(
                  err(grpc.status.INVALID_ARGUMENT, `forwarding state cannot be preserved: ${r.message}`),
                  null,
                );
            }
          }
        }
        this.active = pipeline;
        this.store = next;
        this.saved = undefined;
        return cb(null, {});
      }
      default:
        return cb(err(grpc.status.INVALID_ARGUMENT, `unknown action ${String(action)}`), null);
    }
  }

  private commit(p: Pipeline): void {
    this.active = p;
    this.store = new TableStore(p.index, p.defaults);
  }

  private getPipeline(
    call: grpc.ServerUnaryCall<GetForwardingPipelineConfigRequest, GetForwardingPipelineConfigResponse>,
    cb: grpc.sendUnaryData<GetForwardingPipelineConfigResponse>,
  ): void {
    const req = call.request;
    if (BigInt(req.device_id ?? '0') !== this.deviceId)
      return cb(err(grpc.status.NOT_FOUND, `unknown device_id ${req.device_id ?? '0'}`), null);
    const c = this.active?.config;
    if (!c) return cb(null, { config: {} });
    const out: ForwardingPipelineConfig = {};
    if (c.cookie) out.cookie = c.cookie;
    const type = req.response_type ?? 'ALL';
    if (type === 'ALL' || type === 'P4INFO_AND_COOKIE') out.p4info = c.p4info;
    if ((type === 'ALL' || type === 'DEVICE_CONFIG_AND_COOKIE') && c.p4_device_config)
      out.p4_device_config = c.p4_device_config;
    cb(null, { config: out });
  }

  private capabilities(
    _call: grpc.ServerUnaryCall<CapabilitiesRequest, CapabilitiesResponse>,
    cb: grpc.sendUnaryData<CapabilitiesResponse>,
  ): void {
    cb(null, { p4runtime_api_version: P4RUNTIME_API_VERSION });
  }
}
