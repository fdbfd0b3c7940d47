// Child processes for the P4 benchmark: the software switch and the sidecar
// each run in their own Node process, as in a deployment, so that the
// benchmark's clients do not share an event loop with them.
import { NodeChild } from '../../tools/harness/node-child.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO = path.resolve(DIST, '..');

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

export async function startSwitch(port = 0): Promise<Proc & { port: number }> {
  const p = await startProcess('src/switch/main.js', ['--port', String(port), '--device-id', '1'], /listening on [\d.]+:(\d+)/);
  return Object.assign(p, { port: Number(/:(\d+)/.exec(p.line)?.[1]) });
}

export async function startSidecar(switchPort: number, extra: string[] = []): Promise<Proc & { port: number }> {
  const p = await startProcess('src/sidecar/main.js', [
    '--switch', `127.0.0.1:${switchPort}@1`, '--listen', '127.0.0.1:0', '--http', '127.0.0.1:0',
    '--election-term', '1', '--election-ordinal', '0', '--p4info', path.join(REPO, 'p4/zone_switch.p4info.txtpb'), ...extra,
    ...(process.env.ZK_BENCH_SIDECAR_ARGS ?? '').split(' ').filter(Boolean),
  ], /listening on [\d.]+:(\d+) http [\d.]+:(\d+)/, process.env.ZK_BENCH_SIDECAR_NODE_ARGS ?? '');
  return Object.assign(p, { port: Number(/:(\d+)/.exec(p.line)?.[1]) });
}
