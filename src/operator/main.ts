// The operator process.
//
//   node dist/src/operator/main.js [--kubeconfig FILE] [--namespace NS]
//     [--concurrency N] [--leader-elect=true|false] [--metrics-port N]
//     [--lease-duration 15s] [--renew-deadline 10s] [--retry-period 2s]
//     [--sidecar HOST:PORT --switch-ports FILE
//      (--sidecar-tls-dir DIR | --sidecar-insecure-plaintext=true)]
//     [--identity ID] [--as USER] [--vlan-range 1000-4094]
//     [--credential-renew-fraction 0.33]
//
// Every flag has an environment twin (ZONEKEEPER_KUBECONFIG or KUBECONFIG,
// ZONEKEEPER_NAMESPACE, ZONEKEEPER_CONCURRENCY, ZONEKEEPER_LEADER_ELECT,
// ZONEKEEPER_METRICS_PORT, ZONEKEEPER_SIDECAR, ZONEKEEPER_SIDECAR_TLS_DIR,
// ZONEKEEPER_SIDECAR_INSECURE_PLAINTEXT, ZONEKEEPER_SWITCH_PORTS,
// ZONEKEEPER_AS, ZONEKEEPER_CREDENTIAL_RENEW_FRACTION). In a pod,
// without a kubeconfig, the in-cluster ServiceAccount is used.

import { readFileSync } from 'node:fs';
import type { SwitchPortMap } from '../core/network/p4-entries.js';
import { checkVlanRange, type VlanRange } from '../core/network/vlan-allocator.js';
import { checkRenewFraction } from '../clusters/token-schedule.js';
import type { NetworkProgrammer } from '../controllers/network/network-programmer.js';
import { type GrpcSecurity, securityFromFlags } from '../runtime/grpc-tls.js';
import { sidecarNetworkProgrammer } from '../controllers/network/sidecar-network-programmer.js';
import { parseDuration } from '../core/api/duration.js';
import { hubClient } from '../runtime/hub-connection.js';
import { createLogger, errorText } from '../runtime/logger.js';
import { Manager } from './manager.js';

export interface OperatorFlags {
  kubeconfig?: string;
  namespace: string;
  concurrency: number;
  leaderElect: boolean;
  metricsPort: number;
  /** Where the metrics and health server listens; "" is every address. */
  metricsAddress: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  sidecar?: string;
  /** The operator's certificate and the CA it trusts for the sidecar (tls.crt, tls.key, ca.crt). */
  sidecarTlsDir?: string;
  /** The sidecar is reached in plaintext, as asked for by name. */
  sidecarInsecure: boolean;
  /** JSON file with the switch's SwitchPortMap (trunk port, port per provider). */
  switchPorts?: string;
  identity?: string;
  as?: string;
  probeIntervalMs: number;
  /** The VLAN IDs zones get, one each (default 1000–4094). */
  vlanRange?: VlanRange;
  /** A member token is renewed when this part of its lifetime is left (default 1/3). */
  credentialRenewFraction?: number;
}

const FLAGS = [
  'kubeconfig',
  'namespace',
  'concurrency',
  'leader-elect',
  'metrics-port',
  'metrics-address',
  'lease-duration',
  'renew-deadline',
  'retry-period',
  'sidecar',
  'sidecar-tls-dir',
  'sidecar-insecure-plaintext',
  'switch-ports',
  'identity',
  'as',
  'probe-interval',
  'vlan-range',
  'credential-renew-fraction',
] as const;

