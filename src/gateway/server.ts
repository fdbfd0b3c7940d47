// The HTTP face of the gateway:
//   POST /v1/namespaces/<ns>/messages      an INIT or STOP for namespace <ns>
//   GET  /v1/namespaces/<ns>/zones/<id>    the zone's Listing 3 entry
//   POST /v1/messages, GET /v1/zones/<id>  the same in the gateway's default namespace
// With a ViewRoutes, /ui/ and /api/view* serve the live web view
// (view-routes.ts). /healthz says the process serves (liveness); /readyz
// also asks the hub, so a Service sends no message to a replica that could
// only answer 502.
//
// Every /v1 request carries the tenant's bearer token: the hub's
// TokenReview says whose it is, a SubjectAccessReview whether they may do
// what the message asks in that namespace, and the hub is then written as
// that tenant (impersonation.ts). Limits answer with their own codes: 401
// no or bad token, 403 no right, 413 body too large, 431 headers too large
// (Node), 408 a client too slow to send its request (Node), 429 over the
// tenant's rate.

import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { digestKey, explicitKey, idempotencyKeyProblem } from '../core/messages/init-replay.js';
import { KubeError } from '../runtime/kube-client.js';
import type { MessageHandler, Reply } from './message-handler.js';
import { type RateLimit, RateLimiter } from './rate-limiter.js';
import type { ViewRoutes } from './view-routes.js';
import type { Action, Viewer } from './viewer-auth.js';

export interface GatewayLimits {
  maxBodyBytes: number;
  /** Node answers 431 above this. */
  maxHeaderBytes: number;
  /** A client that has not sent its headers by then is answered 408 and dropped (slowloris). */
  headersTimeoutMs: number;
  /** ... and its whole request, body included. */
  requestTimeoutMs: number;
  /** Per tenant (user name), after authentication. */
  tenantRate: RateLimit;
  /** Per client address, before authentication: bounds the TokenReviews a stranger can cause. */
  addressRate: RateLimit;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxBodyBytes: 1 << 20,
  maxHeaderBytes: 16 << 10,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  tenantRate: { perSecond: 10, burst: 20 },
  addressRate: { perSecond: 50, burst: 100 },
};

/** Who the bearer of a token is, and what they may do (viewer-auth.ts on the hub). */
export interface TenantAuth {
  authenticate(token: string): Promise<Viewer | undefined>;
  may(viewer: Viewer, action: Action): Promise<boolean>;
}

/** Why the gateway cannot serve now, or undefined when it can. */
export type ReadyCheck = () => Promise<string | undefined>;

export interface GatewayOptions {
  /** The namespace of /v1/messages and /v1/zones/<id>. */
  defaultNamespace: string;
  /** Without it, requests are not authenticated and the gateway writes as itself (--insecure-no-auth). */
  auth?: TenantAuth;
  log?: (line: Record<string, unknown>) => void;
  ready?: ReadyCheck;
  view?: ViewRoutes;
  limits?: Partial<GatewayLimits>;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  now?: () => number;
}

class TooLarge extends Error {}

