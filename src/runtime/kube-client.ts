// A small Kubernetes REST client on node:https with one keep-alive agent
// per cluster. client-node 1.4 builds a fresh agent (and TLS handshake)
// for many calls and its typed APIs differ per kind; the operator needs
// the same six verbs for custom objects, pods, VMs, leases and events, a
// resourceVersion precondition on writes, and a watch it can abort and
// time itself. Credentials still come from client-node's KubeConfig
// (certificates, tokens, `as` impersonation), so every kubeconfig works;
// those that change while the process runs are read again (credentials.ts).

import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createSecureContext, type SecureContext } from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
import { changingCredentials, CREDENTIAL_REFRESH_MS, type CredentialSource } from './credentials.js';
import { lineSplitter } from './line-splitter.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    generateName?: string;
  };
}

export interface KubeList<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** Where a kind lives: `/api/v1` or `/apis/<group>/<version>`, and its plural. */
// Defined with the API constants (pure); re-exported for the clients' users.
export { resourcePath, type ResourceRef } from '../core/api/resources.js';

/** An API error with the HTTP code and the Status reason (`Conflict`, `NotFound`). */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeError && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeError && e.code === 409;
export const isAlreadyExists = (e: unknown): boolean =>
  e instanceof KubeError && e.code === 409 && e.reason === 'AlreadyExists';
