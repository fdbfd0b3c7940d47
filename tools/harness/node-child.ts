// The one "start a process of ours and wait for its ready line" of the
// tests and the benchmarks: `node dist/<script> args`, resolved with the
// first match of `ready` on its stdout, output optionally copied to a log.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../testbed/paths.js';

export interface NodeChildOptions {
  /** For messages: "zone-switch", "sidecar". */
  name: string;
  /** Below dist/, e.g. "src/switch/main.js". */
  script: string;
  args: string[];
  ready: RegExp;
  /** Copy of stdout and stderr; without it stderr is kept for the error of a failed start. */
  logFile?: string;
  /** V8 or profiler flags placed before the script. */
  nodeArgs?: string[];
  timeoutMs?: number;
}

export class NodeChild {
  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly exited: Promise<void>,
  ) {}

  static start(opts: NodeChildOptions): Promise<{ proc: NodeChild; match: RegExpExecArray }> {
    const root = repoRoot();
    const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    // A log that cannot be written must not fail whichever test runs then.
    log?.on('error', (err) => console.error(`${opts.name} log ${opts.logFile ?? ''}: ${err.message}`));
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(root, 'dist', opts.script), ...opts.args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // 'close', not 'exit': output still in the pipes may be read after 'exit',
    // and a write to the ended log would be an uncaught error in mocha.
    const exited = new Promise<void>((resolve) =>
      child.once('close', () => {
        log?.end();
        resolve();
      }),
    );
    const proc = new NodeChild(opts.name, child, exited);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const where = opts.logFile ? `; see ${opts.logFile}` : '';
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${opts.name} did not start within ${timeoutMs / 1000} s${where}${err ? `: ${err}` : ''}`));
      }, timeoutMs);
      child.stdout?.on('data', (d: Buffer) => {
        log?.write(d);
        out += d.toString();
        const m = opts.ready.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve({ proc, match: m });
        }
      });
      child.stderr?.on('data', (d: Buffer) => {
        log?.write(d);
        if (!log) err += d.toString();
      });
      child.once('exit', (code, sig) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${opts.name} exited (code ${code}, signal ${sig}) before it was ready${where}${err ? `: ${err}` : ''}`,
          ),
        );
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}
