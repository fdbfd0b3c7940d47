// Raw requests to the hub's API server for the admission tests: the tests
// look at the HTTP status and the metav1.Status body (message and causes)
// exactly as the API server sends them, with no client library in between.

import { randomBytes } from 'node:crypto';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { findCluster } from '../../../tools/testbed/state.js';
import { testbed } from '../support/global-fixture.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  /** For failures: the metav1.Status message and causes. */
  message: string;
  causes: StatusCause[];
  warnings: string[];
}

export class HubApi {
  private constructor(
    private readonly server: URL,
    private readonly opts: RequestOptions,
  ) {}

  /**
   * The test bed's hub, or any API server named by ZONEKEEPER_ADMISSION_KUBECONFIG
   * (the admission tests need nothing but a kube-apiserver and its etcd).
   */
  static async connect(cluster = 'hub'): Promise<HubApi> {
    const kc = new KubeConfig();
    kc.loadFromFile(process.env['ZONEKEEPER_ADMISSION_KUBECONFIG'] ?? findCluster(testbed(), cluster).kubeconfig);
    const current = kc.getCurrentCluster();
    if (!current) throw new Error('the hub kubeconfig has no current cluster');
    const opts: RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    return new HubApi(new URL(current.server), opts);
  }

  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string> = {},
    contentType = 'application/json',
  ): Promise<ApiResponse<T>> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        {
          ...this.opts,
          method,
          headers: {
            ...(this.opts.headers as Record<string, string>),
            Accept: 'application/json',
            ...(payload ? { 'Content-Type': contentType } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // Not JSON (rare: proxies, panics); keep the text.
            }
            const st = parsed as { message?: string; details?: { causes?: StatusCause[] } };
            const warning = res.headers['warning'];
            resolve({
              status: res.statusCode ?? 0,
              body: parsed as T,
              message: typeof st?.message === 'string' ? st.message : '',
              causes: st?.details?.causes ?? [],
              warnings: Array.isArray(warning) ? warning : warning ? [warning] : [],
            });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A namespace of its own for one test (no pods are made, so no ServiceAccount is awaited). */
  async createNamespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
    const slug =
      prefix
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40) || 'adm';
    const name = `${slug}-${randomBytes(3).toString('hex')}`;
    const res = await this.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'zonekeeper.io/test': 'admission', ...labels } },
    });
    if (res.status !== 201) throw new Error(`creating namespace ${name}: ${res.status} ${res.message}`);
    return name;
  }

  async deleteNamespace(name: string): Promise<void> {
    const res = await this.request('DELETE', `/api/v1/namespaces/${name}`);
    if (res.status !== 200 && res.status !== 202 && res.status !== 404)
      throw new Error(`deleting namespace ${name}: ${res.status} ${res.message}`);
  }
}
