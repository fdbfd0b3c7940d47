// The operator as a child process, for the demo, the integration tests
// and the bench: start it, read its JSON log, kill it (SIGKILL for the
// crash tests), and ask its /metrics and /readyz.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { repoRoot } from '../testbed/paths.js';

export interface OperatorProcessOptions {
  kubeconfig: string;
  namespace?: string;
  identity: string;
  concurrency?: number;
  leaderElect?: boolean;
  leaseDuration?: string;
  renewDeadline?: string;
  retryPeriod?: string;
  probeInterval?: string;
  logFile?: string;
  extraEnv?: Record<string, string>;
  /** Options for node itself (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** HOST:PORT of the P4Runtime sidecar; needs switchPorts. */
  sidecar?: string;
  /** The operator's certificate folder for the sidecar's mutual TLS; needed with `sidecar` (every test sidecar serves TLS). */
  sidecarTlsDir?: string;
  /** JSON file with the SwitchPortMap. */
  switchPorts?: string;
  /** The operator's main.js, when not this checkout's build (e.g. an older build to compare with). */
  mainScript?: string;
}

export class OperatorProcess {
  private child: ChildProcess | undefined;
  metricsPort = 0;
  private listeners: ((rec: Record<string, unknown>) => void)[] = [];
  exited: Promise<number | null> = Promise.resolve(null);

  constructor(readonly options: OperatorProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  onLog(fn: (rec: Record<string, unknown>) => void): void {
    this.listeners.push(fn);
  }

  /** A sidecar of the tests serves mutual TLS: an operator dialling it in plaintext would only ever see "not reachable". */
  private sidecarTlsDir(): string {
    if (!this.options.sidecarTlsDir)
      throw new Error('OperatorProcess: sidecar without sidecarTlsDir (tlsDirOf("operator"))');
    return this.options.sidecarTlsDir;
  }

  start(): Promise<void> {
    const args = [
      ...(this.options.nodeArgs ?? []),
      this.options.mainScript ?? join(repoRoot(), 'dist', 'src', 'operator', 'main.js'),
      '--kubeconfig',
      this.options.kubeconfig,
      '--namespace',
      this.options.namespace ?? 'zonekeeper-system',
      '--identity',
      this.options.identity,
      '--metrics-port',
      '0',
      '--concurrency',
      String(this.options.concurrency ?? 4),
      '--leader-elect',
      String(this.options.leaderElect ?? true),
      '--lease-duration',
      this.options.leaseDuration ?? '15s',
      '--renew-deadline',
      this.options.renewDeadline ?? '10s',
      '--retry-period',
      this.options.retryPeriod ?? '2s',
      '--probe-interval',
      this.options.probeInterval ?? '5s',
      ...(this.options.sidecar ? ['--sidecar', this.options.sidecar] : []),
      ...(this.options.sidecar ? ['--sidecar-tls-dir', this.sidecarTlsDir()] : []),
      ...(this.options.switchPorts ? ['--switch-ports', this.options.switchPorts] : []),
    ];
    const log = this.options.logFile ? createWriteStream(this.options.logFile, { flags: 'a' }) : undefined;
    // A log that cannot be written must not become an uncaught error in whoever started the operator.
    log?.on('error', (err) => console.error(`operator log ${this.options.logFile}: ${err.message}`));
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...(this.options.extraEnv ?? {}) },
    });
    child.once('close', () => log?.end());
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    return new Promise((resolve, reject) => {
      let started = false;
      const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        if (log?.writable) log.write(line + '\n');
        let rec: Record<string, unknown>;
        try {
          rec = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        if (!started && rec['msg'] === 'operator started') {
          started = true;
          this.metricsPort = Number(rec['metricsPort']);
          resolve();
        }
        for (const l of this.listeners) l(rec);
      });
      child.once('exit', (code, sig) => {
        if (!started)
          reject(
            new Error(
              `operator exited before it started (code ${code}, signal ${sig}); see ${this.options.logFile ?? 'its stderr'}`,
            ),
          );
      });
    });
  }

  /** Waits until this process logs that it leads and has started its controllers. */
  waitLeading(timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`${this.options.identity} did not lead within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.onLog((rec) => {
        if (rec['msg'] === 'controller started' && rec['controller'] === 'executionzone') {
          clearTimeout(t);
          resolve();
        }
      });
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.running) this.child?.kill(signal);
    return this.exited;
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    return res.text();
  }
}

/** Every sample of metric `name` in a Prometheus text exposition (`name{labels} value`), with its labels. */
export function metricSamples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

/** The values of the samples whose labels include `labels`. */
function samples(text: string, name: string, labels: Record<string, string>): number[] {
  return metricSamples(text, name)
    .filter((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v))
    .map((x) => x.value);
}

/** The first matching sample, or undefined. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text, name, labels)[0];
}

/** The sum of the matching samples (0 when none match), e.g. a counter over all its providers. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text, name, labels).reduce((a, b) => a + b, 0);
}