export function parseFlags(argv: readonly string[], env: NodeJS.ProcessEnv): OperatorFlags {
  const f = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    const k = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (!(FLAGS as readonly string[]).includes(k))
      throw new Error(`unknown flag --${k}; known: ${FLAGS.map((x) => '--' + x).join(' ')}`);
    if (v === undefined) throw new Error(`--${k} needs a value`);
    f.set(k, v);
  }
  const get = (k: (typeof FLAGS)[number], e: string): string | undefined => f.get(k) ?? env[e];
  const num = (k: (typeof FLAGS)[number], e: string, d: number): number => {
    const v = get(k, e);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${k}: must be a non-negative integer, got "${v}"`);
    return n;
  };
  const dur = (k: (typeof FLAGS)[number], e: string, d: number): number => {
    const v = get(k, e);
    if (v === undefined) return d;
    const ms = parseDuration(v);
    if (ms === undefined) throw new Error(`--${k}: must be a duration like 15s, got "${v}"`);
    return ms;
  };
  const bool = (k: (typeof FLAGS)[number], e: string, d: boolean): boolean => {
    const v = get(k, e) ?? String(d);
    if (v !== 'true' && v !== 'false') throw new Error(`--${k}: true or false, got "${v}"`);
    return v === 'true';
  };
  const flags: OperatorFlags = {
    namespace: get('namespace', 'ZONEKEEPER_NAMESPACE') ?? 'zonekeeper-system',
    concurrency: Math.max(1, num('concurrency', 'ZONEKEEPER_CONCURRENCY', 4)),
    leaderElect: bool('leader-elect', 'ZONEKEEPER_LEADER_ELECT', true),
    sidecarInsecure: bool('sidecar-insecure-plaintext', 'ZONEKEEPER_SIDECAR_INSECURE_PLAINTEXT', false),
    metricsPort: num('metrics-port', 'ZONEKEEPER_METRICS_PORT', 8080),
    // Loopback unless told: a pod's probes and scrapes need its own address
    // (the chart sets "", every address), a developer's run does not.
    metricsAddress: get('metrics-address', 'ZONEKEEPER_METRICS_ADDRESS') ?? '127.0.0.1',
    leaseDurationMs: dur('lease-duration', 'ZONEKEEPER_LEASE_DURATION', 15_000),
    renewDeadlineMs: dur('renew-deadline', 'ZONEKEEPER_RENEW_DEADLINE', 10_000),
    retryPeriodMs: dur('retry-period', 'ZONEKEEPER_RETRY_PERIOD', 2_000),
    probeIntervalMs: dur('probe-interval', 'ZONEKEEPER_PROBE_INTERVAL', 5_000),
  };
  const kc = get('kubeconfig', 'ZONEKEEPER_KUBECONFIG') ?? env['KUBECONFIG'];
  if (kc) flags.kubeconfig = kc;
  const sidecar = get('sidecar', 'ZONEKEEPER_SIDECAR');
  if (sidecar) flags.sidecar = sidecar;
  const sidecarTls = get('sidecar-tls-dir', 'ZONEKEEPER_SIDECAR_TLS_DIR');
  if (sidecarTls) flags.sidecarTlsDir = sidecarTls;
  const ports = get('switch-ports', 'ZONEKEEPER_SWITCH_PORTS');
  if (ports) flags.switchPorts = ports;
  if (flags.sidecar && !flags.switchPorts)
    throw new Error('--sidecar needs --switch-ports FILE (the switch port of each provider)');
  const id = get('identity', 'ZONEKEEPER_IDENTITY');
  if (id) flags.identity = id;
  const as = get('as', 'ZONEKEEPER_AS');
  if (as) flags.as = as;
  const vlans = get('vlan-range', 'ZONEKEEPER_VLAN_RANGE');
  if (vlans !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(vlans);
    const range = m ? { min: Number(m[1]), max: Number(m[2]) } : undefined;
    const bad = range ? checkVlanRange(range) : `must be MIN-MAX, e.g. 1000-4094`;
    if (bad !== undefined || !range) throw new Error(`--vlan-range "${vlans}": ${bad}`);
    flags.vlanRange = range;
  }
  const fraction = get('credential-renew-fraction', 'ZONEKEEPER_CREDENTIAL_RENEW_FRACTION');
  if (fraction !== undefined) {
    const bad = checkRenewFraction(fraction.trim() === '' ? Number.NaN : Number(fraction));
    if (bad !== undefined) throw new Error(`--credential-renew-fraction "${fraction}": ${bad}`);
    flags.credentialRenewFraction = Number(fraction);
  }
  if (flags.renewDeadlineMs >= flags.leaseDurationMs)
    throw new Error('--renew-deadline must be shorter than --lease-duration');
  return flags;
}

/**
 * The switch port map, checked for shape only: which providers lack a port
 * is a per-zone question, answered in that zone's NetworkReady.
 */
export function loadSwitchPorts(file: string): SwitchPortMap {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--switch-ports ${file}: ${errorText(err)}`, { cause: err });
  }
  const bad = (why: string): never => {
    throw new Error(`--switch-ports ${file}: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    bad('must be a JSON object {"trunkPort": 0, "providerPorts": {"Fog1": 1, ...}}');
  const m = raw as Record<string, unknown>;
  if (!Number.isInteger(m['trunkPort'])) bad('trunkPort must be an integer');
  const pp = m['providerPorts'];
  if (typeof pp !== 'object' || pp === null || Array.isArray(pp))
    bad('providerPorts must be an object of provider name -> port');
  for (const [name, port] of Object.entries(pp as Record<string, unknown>))
    if (!Number.isInteger(port)) bad(`providerPorts.${name} must be an integer, got ${JSON.stringify(port)}`);
  return m as unknown as SwitchPortMap;
}

async function main(): Promise<void> {
  const log = createLogger({ fields: { logger: 'zonekeeper' } });
  let flags: OperatorFlags;
  try {
    flags = parseFlags(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`zonekeeper-operator: ${errorText(err)}\n`);
    process.exit(2);
  }
  const hub = await hubClient(flags);
  let network: NetworkProgrammer | undefined;
  if (flags.sidecar && flags.switchPorts) {
    let ports: SwitchPortMap;
    try {
      ports = loadSwitchPorts(flags.switchPorts);
    } catch (err) {
      process.stderr.write(`zonekeeper-operator: ${errorText(err)}\n`);
      process.exit(2);
    }
    let security: GrpcSecurity;
    try {
      security = securityFromFlags(
        { tlsDir: flags.sidecarTlsDir, insecure: flags.sidecarInsecure },
        { tlsDir: '--sidecar-tls-dir', insecure: '--sidecar-insecure-plaintext=true', hop: 'the sidecar connection' },
        (level, m, f) => log[level](m, f),
      );
    } catch (err) {
      process.stderr.write(`zonekeeper-operator: ${errorText(err)}\n`);
      process.exit(2);
    }
    network = sidecarNetworkProgrammer(flags.sidecar, ports, { log: (m, f) => log.info(m, f), security });
    log.info('switch entries go through the P4Runtime sidecar', {
      sidecar: flags.sidecar,
      security: security.description,
    });
  }
  const manager = new Manager({
    hub,
    namespace: flags.namespace,
    logger: log,
    concurrency: flags.concurrency,
    leaderElection: flags.leaderElect,
    metricsPort: flags.metricsPort,
    metricsAddress: flags.metricsAddress,
    leaseDurationMs: flags.leaseDurationMs,
    renewDeadlineMs: flags.renewDeadlineMs,
    retryPeriodMs: flags.retryPeriodMs,
    probeIntervalMs: flags.probeIntervalMs,
    ...(flags.vlanRange ? { vlanRange: flags.vlanRange } : {}),
    ...(flags.credentialRenewFraction !== undefined ? { credentialRenewFraction: flags.credentialRenewFraction } : {}),
    ...(network ? { network } : {}),
    ...(flags.identity ? { identity: flags.identity } : {}),
  });
  const shutdown = (sig: string) => {
    log.info('shutting down', { signal: sig });
    void manager.stop().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await manager.start();
  log.info('operator started', {
    identity: manager.identity,
    namespace: flags.namespace,
    metricsPort: manager.metricsPort,
    leaderElection: flags.leaderElect,
    concurrency: flags.concurrency,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`zonekeeper-operator: ${errorText(err)}\n`);
    process.exit(1);
  });
}
