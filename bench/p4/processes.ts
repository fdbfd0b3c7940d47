// Child processes for the P4 benchmark: the switch and the sidecar each run
// in their own process, as in a deployment, so that the benchmark's clients
// do not share an event loop with them. The switch is the software switch,
// BMv2 simple_switch_grpc, or an external switch the benchmark only talks to.
import { NodeChild } from '../../tools/harness/node-child.js';
import { repoRoot } from '../../tools/testbed/paths.js';
import { Bmv2Process } from '../../tools/harness/bmv2-process.js';
import type { P4Toolchain } from '../../tools/harness/p4-toolchain.js';
import { mkdtempSync } from 'node:fs';
import { type GrpcSecurity, mutualTls, PLAINTEXT } from '../../src/runtime/grpc-tls.js';
import { makeTestPki, type TestPki } from '../../tools/harness/test-pki.js';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = repoRoot();

export interface Proc {
  child: NodeChild;
  line: string;
  stop(): Promise<void>;
}

async function startProcess(script: string, args: string[], ready: RegExp, extraNodeArgs = ''): Promise<Proc> {
  // ZK_BENCH_NODE_ARGS (e.g. --cpu-prof) lets a profiler look inside the switch and sidecar;
  // ZK_BENCH_SIDECAR_NODE_ARGS and ZK_BENCH_SIDECAR_ARGS reach only the sidecar (V8 flags, its own flags).
  const nodeArgs = `${process.env.ZK_BENCH_NODE_ARGS ?? ''} ${extraNodeArgs}`.split(' ').filter(Boolean);
  const { proc, match } = await NodeChild.start({ name: script, script, args, ready, nodeArgs });
  return { child: proc, line: match[0], stop: () => proc.kill('SIGTERM') };
}

export type SwitchTarget =
  | { kind: 'software' }
  | { kind: 'bmv2'; toolchain: P4Toolchain }
  | { kind: 'external'; address: string; deviceId: string };

/** A running switch: its P4Runtime address, its process (for CPU time) when the benchmark started it. */
export interface SwitchProc {
  address: string;
  deviceId: string;
  /** Undefined for an external switch. */
  pid: number | undefined;
  /** Whether stop() and a later startSwitch(address) restart it (not for an external switch). */
  restartable: boolean;
  stop(): Promise<void>;
}

/**
 * Mutual TLS on every hop (--tls): a test CA made for the run, a folder per
 * party. Off, the processes run with --insecure-plaintext, which the
 * figures before TLS existed were measured with.
 */
let pki: TestPki | undefined;
const dirs = new Map<string, string>();
const clientSecurity = new Map<string, GrpcSecurity>();
export function setBenchTls(on: boolean): void {
  pki = on ? makeTestPki(mkdtempSync(path.join(tmpdir(), 'zonekeeper-bench-pki-'))) : undefined;
}
export function benchTls(): boolean {
  return pki !== undefined;
}
function tlsDir(party: string): string | undefined {
  if (!pki) return undefined;
  let d = dirs.get(party);
  if (!d) {
    d = pki.issue(party);
    dirs.set(party, d);
  }
  return d;
}
/** The flags that secure a process of the benchmark. */
function benchSecurityArgs(party: string): string[] {
  const d = tlsDir(party);
  return d ? ['--tls-dir', d] : ['--insecure-plaintext'];
}
/** The credentials of one of the benchmark's own clients ("raw", "operator"). */
export function benchClient(party: string): GrpcSecurity {
  const d = tlsDir(party);
  if (!d) return PLAINTEXT;
  let s = clientSecurity.get(party);
  if (!s) {
    s = mutualTls(d);
    clientSecurity.set(party, s);
  }
  return s;
}

let target: SwitchTarget = { kind: 'software' };
export function setSwitchTarget(t: SwitchTarget): void {
  target = t;
}
export function switchTargetName(): string {
  return target.kind === 'software'
    ? 'the software switch'
    : target.kind === 'bmv2'
      ? 'BMv2 simple_switch_grpc'
      : `the switch at ${target.address}`;
}

/** `address`: restart on this address (re-sync measurement). */
export async function startSwitch(address?: string): Promise<SwitchProc> {
  const port = address ? Number(address.slice(address.lastIndexOf(':') + 1)) : 0;
  if (target.kind === 'external') {
    return {
      address: target.address,
      deviceId: target.deviceId,
      pid: undefined,
      restartable: false,
      stop: () => Promise.resolve(),
    };
  }
  if (target.kind === 'bmv2') {
    const logDir = mkdtempSync(path.join(tmpdir(), 'zonekeeper-bench-bmv2-'));
    const b = await Bmv2Process.start({
      toolchain: target.toolchain,
      logFile: path.join(logDir, 'bmv2.log'),
      ...(port ? { grpcPort: port } : {}),
      ...(pki ? { tls: { dir: tlsDir('bmv2') ?? '', probe: benchClient('probe') } } : {}),
    });
    return { address: b.address, deviceId: '1', pid: b.pid, restartable: true, stop: () => b.kill() };
  }
  const p = await startProcess(
    'src/switch/main.js',
    ['--port', String(port), '--device-id', '1', ...benchSecurityArgs('zone-switch')],
    /listening on [\d.]+:(\d+)/,
  );
  return {
    address: `127.0.0.1:${Number(/:(\d+)/.exec(p.line)?.[1])}`,
    deviceId: '1',
    pid: p.child.pid,
    restartable: true,
    stop: () => p.stop(),
  };
}

export async function startSidecar(sw: SwitchProc, extra: string[] = []): Promise<Proc & { port: number }> {
  const p = await startProcess(
    'src/sidecar/main.js',
    [
      '--switch',
      `${sw.address}@${sw.deviceId}`,
      '--listen',
      '127.0.0.1:0',
      '--http',
      '127.0.0.1:0',
      '--election-term',
      '1',
      '--election-ordinal',
      '0',
      '--p4info',
      path.join(REPO, 'p4/zone_switch.p4info.txtpb'),
      ...benchSecurityArgs('zone-sidecar'),
      ...extra,
      ...(process.env.ZK_BENCH_SIDECAR_ARGS ?? '').split(' ').filter(Boolean),
    ],
    /listening on [\d.]+:(\d+) http [\d.]+:(\d+)/,
    process.env.ZK_BENCH_SIDECAR_NODE_ARGS ?? '',
  );
  return Object.assign(p, { port: Number(/:(\d+)/.exec(p.line)?.[1]) });
}