export const isGone = (e: unknown): boolean => e instanceof KubeError && e.code === 410;

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOpts {
  query?: Query;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
  /** Extra request headers (a list is sent as repeated lines, as Impersonate-Group needs). */
  headers?: Record<string, string | string[]>;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface WatchHandle {
  abort(): void;
}

export const MERGE_PATCH = 'application/merge-patch+json';

export class KubeClient {
  readonly server: URL;
  private readonly agent: Agent | undefined;
  private readonly watchAgent: Agent | undefined;
  private readonly headers: Record<string, string>;
  private readonly tls: { secureContext?: SecureContext; rejectUnauthorized?: boolean; servername?: string };
  /** Every request that reached a server, for tests and the bench. */
  requests = 0;
  /** Told of every answer (its status code) and every request that got none (code 0): the operator's rest_client_requests_total. */
  observer: ((method: string, code: number) => void) | undefined;

  private constructor(server: string, opts: RequestOptions & { headers?: Record<string, string> }) {
    this.server = new URL(server);
    this.headers = { ...(opts.headers ?? {}) };
    if (opts.auth) this.headers['Authorization'] = 'Basic ' + Buffer.from(opts.auth).toString('base64');
    // One TLS context (CA, client certificate and key parsed once) for every
    // connection: left to itself, each new connection built its own, which
    // was an eighth of the operator's CPU while it opened connections to
    // eight members under load (docs/benchmarks.md, "Operator").
    const secureContext =
      this.server.protocol === 'https:'
        ? createSecureContext({ ca: opts.ca, cert: opts.cert, key: opts.key })
        : undefined;
    this.tls = { secureContext, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername };
    // Requests share 16 kept-alive connections per server; a TLS handshake
    // costs both sides several milliseconds of CPU, and with 64 the
    // operator opened 64 to each member during a burst of pod creates
    // where 16 carry the same requests (HTTP/1.1: one request per
    // connection at a time). Watches hold their connection for minutes, so
    // they get their own pool and never take one from requests.
    this.agent =
      this.server.protocol === 'https:' ? new Agent({ keepAlive: true, maxSockets: 16, ...this.tls }) : undefined;
    this.watchAgent = this.server.protocol === 'https:' ? new Agent({ keepAlive: true, ...this.tls }) : undefined;
  }

  /**
   * Certificates and static tokens are read once; a token file or an auth
   * plugin is read again every `credentialRefreshMs` and after a 401
   * (credentials.ts).
   */
  static async fromKubeConfig(kc: KubeConfig, o: { credentialRefreshMs?: number } = {}): Promise<KubeClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const opts: RequestOptions & { headers?: Record<string, string> } = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    const client = new KubeClient(cluster.server, opts);
    const source = changingCredentials(kc);
    if (source) {
      client.renewCredentials(source, o.credentialRefreshMs ?? CREDENTIAL_REFRESH_MS);
      // Read through credentials.ts from the start: client-node sends a token file as it is, trailing newline
      // included, which Node refuses as a header value.
      await client.renewNow();
    }
    return client;
  }

  private credentials:
    { source: CredentialSource; timer: NodeJS.Timeout; renewing: Promise<void> | undefined } | undefined;

  private renewCredentials(source: CredentialSource, everyMs: number): void {
    const timer = setInterval(() => {
      void this.renewNow();
    }, everyMs);
    timer.unref();
    this.credentials = { source, timer, renewing: undefined };
  }

  /** Reads the credentials again (once at a time); a failed read keeps the ones in use. */
  renewNow(): Promise<void> {
    const c = this.credentials;
    if (!c) return Promise.resolve();
    c.renewing ??= c
      .source()
      .then(
        (auth) => {
          if (auth) this.headers['Authorization'] = auth;
        },
        () => undefined,
      )
      .finally(() => {
        c.renewing = undefined;
      });
    return c.renewing;
  }

  static async fromKubeconfigText(text: string): Promise<KubeClient> {
    const kc = new KubeConfig();
    kc.loadFromString(text);
    return KubeClient.fromKubeConfig(kc);
  }

  close(): void {
    if (this.credentials) clearInterval(this.credentials.timer);
    this.agent?.destroy();
    this.watchAgent?.destroy();
  }

  private open(
    method: string,
    path: string,
    query: Query | undefined,
    headers: Record<string, string | string[]>,
    body: Buffer | undefined,
    timeoutMs: number,
    onResponse: (res: IncomingMessage) => void,
    onError: (err: Error) => void,
    agent = this.agent,
    retried = false,
  ): () => void {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    let responded = false;
    let current: (() => void) | undefined;
    const req = (this.server.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method,
        agent,
        headers: { Accept: 'application/json', ...this.headers, ...headers },
        ...(this.server.protocol === 'https:' ? this.tls : {}),
        timeout: timeoutMs,
      },
      (res) => {
        responded = true;
        this.observer?.(method, res.statusCode ?? 0);
        onResponse(res);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: no answer in ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed as idle just as this request
      // went out (the case Node's documentation gives for
      // request.reusedSocket): sent again, once, on a fresh socket. Should
      // the first attempt have landed after all, the replay cannot apply
      // twice: creates are named (409) and updates carry a resourceVersion.
      if (!retried && !responded && req.reusedSocket && err.code === 'ECONNRESET') {
        current = this.open(method, path, query, headers, body, timeoutMs, onResponse, onError, agent, true);
        return;
      }
      if (!responded) this.observer?.(method, 0);
      onError(err);
    });
    req.end(body);
    this.requests++;
    return () => (current ? current() : req.destroy());
  }

  request<T>(method: string, path: string, o: RequestOpts = {}): Promise<T> {
    const body = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const headers: Record<string, string | string[]> = {
      ...o.headers,
      ...(body ? { 'Content-Type': o.contentType ?? 'application/json', 'Content-Length': String(body.length) } : {}),
    };
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error) => {
        if (!settled) {
          settled = true;
          reject(e);
        }
      };
      this.open(
        method,
        path,
        o.query,
        headers,
        body,
        o.timeoutMs ?? 30_000,
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('end', () => {
            if (settled) return;
            settled = true;
            const text = Buffer.concat(chunks).toString('utf8');
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) {
              // /readyz, /healthz answer plain text.
              if (!String(res.headers['content-type'] ?? 'application/json').includes('json')) {
                resolve(text as unknown as T);
                return;
              }
              try {
                resolve((text === '' ? {} : JSON.parse(text)) as T);
              } catch (e) {
                reject(new Error(`${method} ${path}: bad JSON from server: ${String(e)}`));
              }
              return;
            }
            let reason = 'Unknown';
            let message = text.slice(0, 500);
            try {
              const status = JSON.parse(text) as { reason?: string; message?: string };
              reason = status.reason ?? reason;
              message = status.message ?? message;
            } catch {
              // Not a Status object (a proxy, or an HTML error page).
            }
            // Refused credentials: read them again, so that the caller's retry carries the new ones.
            if (code === 401) void this.renewNow();
            reject(new KubeError(code, reason, `${method} ${path}: ${code} ${message}`));
          });
        },
        fail,
      );
    });
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }
  list<T>(path: string, query?: Query): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', path, { query });
  }
  create<T>(path: string, body: T): Promise<T> {
    return this.request<T>('POST', path, { body });
  }
  replace<T>(path: string, body: T): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }
  /** JSON merge patch; put `metadata.resourceVersion` in the patch to make it conditional. */
  mergePatch<T>(path: string, patch: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body: patch, contentType: MERGE_PATCH });
  }
  delete(path: string, query?: Query): Promise<unknown> {
    return this.request<unknown>('DELETE', path, { query });
  }

  /**
   * Opens a watch. `onEvent` gets every decoded event; `onDone` is called
   * once, with an error or without (the server closed the stream).
   */
  watch<T>(
    path: string,
    query: Query,
    onEvent: (e: WatchEvent<T>) => void,
    onDone: (err?: Error) => void,
  ): WatchHandle {
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      onDone(err);
    };
    const destroy = this.open(
      'GET',
      path,
      { ...query, watch: 'true' },
      {},
      undefined,
      0,
      (res) => {
        if (res.statusCode !== 200) {
          if (res.statusCode === 401) void this.renewNow();
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            finish(
              new KubeError(
                res.statusCode ?? 0,
                'WatchFailed',
                `watch ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
              ),
            ),
          );
          return;
        }
        res.on(
          'data',
          lineSplitter((line) => {
            if (finished || line.trim() === '') return;
            try {
              onEvent(JSON.parse(line) as WatchEvent<T>);
            } catch {
              // A torn line is followed by the stream closing; the informer relists.
            }
          }),
        );
        res.on('error', (e) => finish(e));
        res.on('close', () => finish());
      },
      (e) => finish(e),
      this.watchAgent,
    );
    return {
      // Aborting is the caller's own decision: onDone is not called for it.
      abort: () => {
        finished = true;
        destroy();
      },
    };
  }
}
