// /healthz, /readyz and /metrics on one port, as controller-runtime's
// manager serves them. Liveness says the event loop turns; readiness runs
// named checks (informers synced, hub reachable) and lists the failures.
// A failed check answers 503, which every probe and load balancer reads as
// "not now". The operator and the sidecar both serve through this class.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type Check = () => string | undefined | Promise<string | undefined>;

export class HealthServer {
  private server: Server | undefined;
  private readonly ready = new Map<string, Check>();
  private readonly live = new Map<string, Check>();

  constructor(private readonly registry: Registry) {}

  addReadyCheck(name: string, c: Check): void {
    this.ready.set(name, c);
  }
  addLiveCheck(name: string, c: Check): void {
    this.live.set(name, c);
  }

  private static async run(checks: Map<string, Check>): Promise<{ ok: boolean; text: string }> {
    const lines: string[] = [];
    let ok = true;
    for (const [name, c] of checks) {
      let why: string | undefined;
      try {
        why = await c();
      } catch (e) {
        why = String(e);
      }
      if (why !== undefined) ok = false;
      lines.push(why === undefined ? `[+]${name} ok` : `[-]${name} failed: ${why}`);
    }
    return { ok, text: lines.join('\n') + `\n${ok ? 'ok' : 'failed'}\n` };
  }

  /** host "" listens on every address (IPv6 and IPv4 where the host has both). */
  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
        res.writeHead(code, { 'Content-Type': type });
        res.end(body);
      };
      if (path === '/metrics') {
        this.registry.metrics().then(
          (m) => reply(200, m, this.registry.contentType),
          (e: unknown) => reply(500, String(e)),
        );
      } else if (path === '/healthz' || path === '/livez') {
        void HealthServer.run(this.live).then((r) => reply(r.ok ? 200 : 500, r.text));
      } else if (path === '/readyz') {
        void HealthServer.run(this.ready).then((r) => reply(r.ok ? 200 : 503, r.text));
      } else reply(404, 'not found\n');
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      if (host === '') this.server?.listen(port, resolve);
      else this.server?.listen(port, host, resolve);
    });
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
