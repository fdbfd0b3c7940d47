// A fake Kubernetes API server on loopback for one collection: it answers
// LISTs with whatever the test sets, keeps WATCH requests open, and lets
// the test push watch events (or an HTTP status) down the newest one.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { KubeClient, KubeObject } from '../../../src/runtime/kube-client.js';
import { listenWithClient } from '../../support/local-kube-client.js';

export interface ListBody {
  resourceVersion: string;
  items: KubeObject[];
}

export class FakeApiServer {
  private server: Server | undefined;
  /** What the next LIST answers. */
  list: ListBody = { resourceVersion: '1', items: [] };
  /** Answer the next WATCH request with this HTTP status instead of a stream. */
  watchStatus: number | undefined;
  readonly lists: URL[] = [];
  readonly watchRequests: URL[] = [];
  private readonly open: ServerResponse[] = [];
  private waiters: (() => void)[] = [];

  async start(): Promise<KubeClient> {
    this.server = createServer((req, res) => this.handle(req, res));
    return listenWithClient(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('Content-Type', 'application/json');
    if (url.searchParams.get('watch') === 'true') {
      this.watchRequests.push(url);
      if (this.watchStatus !== undefined) {
        res.writeHead(this.watchStatus);
        res.end(JSON.stringify({ kind: 'Status', code: this.watchStatus, message: 'too old resource version' }));
        this.watchStatus = undefined;
      } else {
        res.writeHead(200);
        res.flushHeaders();
        this.open.push(res);
      }
    } else {
      this.lists.push(url);
      res.end(JSON.stringify({ metadata: { resourceVersion: this.list.resourceVersion }, items: this.list.items }));
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Sends a watch event down the newest open watch. */
  send(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR', object: unknown): void {
    const res = this.open[this.open.length - 1];
    if (!res) throw new Error('no watch is open');
    res.write(JSON.stringify({ type, object }) + '\n');
  }

  /** Resolves once `cond` holds, checking after every request and every 10 ms. */
  async until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), new Promise((r) => setTimeout(r, 10))]);
    }
  }

  close(): void {
    for (const r of this.open) r.destroy();
    this.server?.closeAllConnections();
    this.server?.close();
  }
}

export const object = (name: string, rv: string, data?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  ...(data ? { data } : {}),
});
