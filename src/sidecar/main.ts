#!/usr/bin/env node
// The sidecar process:
//   node dist/src/sidecar/main.js --switch 127.0.0.1:9559@1 \
//     [--p4info p4/zone_switch.p4info.txtpb --device-config p4/zone_switch.json] \
//     --listen 127.0.0.1:50051 --http 127.0.0.1:9090 [--election-term 0 --election-ordinal N]
//     (--tls-dir DIR | --insecure-plaintext)
// DIR (tls.crt, tls.key, ca.crt) is the sidecar's identity on both of its
// hops: the server certificate the operator checks, and the client
// certificate the switches check; its ca.crt decides whom it trusts.
// Prints `zone-sidecar listening on HOST:PORT http HOST:PORT` once serving.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readP4InfoFile } from '../p4/p4info.js';
import { ZONE_SWITCH_JSON, ZONE_SWITCH_P4INFO } from '../p4/proto-files.js';
import { serveHealth } from './health-server.js';
import { Sidecar } from './sidecar.js';
import { processSecurity } from '../runtime/grpc-tls.js';
import { serveSidecarApi } from './sidecar-server.js';

const { values } = parseArgs({
  options: {
    switch: { type: 'string', multiple: true, default: ['127.0.0.1:9559@1'] },
    // Both default to the compiled zone_switch shipped with the sidecar.
    p4info: { type: 'string', default: ZONE_SWITCH_P4INFO },
    'device-config': { type: 'string', default: ZONE_SWITCH_JSON },
    listen: { type: 'string', default: '127.0.0.1:50051' },
    http: { type: 'string', default: '127.0.0.1:9090' },
    // Until its operator leads and calls SetElection, a sidecar arbitrates
    // with (term 0, a random ordinal): a backup next to the leader's sidecar,
    // and distinct from the other replicas' sidecars (an election id held
    // by a live controller is refused).
    'election-term': { type: 'string', default: '0' },
    'election-ordinal': { type: 'string' },
    role: { type: 'string', default: '' },
    'batch-size': { type: 'string', default: '1000' },
    'max-in-flight': { type: 'string', default: '4' },
    'resync-interval-ms': { type: 'string', default: '30000' },
    // How often the zones' counters are read for /metrics (0: only when asked).
    'counter-interval-ms': { type: 'string', default: '10000' },
    // Delete entries no zone owns without waiting for SetDesiredComplete.
    'prune-unowned': { type: 'boolean', default: false },
    'tls-dir': { type: 'string' },
    'insecure-plaintext': { type: 'boolean', default: false },
  },
});

const security = processSecurity(
  'zone-sidecar',
  { tlsDir: values['tls-dir'], insecure: values['insecure-plaintext'] },
  'the sidecar (its API and its switch connections)',
);

const switches = (values.switch ?? []).map((s) => {
  const [address, deviceId] = s.split('@');
  return { address: address, deviceId: deviceId ?? '1' };
});
const sidecar = new Sidecar({
  switches,
  p4info: readP4InfoFile(values.p4info),
  deviceConfig: readFileSync(values['device-config']),
  election: {
    term: BigInt(values['election-term']),
    ordinal:
      values['election-ordinal'] !== undefined ? BigInt(values['election-ordinal']) : BigInt(randomInt(1, 2 ** 47)),
  },
  role: values.role,
  batchSize: Number(values['batch-size']),
  maxInFlight: Number(values['max-in-flight']),
  resyncIntervalMs: Number(values['resync-interval-ms']),
  counterIntervalMs: Number(values['counter-interval-ms']),
  pruneUnowned: values['prune-unowned'],
  security,
});
sidecar.start();
const api = await serveSidecarApi(sidecar, values.listen, security);
const [hh, hp] = values.http.split(':');
const health = await serveHealth(sidecar, hh ?? '127.0.0.1', Number(hp ?? '9090'));
const listenHost = values.listen.slice(0, values.listen.lastIndexOf(':'));
process.stdout.write(`zone-sidecar listening on ${listenHost}:${api.port} http ${hh ?? '127.0.0.1'}:${health.port}\n`);
const stop = (): void => {
  sidecar.stop();
  api.server.forceShutdown();
  void health.server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
