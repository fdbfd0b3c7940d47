// A stand-in for the hub's API, as much as the web view uses: LIST and
// WATCH of ExecutionZones and ProviderClusters, TokenReview and
// SubjectAccessReview. For unit tests of the view's routes and for the
// page's own tests; the integration tests use the real hub.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ExecutionZone, ProviderCluster } from '../../src/core/api/types.js';

type Obj = ExecutionZone | ProviderCluster;
interface Account {
  user: string;
  groups: string[];
  /** Namespaces where the account may list zones; '*' for all. */
  namespaces: string[];
}

const PREFIX = '/apis/zonekeeper.io/v1alpha1/';

export class FakeViewHub {
  readonly server: Server;
  private rv = 1;
  private readonly objects = { executionzones: new Map<string, Obj>(), providerclusters: new Map<string, Obj>() };
  private readonly watchers = {
    executionzones: new Set<ServerResponse>(),
    providerclusters: new Set<ServerResponse>(),
  };
  private readonly accounts = new Map<string, Account>();
  /** Every review the hub answered, for the tests that count them. */
  readonly reviews: { kind: string; body: unknown }[] = [];

  constructor() {
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  account(token: string, a: Account): void {
    this.accounts.set(token, a);
  }

  revoke(token: string): void {
    this.accounts.delete(token);
  }

  put(o: Obj): void {
    const plural = o.kind === 'ExecutionZone' ? 'executionzones' : 'providerclusters';
    const key = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const stored = { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) } } as Obj;
    const type = this.objects[plural].has(key) ? 'MODIFIED' : 'ADDED';
    this.objects[plural].set(key, stored);
    for (const w of this.watchers[plural]) w.write(JSON.stringify({ type, object: stored }) + '\n');
  }

  remove(o: Obj): void {
    const plural = o.kind === 'ExecutionZone' ? 'executionzones' : 'providerclusters';
    const key = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const old = this.objects[plural].get(key);
    if (!old) return;
    this.objects[plural].delete(key);
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rv) } };
    for (const w of this.watchers[plural]) w.write(JSON.stringify({ type: 'DELETED', object: gone }) + '\n');
  }

  close(): void {
    for (const set of Object.values(this.watchers)) for (const w of set) w.end();
    this.server.closeAllConnections();
    this.server.close();
  }

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews') {
      const body = await this.body(req);
      this.reviews.push({ kind: 'TokenReview', body });
      const a = this.accounts.get(String((body['spec'] as { token?: string }).token));
      return json(201, {
        ...body,
        status: a ? { authenticated: true, user: { username: a.user, groups: a.groups } } : { authenticated: false },
      });
    }
    if (req.method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/subjectaccessreviews') {
      const body = await this.body(req);
      this.reviews.push({ kind: 'SubjectAccessReview', body });
      const spec = body['spec'] as {
        user: string;
        resourceAttributes: { namespace?: string; verb: string; resource: string };
      };
      const a = [...this.accounts.values()].find((x) => x.user === spec.user);
      const ns = spec.resourceAttributes.namespace;
      const allowed =
        !!a &&
        spec.resourceAttributes.verb === 'list' &&
        spec.resourceAttributes.resource === 'executionzones' &&
        (a.namespaces.includes('*') || (ns !== undefined && a.namespaces.includes(ns)));
      return json(201, { ...body, status: { allowed } });
    }
    const plural = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : '';
    if (req.method === 'GET' && (plural === 'executionzones' || plural === 'providerclusters')) {
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        this.watchers[plural].add(res);
        req.on('close', () => this.watchers[plural].delete(res));
        return;
      }
      return json(200, {
        kind: 'List',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.rv) },
        items: [...this.objects[plural].values()],
      });
    }
    json(404, { kind: 'Status', code: 404, message: `no route ${req.method} ${url.pathname}` });
  }
}
