// A stand-in for metrics-server on each member, so that the members serve
// metrics.k8s.io the way a real member does: the member's kube-aggregator
// (an APIService v1beta1.metrics.k8s.io naming a Service of type
// ExternalName `localhost`) proxies the request here over TLS, as the
// front-proxy client, with the caller in X-Remote-User. This server
// accepts only that client certificate, serves the discovery document and
// PodMetrics lists and gets. What is a stand-in is only the numbers: KWOK's
// pods run nowhere and have no cgroups to measure, so each pod's usage is
// what a test wrote into <state dir>/metrics/values.json (metrics-values.ts);
// a pod without an entry has no metrics, as one metrics-server has not
// scraped yet. Pods and their labels are the member's own, read from its
// API server. Lives in the test bed only.
//
//   node dist/tools/testbed/metrics-stand-in.js <state dir>

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { KubeClient, type KubeObject } from '../../src/runtime/kube-client.js';
import { FRONT_PROXY_CLIENT } from './pki.js';
import { readMetricsValues } from './metrics-values.js';
import { readState, type ClusterRecord } from './state.js';

const GROUP_VERSION = 'metrics.k8s.io/v1beta1';
const BASE = `/apis/${GROUP_VERSION}`;

const RESOURCES = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GROUP_VERSION,
  resources: [
    { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
  ],
};

const GROUPS = {
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [
    {
      name: 'metrics.k8s.io',
      versions: [{ groupVersion: GROUP_VERSION, version: 'v1beta1' }],
      preferredVersion: { groupVersion: GROUP_VERSION, version: 'v1beta1' },
    },
  ],
};

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });
}

/** One member's metrics server. */
export class MemberMetrics {
  private server: Server | undefined;
  private client: KubeClient | undefined;

  constructor(
    readonly rec: ClusterRecord,
    private readonly stateDir: string,
    private readonly tls: { cert: string; key: string; clientCa: string },
  ) {}

  async start(port: number): Promise<void> {
    this.client = await KubeClient.fromKubeconfigText(readFileSync(this.rec.kubeconfig, 'utf8'));
    this.server = createServer(
      {
        cert: readFileSync(this.tls.cert),
        key: readFileSync(this.tls.key),
        ca: readFileSync(this.tls.clientCa),
        // Only the member's front proxy, as metrics-server's requestheader authentication.
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => void this.handle(req, res),
    );
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', () => resolve());
    });
  }

  close(): void {
    this.server?.close();
    this.client?.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const user = req.headers['x-remote-user'];
      if (peer.subject?.CN !== FRONT_PROXY_CLIENT || typeof user !== 'string' || user === '')
        return status(res, 401, 'Unauthorized', 'only the front proxy, with X-Remote-User, may call');
      const url = new URL(req.url ?? '/', 'https://localhost');
      if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', `${req.method ?? ''} is not served`);
      const path = url.pathname.replace(/\/$/, '');
      if (path === '/apis') return send(res, 200, GROUPS);
      if (path === BASE) return send(res, 200, RESOURCES);
      if (path === `${BASE}/nodes`)
        return send(res, 200, { kind: 'NodeMetricsList', apiVersion: GROUP_VERSION, metadata: {}, items: [] });
      const m = /^\/apis\/metrics\.k8s\.io\/v1beta1\/(?:namespaces\/([^/]+)\/)?pods(?:\/([^/]+))?$/.exec(path);
      if (!m) return status(res, 404, 'NotFound', `${path} is not served`);
      const [namespace, name] = [m[1], m[2]];
      const items = await this.podMetrics(namespace, name, url.searchParams.get('labelSelector') ?? undefined);
      if (name !== undefined) {
        const item = items[0];
        return item
          ? send(res, 200, item)
          : status(res, 404, 'NotFound', `podmetrics.metrics.k8s.io "${name}" not found`);
      }
      send(res, 200, { kind: 'PodMetricsList', apiVersion: GROUP_VERSION, metadata: {}, items });
    } catch (e) {
      status(res, 500, 'InternalError', e instanceof Error ? e.message : String(e));
    }
  }

  /** The member's pods (by the API server's own selector) that have values, as PodMetrics. */
  private async podMetrics(namespace: string | undefined, name: string | undefined, labelSelector?: string) {
    const client = this.client;
    if (!client) throw new Error('not started');
    const base = namespace ? `/api/v1/namespaces/${namespace}/pods` : '/api/v1/pods';
    const pods =
      name !== undefined
        ? [await client.get<KubeObject>(`${base}/${name}`).catch(() => undefined)].filter((p) => p !== undefined)
        : (await client.list<KubeObject>(base, labelSelector ? { labelSelector } : {})).items;
    const values = readMetricsValues(this.stateDir)[this.rec.name] ?? {};
    const now = new Date();
    now.setMilliseconds(0);
    return pods.flatMap((pod) => {
      const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
      const containers = values[key];
      if (!containers) return [];
      return [
        {
          metadata: {
            name: pod.metadata?.name,
            namespace: pod.metadata?.namespace,
            labels: pod.metadata?.labels ?? {},
            creationTimestamp: now.toISOString(),
          },
          timestamp: now.toISOString(),
          window: '10s',
          containers: Object.entries(containers).map(([c, usage]) => ({ name: c, usage })),
        },
      ];
    });
  }
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: metrics-stand-in <state dir>');
  const state = readState(dir);
  if (!state) throw new Error(`no test bed state in ${dir}`);
  const servers: MemberMetrics[] = [];
  for (const rec of state.clusters) {
    if (rec.role !== 'member' || !rec.metricsPort) continue;
    const pki = `${dir}/clusters/${rec.id}/pki`;
    const m = new MemberMetrics(rec, dir, {
      cert: `${pki}/metrics-serving.crt`,
      key: `${pki}/metrics-serving.key`,
      clientCa: `${pki}/front-proxy-ca.crt`,
    });
    await m.start(rec.metricsPort);
    servers.push(m);
  }
  console.log(`metrics-stand-in: serving ${servers.map((s) => `${s.rec.name}:${s.rec.metricsPort}`).join(', ')}`);
  const stop = () => {
    for (const s of servers) s.close();
    console.log('metrics-stand-in: stopped');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
