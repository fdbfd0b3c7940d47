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

let cached: P4RuntimeProto | undefined;

/** A protobufjs root that resolves imports against proto/ like protoc -I does. */
export function loadProtobufRoot(files: string[]): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string =>
    path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target);
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  return root;
}

export function loadP4RuntimeProto(file: string = P4RUNTIME_PROTO): P4RuntimeProto {
  if (cached && file === P4RUNTIME_PROTO) return cached;
  const def = protoLoader.loadSync(file, { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { p4: { v1: { P4Runtime: grpc.ServiceClientConstructor } } };
  const Client = pkg.p4.v1.P4Runtime;
  const loaded: P4RuntimeProto = { Client, service: Client.service, root: loadProtobufRoot([file]) };
  if (file === P4RUNTIME_PROTO) cached = loaded;
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
