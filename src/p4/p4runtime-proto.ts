// Loads the project's P4Runtime protos once: @grpc/proto-loader for the gRPC
// service (client and server), protobufjs for the messages gRPC does not
// serialise for us (google.rpc.Status in the error trailer, P4Info text).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import path from 'node:path';
import { LOADER_OPTIONS, P4RUNTIME_PROTO, PROTO_ROOT } from './proto-files.js';

export interface P4RuntimeProto {
  /** The generated client constructor of p4.v1.P4Runtime. */
  Client: grpc.ServiceClientConstructor;
  service: grpc.ServiceDefinition;
  root: protobuf.Root;
}

const cache = new Map<string, P4RuntimeProto>();

/** A protobufjs root that resolves imports against proto/ like protoc -I does. */
export function loadProtobufRoot(files: string[], protoRoot = PROTO_ROOT): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string =>
    path.isAbsolute(target) ? target : path.join(protoRoot, target);
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  return root;
}

/**
 * `protoRoot` defaults to the project's proto/; the interop test points it
 * at a copy with a deliberately wrong field number.
 */
export function loadP4RuntimeProto(protoRoot: string = PROTO_ROOT): P4RuntimeProto {
  const hit = cache.get(protoRoot);
  if (hit) return hit;
  const def = protoLoader.loadSync(P4RUNTIME_PROTO, { ...LOADER_OPTIONS, includeDirs: [protoRoot] });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    p4: { v1: { P4Runtime: grpc.ServiceClientConstructor } };
  };
  const Client = pkg.p4.v1.P4Runtime;
  const loaded: P4RuntimeProto = {
    Client,
    service: Client.service,
    root: loadProtobufRoot([P4RUNTIME_PROTO], protoRoot),
  };
  cache.set(protoRoot, loaded);
  return loaded;
}

/** protobufjs toObject options equal to the loader's, for hand-decoded messages. */
export const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: true,
};
