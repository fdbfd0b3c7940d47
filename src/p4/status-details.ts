// The batch error scheme of P4Runtime (specification §12.3 "Error
// reporting"): a failed Write ends with gRPC code UNKNOWN and the trailer
// grpc-status-details-bin holds a google.rpc.Status whose details are one
// Any(p4.v1.Error) per update, in request order.
import * as grpc from '@grpc/grpc-js';
import { loadP4RuntimeProto, TO_OBJECT } from './p4runtime-proto.js';
import type { P4Error, RpcStatus } from './p4runtime-types.js';

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
export const P4_ERROR_TYPE_URL = 'type.googleapis.com/p4.v1.Error';

export interface UpdateError {
  /** A google.rpc.Code (the same numbers as gRPC's status codes); 0 (OK) for an update that succeeded. */
  code: grpc.status;
  message: string;
}

export function encodeBatchStatus(code: number, message: string, perUpdate: UpdateError[]): Buffer {
  const { root } = loadP4RuntimeProto();
  const ErrorType = root.lookupType('p4.v1.Error');
  const StatusType = root.lookupType('google.rpc.Status');
  const details = perUpdate.map((e) => ({
    type_url: P4_ERROR_TYPE_URL,
    // An OK update carries only its code, as the specification asks.
    value: ErrorType.encode(
      ErrorType.fromObject(
        e.code === grpc.status.OK ? { canonical_code: 0 } : { canonical_code: e.code, message: e.message },
      ),
    ).finish(),
  }));
  return Buffer.from(StatusType.encode(StatusType.fromObject({ code, message, details })).finish());
}

export function decodeStatus(bytes: Uint8Array): RpcStatus {
  const StatusType = loadP4RuntimeProto().root.lookupType('google.rpc.Status');
  return StatusType.toObject(StatusType.decode(bytes), TO_OBJECT);
}

/** The per-update errors of a failed batch, or undefined if the trailer is absent. */
export function decodeBatchErrors(metadata: grpc.Metadata | undefined): UpdateError[] | undefined {
  const raw = metadata?.get(STATUS_DETAILS_KEY)[0];
  if (raw === undefined) return undefined;
  const status = decodeStatus(typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw);
  const ErrorType = loadP4RuntimeProto().root.lookupType('p4.v1.Error');
  return (status.details ?? []).map((any) => {
    if (any.type_url !== P4_ERROR_TYPE_URL)
      return { code: grpc.status.UNKNOWN, message: `unexpected detail ${any.type_url ?? ''}` };
    const e = ErrorType.toObject(ErrorType.decode(any.value ?? Buffer.alloc(0)), TO_OBJECT) as P4Error;
    return { code: e.canonical_code ?? 0, message: e.message ?? '' };
  });
}

/** A ServiceError for a failed batch, with the standard trailer attached. */
export function batchError(perUpdate: UpdateError[]): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  const failed = perUpdate.filter((e) => e.code !== grpc.status.OK).length;
  const message = `${failed} of ${perUpdate.length} updates failed`;
  metadata.set(STATUS_DETAILS_KEY, encodeBatchStatus(grpc.status.UNKNOWN, message, perUpdate));
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}
