#!/usr/bin/env node
// Runs the software switch standalone:
//   node dist/src/switch/main.js --port 9559 --device-id 1 [--host 127.0.0.1]
// It starts with no pipeline, like `simple_switch_grpc --no-p4`: a
// controller (the sidecar) pushes one with SetForwardingPipelineConfig.
// Prints one line `zone-switch listening on HOST:PORT device_id=N` once
// serving, so scripts and tests can wait for it.
import { parseArgs } from 'node:util';
import { SoftwareSwitch } from './p4runtime-server.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9559' },
    'device-id': { type: 'string', default: '1' },
  },
});

const sw = new SoftwareSwitch({ deviceId: BigInt(values['device-id']) });
const port = await sw.start(`${values.host}:${values.port}`);
process.stdout.write(`zone-switch listening on ${values.host}:${port} device_id=${sw.deviceId}\n`);
const stop = (): void => {
  sw.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
