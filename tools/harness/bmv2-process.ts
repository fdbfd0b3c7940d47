// BMv2 simple_switch_grpc as a child process for tests and benchmarks: no
// program (the controller pushes it), device id 1, P4Runtime on a free
// loopback port, the Thrift port moved to a free port too (BMv2 has no
// option to bind it to loopback), optional data ports (`-i N@iface`), and a
// `netns` to run it in (for packet tests on veth pairs).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { P4RuntimeClient } from '../../src/p4/p4runtime-client.js';
import { type GrpcSecurity, TLS_FILES } from '../../src/runtime/grpc-tls.js';
import { pollUntil } from './poll-until.js';
import type { P4Toolchain } from './p4-toolchain.js';

/** A port nobody listens on right now (the OS picks it; tiny race accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface Bmv2Options {
  toolchain: P4Toolchain;
  logFile: string;
  /** Reuse a port (a restart keeps the address the sidecar knows). */
  grpcPort?: number;
  /** port number -> interface name */
  interfaces?: Record<number, string>;
  /**
   * Run inside this network namespace (ip netns exec). Its loopback is not
   * the host's, so P4Runtime is then served on this unix socket instead.
   */
  netns?: { name: string; socket: string };
  deviceId?: number;
  /**
   * Serve P4Runtime with mutual TLS from this folder (tls.crt, tls.key,
   * ca.crt): BMv2's --grpc-server-ssl with client authentication. The
   * readiness probe dials with `probeTls`, a client certificate of the same CA.
   */
  tls?: { dir: string; probe: GrpcSecurity };
}

export class Bmv2Process {
  private constructor(
    private readonly child: ChildProcess,
    readonly grpcPort: number,
    readonly address: string,
    readonly exited: Promise<void>,
    private readonly logFile: string,
  ) {}

  static async start(opts: Bmv2Options): Promise<Bmv2Process> {
    const grpcPort = opts.grpcPort ?? (await freePort());
    const thriftPort = await freePort();
    const ifaces = Object.entries(opts.interfaces ?? {}).flatMap(([port, name]) => ['-i', `${port}@${name}`]);
    const address = opts.netns ? `unix:${opts.netns.socket}` : `127.0.0.1:${grpcPort}`;
    const args = [
      '--no-p4',
      '--device-id',
      String(opts.deviceId ?? 1),
      '--thrift-port',
      String(thriftPort),
      ...ifaces,
      '--',
      '--grpc-server-addr',
      address,
      ...(opts.tls
        ? [
            '--grpc-server-ssl',
            '--grpc-server-with-client-auth',
            '--grpc-server-cacert',
            join(opts.tls.dir, TLS_FILES.ca),
            '--grpc-server-cert',
            join(opts.tls.dir, TLS_FILES.cert),
            '--grpc-server-key',
            join(opts.tls.dir, TLS_FILES.key),
          ]
        : []),
    ];
    const [cmd, argv] = opts.netns
      ? ['ip', ['netns', 'exec', opts.netns.name, opts.toolchain.simpleSwitch, ...args]]
      : [opts.toolchain.simpleSwitch, args];
    const log = createWriteStream(opts.logFile, { flags: 'a' });
    const child = spawn(cmd, argv, { env: opts.toolchain.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const proc = new Bmv2Process(child, grpcPort, address, exited, opts.logFile);
    {
      const client = new P4RuntimeClient(proc.address, {
        timeoutMs: 1000,
        ...(opts.tls ? { security: opts.tls.probe } : {}),
      });
      try {
        await pollUntil(
          'BMv2 P4Runtime server',
          async () => {
            await client.capabilities('1');
            return true;
          },
          {
            timeoutMs: 20_000,
            everyMs: 100,
            aborted: () => (proc.running ? undefined : 'simple_switch_grpc exited'),
            detail: () => readFileSync(opts.logFile, 'utf8').slice(-2000),
          },
        );
      } catch (e) {
        await proc.kill();
        throw e;
      } finally {
        client.close();
      }
    }
    return proc;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL if it lingers. */
  async kill(): Promise<void> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) this.child.kill('SIGKILL');
    }, 3000);
    await this.exited;
    clearTimeout(timer);
  }

  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }
}
