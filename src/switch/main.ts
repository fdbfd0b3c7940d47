#!/usr/bin/env node
// Runs the software switch standalone:
//   node dist/src/switch/main.js --port 9559 --device-id 1 [--host 127.0.0.1]
//     (--tls-dir DIR | --insecure-plaintext) [--metrics HOST:PORT]
// With --tls-dir it serves mutual TLS, as `simple_switch_grpc
// --grpc-server-ssl --grpc-server-with-client-auth` does: only a
// controller with a certificate from DIR/ca.crt may connect.
// It starts with no pipeline, like `simple_switch_grpc --no-p4`: a
// controller (the sidecar) pushes one with SetForwardingPipelineConfig.
// Prints one line `zone-switch listening on HOST:PORT device_id=N tls|plaintext
// [metrics HOST:PORT]` once serving, so scripts and tests can wait for it.
import { parseArgs } from 'node:util';
import { Counter, Registry } from 'prom-client';
import { SoftwareSwitch } from './p4runtime-server.js';
import { HealthServer } from '../runtime/health-server.js';
import { processSecurity } from '../runtime/grpc-tls.js';
import { createLogger } from '../runtime/logger.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9559' },
    'device-id': { type: 'string', default: '1' },
    'tls-dir': { type: 'string' },
    'insecure-plaintext': { type: 'boolean', default: false },
    // /metrics (zone_switch_writes_refused_total) on HOST:PORT; off unless given.
    metrics: { type: 'string' },
  },
});
const logger = createLogger({ fields: { component: 'zone-switch' } });
const security = processSecurity(
  'zone-switch',
  { tlsDir: values['tls-dir'], insecure: values['insecure-plaintext'] },
  'the switch P4Runtime server',
);

const registry = new Registry();
const refused = new Counter({
  name: 'zone_switch_writes_refused_total',
  help: 'Writes and pipeline pushes refused to a controller that is not primary',
  labelNames: ['rpc'],
  registers: [registry],
});
const sw = new SoftwareSwitch({
  deviceId: BigInt(values['device-id']),
  onRefusedWrite: (r) => {
    refused.inc({ rpc: r.rpc });
    logger.warn('write refused: not the primary controller', { ...r });
  },
});
const port = await sw.start(`${values.host}:${values.port}`, security);
let metricsAt = '';
if (values.metrics) {
  const at = values.metrics.lastIndexOf(':');
  const host = values.metrics.slice(0, at);
  const health = new HealthServer(registry);
  metricsAt = ` metrics ${host}:${await health.listen(Number(values.metrics.slice(at + 1)), host)}`;
}
process.stdout.write(
  `zone-switch listening on ${values.host}:${port} device_id=${sw.deviceId} ${security.tls ? 'tls' : 'plaintext'}${metricsAt}\n`,
);
const stop = (): void => {
  sw.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