function send(res: ServerResponse, r: Reply, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(r.body, null, 2) + '\n';
  const type = r.status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(r.status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        reject(new TooLarge());
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** How much more than the limit a refused body may still send before its connection is cut. */
const DISCARD_FACTOR = 8;

/**
 * Reads and drops the rest of a refused body. Cutting the connection at once
 * resets a client still writing, which then never reads its 413; one that
 * keeps sending past `max` bytes is cut (a slow one meets the request
 * time-out).
 */
function discardBody(req: IncomingMessage, max: number): void {
  let seen = 0;
  req.on('data', (c: Buffer) => {
    seen += c.length;
    if (seen > max) req.destroy();
  });
  req.resume();
}

const problem = (status: number, title: string, detail: string): Reply => ({
  status,
  body: { type: 'about:blank', title, status, detail },
});

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ROUTE = /^\/v1\/(?:namespaces\/([^/]+)\/)?(?:(messages)|zones\/([^/]+))$/;

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
  return m?.[1];
}

export function gatewayServer(handler: MessageHandler, opts: GatewayOptions): Server | HttpsServer {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const log = opts.log ?? (() => {});
  const ready = opts.ready ?? (() => Promise.resolve(undefined));
  const now = opts.now ?? Date.now;
  const byTenant = new RateLimiter(limits.tenantRate, now);
  const byAddress = new RateLimiter(limits.addressRate, now);

  /** The /v1 API, for a path ROUTE matched. */
  async function api(req: IncomingMessage, res: ServerResponse, route: RegExpExecArray): Promise<void> {
    const namespace = route[1] === undefined ? opts.defaultNamespace : decodeURIComponent(route[1]);
    if (!NAMESPACE.test(namespace))
      return send(res, problem(400, 'Bad namespace', `"${namespace}" is not a Kubernetes namespace name`));
    const isMessage = route[2] !== undefined;
    if (isMessage && req.method !== 'POST')
      return send(res, problem(405, 'Method not allowed', 'POST an INIT or STOP message'));
    if (!isMessage && req.method !== 'GET') return send(res, problem(405, 'Method not allowed', 'GET a zone'));

    let tenant: Viewer | undefined;
    if (opts.auth) {
      const wait = byAddress.take(req.socket.remoteAddress ?? '');
      if (wait > 0)
        return send(res, problem(429, 'Too many requests', `this address sent too many; retry in ${wait} s`), {
          'Retry-After': String(wait),
        });
      const token = bearer(req);
      const unauthorized = (detail: string) =>
        send(res, problem(401, 'Unauthorized', detail), { 'WWW-Authenticate': 'Bearer realm="zonekeeper"' });
      if (!token) return unauthorized('send the tenant\'s bearer token: "Authorization: Bearer <token>"');
      tenant = await opts.auth.authenticate(token);
      if (!tenant) return unauthorized('the hub does not accept this token (TokenReview)');
      const tenantWait = byTenant.take(tenant.user);
      if (tenantWait > 0)
        return send(res, problem(429, 'Too many requests', `${tenant.user} sent too many; retry in ${tenantWait} s`), {
          'Retry-After': String(tenantWait),
        });
    }
    const store = handler.storeFor(tenant);
    const allowed = async (action: Action): Promise<boolean> => {
      if (!opts.auth || !tenant) return true;
      if (await opts.auth.may(tenant, action)) return true;
      send(
        res,
        problem(
          403,
          'Forbidden',
          `${tenant.user} may not ${action.verb} ${action.resource}.zonekeeper.io in namespace ${action.namespace}`,
        ),
      );
      return false;
    };

    if (!isMessage) {
      if (!(await allowed({ verb: 'get', resource: 'executionzones', namespace }))) return;
      return send(res, await handler.zone(decodeURIComponent(route[3]), { namespace, store }));
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    let text: string;
    try {
      if (declared > limits.maxBodyBytes) throw new TooLarge();
      text = await readBody(req, limits.maxBodyBytes);
    } catch (e) {
      if (!(e instanceof TooLarge)) throw e;
      send(res, problem(413, 'Content too large', `a message is at most ${limits.maxBodyBytes} bytes`));
      discardBody(req, DISCARD_FACTOR * limits.maxBodyBytes);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return send(res, problem(400, 'Not JSON', `the body must be one JSON message: ${(e as Error).message}`));
    }
    const stop = (json as { type?: unknown } | null)?.type === 'STOP';
    const action = { verb: 'create', resource: stop ? 'zonereleases' : 'executionzones', namespace };
    if (!(await allowed(action))) return;
    const key = req.headers['idempotency-key'];
    let requestKey: string;
    if (typeof key === 'string') {
      const why = idempotencyKeyProblem(key);
      if (why) return send(res, problem(400, 'Bad Idempotency-Key', `Idempotency-Key ${why}`));
      requestKey = explicitKey(key);
    } else requestKey = digestKey(createHash('sha256').update(JSON.stringify(json)).digest('hex'));
    return send(res, await handler.handle(json, { namespace, store, requestKey, now: now() }));
  }

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://gateway');
      try {
        if (url.pathname === '/healthz') return send(res, { status: 200, body: { status: 'ok' } });
        if (url.pathname === '/readyz') {
          const why = await ready();
          return send(
            res,
            why === undefined ? { status: 200, body: { status: 'ok' } } : problem(503, 'Not ready', why),
          );
        }
        const route = ROUTE.exec(url.pathname);
        if (route) return await api(req, res, route);
        if (opts.view && (await opts.view.handle(req, res, url))) return;
        return send(res, problem(404, 'Not found', `no route ${req.method} ${url.pathname}`));
      } catch (e) {
        log({ level: 'error', msg: 'request failed', path: url.pathname, error: String(e) });
        if (res.headersSent) return;
        // The hub refusing a write (schema, CEL, RBAC) is the caller's business; its
        // message names the field. Anything else means the hub is not reachable.
        if (e instanceof KubeError && e.code >= 400 && e.code < 500)
          return send(res, problem(e.code, `Hub refused: ${e.reason}`, e.message));
        return send(
          res,
          problem(502, 'Hub unavailable', `the hub API server did not answer (${(e as Error).message}); try again`),
        );
      }
    })();
  };
  const httpOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // How often Node looks for the two time-outs above (its default, 30 s, lets a slowloris client sit far longer).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
  return opts.tls
    ? createHttpsServer({ ...httpOptions, cert: opts.tls.cert, key: opts.tls.key }, serve)
    : createHttpServer(httpOptions, serve);
}
