// The HTTP face of the gateway: POST /v1/messages takes an INIT or STOP,
// GET /v1/zones/<application-id> returns the zone's Listing 3 entry; with a
// ViewRoutes, /ui/ and /api/view* serve the live web view (view-routes.ts).
// /healthz says the process serves (liveness); /readyz also asks the hub,
// so a Service sends no message to a replica that could only answer 502.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { KubeError } from '../runtime/kube-client.js';
import type { MessageHandler, Reply } from './message-handler.js';
import type { ViewRoutes } from './view-routes.js';

const MAX_BODY = 1 << 20;

function send(res: ServerResponse, r: Reply): void {
  const body = JSON.stringify(r.body, null, 2) + '\n';
  const type = r.status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(r.status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const problem = (status: number, title: string, detail: string): Reply => ({
  status,
  body: { type: 'about:blank', title, status, detail },
});

/** Why the gateway cannot serve now, or undefined when it can. */
export type ReadyCheck = () => Promise<string | undefined>;

export function gatewayServer(
  handler: MessageHandler,
  log: (line: Record<string, unknown>) => void = () => {},
  ready: ReadyCheck = () => Promise.resolve(undefined),
  view?: ViewRoutes,
): Server {
  return createServer((req, res) => {
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
        if (url.pathname === '/v1/messages') {
          if (req.method !== 'POST')
            return send(res, problem(405, 'Method not allowed', 'POST an INIT or STOP message'));
          let json: unknown;
          try {
            json = JSON.parse(await readBody(req));
          } catch (e) {
            return send(res, problem(400, 'Not JSON', `the body must be one JSON message: ${(e as Error).message}`));
          }
          return send(res, await handler.handle(json));
        }
        if (view && (await view.handle(req, res, url))) return;
        const m = /^\/v1\/zones\/([^/]+)$/.exec(url.pathname);
        if (m && req.method === 'GET') return send(res, await handler.zone(decodeURIComponent(m[1])));
        return send(res, problem(404, 'Not found', `no route ${req.method} ${url.pathname}`));
      } catch (e) {
        log({ level: 'error', msg: 'request failed', path: url.pathname, error: String(e) });
        // The hub refusing a write (schema, CEL, RBAC) is the caller's business; its
        // message names the field. Anything else means the hub is not reachable.
        if (e instanceof KubeError && e.code >= 400 && e.code < 500)
          return send(res, problem(e.code === 422 ? 422 : e.code, `Hub refused: ${e.reason}`, e.message));
        return send(
          res,
          problem(502, 'Hub unavailable', `the hub API server did not answer (${(e as Error).message}); try again`),
        );
      }
    })();
  });
}
