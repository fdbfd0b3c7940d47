// Primary election per (device_id, role), P4Runtime specification §5
// ("Client Arbitration and Controller Replication"): the controller whose
// election_id is >= the highest ever seen for the pair is primary; when the
// primary leaves nobody is promoted (since v1.1); every change is announced
// to all controllers of the pair (OK to the primary, ALREADY_EXISTS to
// backups, NOT_FOUND to all while there is no primary).
import * as grpc from '@grpc/grpc-js';
import type { MasterArbitrationUpdate, Uint128 } from '../p4/p4runtime-types.js';
import { bigIntToElection, electionToBigInt } from './election-id.js';

/** One StreamChannel that has sent its first arbitration message. */
export interface Controller {
  readonly deviceId: bigint;
  readonly role: string;
  /** undefined: the controller sent no election_id and can never be primary. */
  electionId: bigint | undefined;
  send(update: MasterArbitrationUpdate): void;
}

interface RoleState {
  controllers: Set<Controller>;
  /** The highest election id a primary has held (election_id_past). */
  highest: bigint | undefined;
  primary: Controller | undefined;
}

export class ArbitrationError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export class Arbitration {
  private readonly roles = new Map<string, RoleState>();

  constructor(private readonly maxStreamsPerRole = 16) {}

  private state(deviceId: bigint, role: string): RoleState {
    const key = `${deviceId}/${role}`;
    let s = this.roles.get(key);
    if (!s) {
      s = { controllers: new Set(), highest: undefined, primary: undefined };
      this.roles.set(key, s);
    }
    return s;
  }

  /** The first arbitration message of a stream. Throws ArbitrationError to end the stream. */
  join(c: Controller): void {
    const s = this.state(c.deviceId, c.role);
    this.checkUnique(s, c, c.electionId);
    if (s.controllers.size >= this.maxStreamsPerRole) {
      throw new ArbitrationError(grpc.status.RESOURCE_EXHAUSTED, `too many controllers for role '${c.role}'`);
    }
    s.controllers.add(c);
    this.elect(s, c);
  }

  /** A later arbitration message on a live stream. */
  update(c: Controller, deviceId: bigint, role: string, electionId: bigint | undefined): void {
    if (deviceId !== c.deviceId)
      throw new ArbitrationError(grpc.status.FAILED_PRECONDITION, 'device_id differs from the one of this stream');
    if (role !== c.role)
      throw new ArbitrationError(
        grpc.status.FAILED_PRECONDITION,
        'role differs from the one of this stream; open a new stream to change role',
      );
    const s = this.state(c.deviceId, c.role);
    this.checkUnique(s, c, electionId);
    c.electionId = electionId;
    this.elect(s, c);
  }

  leave(c: Controller): void {
    const s = this.state(c.deviceId, c.role);
    if (!s.controllers.delete(c)) return;
    if (s.primary === c) {
      s.primary = undefined;
      this.notifyAll(s);
    }
  }

  isPrimary(deviceId: bigint, role: string, electionId: Uint128 | undefined): boolean {
    const s = this.roles.get(`${deviceId}/${role}`);
    if (!s?.primary || electionId === undefined) return false;
    return s.primary.electionId === electionToBigInt(electionId);
  }

  private checkUnique(s: RoleState, c: Controller, id: bigint | undefined): void {
    if (id === undefined) return;
    for (const other of s.controllers) {
      if (other !== c && other.electionId === id) {
        throw new ArbitrationError(
          grpc.status.INVALID_ARGUMENT,
          `election_id ${id} is already used by another controller`,
        );
      }
    }
  }

  private elect(s: RoleState, c: Controller): void {
    const id = c.electionId;
    if (id !== undefined && (s.highest === undefined || id >= s.highest)) {
      s.highest = id;
      s.primary = c;
      this.notifyAll(s);
      return;
    }
    if (s.primary === c) {
      // The primary downgraded itself: everyone learns there is none.
      s.primary = undefined;
      this.notifyAll(s);
      return;
    }
    this.notify(s, c);
  }

  private message(s: RoleState, c: Controller): MasterArbitrationUpdate {
    const msg: MasterArbitrationUpdate = { device_id: c.deviceId.toString(), role: { name: c.role } };
    if (s.highest !== undefined) msg.election_id = bigIntToElection(s.highest);
    if (s.primary === c) msg.status = { code: grpc.status.OK, message: 'primary' };
    else if (s.primary)
      msg.status = { code: grpc.status.ALREADY_EXISTS, message: 'backup: another controller is primary' };
    else msg.status = { code: grpc.status.NOT_FOUND, message: 'backup: there is no primary' };
    return msg;
  }

  private notify(s: RoleState, c: Controller): void {
    c.send(this.message(s, c));
  }
  private notifyAll(s: RoleState): void {
    for (const c of s.controllers) this.notify(s, c);
  }
}
