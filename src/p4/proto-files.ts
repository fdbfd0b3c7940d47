// Where the project's .proto files live, from compiled code (dist/src/p4) or
// from ts sources alike: both sit three levels below the repository root.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');
export const P4_DIR = path.resolve(PROTO_ROOT, '../p4');

export const P4RUNTIME_PROTO = 'p4/v1/p4runtime.proto';
export const SIDECAR_PROTO = 'zonekeeper/sidecar/v1/sidecar.proto';

/** The options every loader in the project uses, so all code sees one shape. */
export const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
} as const;
