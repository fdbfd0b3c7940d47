// Child processes for the P4 benchmark: the software switch and the sidecar
// each run in their own Node process, as in a deployment, so that the
// benchmark's clients do not share an event loop with them.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO = path.resolve(DIST, '..');

export interface Proc { child: ChildProcess; line: string; stop(): Promise<void> }

export function startProcess(script: string, args: string[], ready: RegExp, extraNodeArgs = ''): Promise<Proc> {
  return new Promise((resolve, reject) => {
    // ZK_BENCH_NODE_ARGS (e.g. --cpu-prof) lets a profiler look inside the switch and sidecar;
    // ZK_BENCH_SIDECAR_NODE_ARGS and ZK_BENCH_SIDECAR_ARGS reach only the sidecar (V8 flags, its own flags).
    const nodeArgs = `${process.env.ZK_BENCH_NODE_ARGS ?? ''} ${extraNodeArgs}`.split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, path.join(DIST, script), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${script} did not start: ${err}`)); }, 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          child, line: m[0],
          stop: () => new Promise<void>((r) => {
            if (child.exitCode !== null) { r(); return; }
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
        });
      }
    });
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('exit', (code) => { clearTimeout(timer); if (!ready.test(out)) reject(new Error(`${script} exited ${code}: ${err}`)); });
  });
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
