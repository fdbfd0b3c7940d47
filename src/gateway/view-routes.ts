// The web view's HTTP face, served by the gateway next to the REST API:
//   GET  /ui/...               the page (static files, no framework)
//   POST /api/view/session     Authorization: Bearer <token> -> a session cookie
//   GET  /api/view/session     who is signed in (401 when nobody)
//   DELETE /api/view/session   sign out
//   GET  /api/view             the snapshot the viewer may see (JSON)
//   GET  /api/view/events      Server-Sent Events: `snapshot`, then `change`s
// The API answers a bearer token as well as the cookie. The browser never
// holds the token after signing in: the cookie is HttpOnly, SameSite=Strict
// and names a session the gateway keeps in memory.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, createGzip, gzipSync } from 'node:zlib';
import { errorText } from '../runtime/logger.js';
import type { ViewChange, ViewFeed } from './view-feed.js';
import { type NamespaceScope, snapshot, visible } from './view-model.js';
import { CACHE_MS, type Viewer, type ViewerAuth } from './viewer-auth.js';

const COOKIE = 'zk_view';
const SESSION_MS = 8 * 3600_000;
const HEARTBEAT_MS = 15_000;
const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

interface Session {
  token: string;
  viewer: Viewer;
  expires: number;
}

interface StaticFile {
  type: string;
  body: Buffer;
  gzip: Buffer;
}

/** The page's files: next to this module when packaged, else in src/gateway/ui of the checkout. */
export function uiDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'ui'), join(here, '..', '..', '..', 'src', 'gateway', 'ui')];
  const found = candidates.find((d) => existsSync(join(d, 'index.html')));
  if (!found) throw new Error(`the web view's files are missing (looked in ${candidates.join(', ')})`);
  return found;
}

function loadStatic(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of ['index.html', 'app.js', 'figure.js', 'style.css']) {
    const body = readFileSync(join(dir, name));
    files.set(name, {
      type: STATIC_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream',
      body,
      gzip: gzipSync(body),
    });
  }
  return files;
}

const acceptsGzip = (req: IncomingMessage): boolean => /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));

function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: Buffer,
  headers: Record<string, string> = {},
  gzipped?: Buffer,
): void {
  const zip = acceptsGzip(req) && body.length > 1024;
  const payload = zip ? (gzipped ?? gzipSync(body)) : body;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': payload.length,
    ...(zip ? { 'Content-Encoding': 'gzip' } : {}),
    Vary: 'Accept-Encoding',
    ...headers,
  });
  res.end(payload);
}

function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendBody(
    req,
    res,
    status,
    status >= 400 ? 'application/problem+json' : 'application/json',
    Buffer.from(JSON.stringify(body)),
    { 'Cache-Control': 'no-store', ...headers },
  );
}

const problem = (status: number, title: string, detail: string) => ({ type: 'about:blank', title, status, detail });

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

function bearerOf(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
  return m?.[1];
}

export class ViewRoutes {
  private readonly sessions = new Map<string, Session>();
  private readonly files: Map<string, StaticFile>;

  constructor(
    private readonly feed: ViewFeed,
    private readonly auth: ViewerAuth,
    private readonly log: (line: Record<string, unknown>) => void = () => {},
    dir: string = uiDir(),
  ) {
    this.files = loadStatic(dir);
  }

  /** Handles the request when it is the view's; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path === '/' || path === '/ui') {
      res.writeHead(302, { Location: '/ui/' });
      res.end();
      return true;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204, SECURITY_HEADERS);
      res.end();
      return true;
    }
    if (path.startsWith('/ui/')) {
      const name = path === '/ui/' ? 'index.html' : path.slice(4);
      const f = this.files.get(name);
      if (!f || req.method !== 'GET') sendJson(req, res, 404, problem(404, 'Not found', `no file ${path}`));
      else sendBody(req, res, 200, f.type, f.body, { 'Cache-Control': 'no-cache' }, f.gzip);
      return true;
    }
    if (path === '/api/view/session') {
      await this.session(req, res);
      return true;
    }
    if (path === '/api/view' || path === '/api/view/events') {
      if (req.method !== 'GET') {
        sendJson(req, res, 405, problem(405, 'Method not allowed', `GET ${path}`));
        return true;
      }
      if (!this.feed.synced) {
        sendJson(
          req,
          res,
          503,
          problem(503, 'Not ready', 'the view is still reading zones and providers from the hub'),
          { 'Retry-After': '1' },
        );
        return true;
      }
      const viewer = await this.viewerOf(req);
      if (!viewer) {
        sendJson(
          req,
          res,
          401,
          problem(401, 'Unauthorized', 'sign in with a bearer token the hub accepts (TokenReview)'),
          { 'WWW-Authenticate': 'Bearer' },
        );
        return true;
      }
      if (path === '/api/view')
        sendJson(
          req,
          res,
          200,
          snapshot(viewer.user, await this.scope(viewer), this.feed.providers(), this.feed.zoneViews()),
        );
      else await this.events(req, res, viewer);
      return true;
    }
    return false;
  }

  private async session(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST') {
      const token = bearerOf(req);
      if (!token)
        return sendJson(req, res, 400, problem(400, 'No token', 'send the token as Authorization: Bearer <token>'));
      const viewer = await this.auth.authenticate(token);
      if (!viewer) return sendJson(req, res, 401, problem(401, 'Unauthorized', 'the hub does not accept this token'));
      const id = randomBytes(24).toString('base64url');
      this.dropExpired();
      this.sessions.set(id, { token, viewer, expires: Date.now() + SESSION_MS });
      this.log({ level: 'info', msg: 'view sign-in', user: viewer.user });
      return sendJson(
        req,
        res,
        200,
        { user: viewer.user },
        { 'Set-Cookie': `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}` },
      );
    }
    if (req.method === 'DELETE') {
      const id = cookieOf(req);
      if (id) this.sessions.delete(id);
      return sendJson(
        req,
        res,
        200,
        { user: null },
        { 'Set-Cookie': `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` },
      );
    }
    const viewer = await this.viewerOf(req);
    if (!viewer) return sendJson(req, res, 401, problem(401, 'Unauthorized', 'not signed in'));
    return sendJson(req, res, 200, { user: viewer.user });
  }

  private dropExpired(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expires <= now) this.sessions.delete(id);
  }

  /** The viewer of a request: a bearer token, or a session whose token the hub still accepts. */
  private async viewerOf(req: IncomingMessage): Promise<Viewer | undefined> {
    const bearer = bearerOf(req);
    if (bearer) return this.auth.authenticate(bearer);
    const id = cookieOf(req);
    const s = id ? this.sessions.get(id) : undefined;
    if (!s || s.expires <= Date.now()) return undefined;
    const viewer = await this.auth.authenticate(s.token);
    if (!viewer && id) this.sessions.delete(id);
    return viewer;
  }

  private async scope(viewer: Viewer): Promise<NamespaceScope> {
    if (await this.auth.mayList(viewer, '')) return { all: true };
    const allowed = new Set<string>();
    await Promise.all(
      this.feed.namespaces().map(async (ns) => {
        if (await this.auth.mayList(viewer, ns)) allowed.add(ns);
      }),
    );
    return { all: false, namespaces: allowed };
  }

  private async events(req: IncomingMessage, res: ServerResponse, viewer: Viewer): Promise<void> {
    // Compressed when the browser takes it (the snapshot of 500 zones is
    // ~600 kB of JSON, ~25 kB gzip), flushed after every event so none waits.
    const zip = acceptsGzip(req) ? createGzip({ flush: zlibConstants.Z_SYNC_FLUSH }) : undefined;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      ...(zip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    if (zip) zip.pipe(res);
    const out = zip ?? res;
    const send = (event: string, data: unknown) => out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    let scope = await this.scope(viewer);
    // Changes that arrive while the snapshot is computed or a namespace is being
    // checked queue up in order; each is filtered for this viewer before it goes.
    let queue: Promise<void> = Promise.resolve();
    const unsubscribe = this.feed.subscribe((change) => {
      queue = queue
        .then(() =>
          this.forward(
            change,
            viewer,
            () => scope,
            (s) => (scope = s),
            send,
          ),
        )
        .catch((e: unknown) => this.log({ level: 'warn', msg: 'view event dropped', error: errorText(e) }));
    });
    send('snapshot', snapshot(viewer.user, scope, this.feed.providers(), this.feed.zoneViews()));
    const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS);
    // A token revoked or a right withdrawn ends the stream; the page signs in again.
    const recheck = setInterval(() => {
      queue = queue.then(async () => {
        const s = cookieOf(req);
        const session = s ? this.sessions.get(s) : undefined;
        const token = bearerOf(req) ?? session?.token;
        const still = token ? await this.auth.authenticate(token) : undefined;
        if (!still) {
          send('signed-out', { reason: 'the token is no longer accepted' });
          out.end();
          return;
        }
        const next = await this.scope(viewer);
        if (JSON.stringify(scopeKey(next)) !== JSON.stringify(scopeKey(scope))) {
          scope = next;
          send('snapshot', snapshot(viewer.user, scope, this.feed.providers(), this.feed.zoneViews()));
        }
      });
    }, CACHE_MS);
    const close = () => {
      clearInterval(heartbeat);
      clearInterval(recheck);
      unsubscribe();
      zip?.destroy();
    };
    req.on('close', close);
    res.on('error', close);
  }

  private async forward(
    change: ViewChange,
    viewer: Viewer,
    getScope: () => NamespaceScope,
    setScope: (s: NamespaceScope) => void,
    send: (event: string, data: unknown) => void,
  ): Promise<void> {
    let scope = getScope();
    if (!scope.all) {
      // A namespace this viewer has not been asked about yet (a zone appeared in it).
      const fresh = [...new Set(change.zones.map((z) => z.namespace))].filter(
        (ns) => !scope.all && !(scope as { namespaces: ReadonlySet<string> }).namespaces.has(ns),
      );
      if (fresh.length > 0) {
        const namespaces = new Set((scope as { namespaces: ReadonlySet<string> }).namespaces);
        for (const ns of fresh) if (await this.auth.mayList(viewer, ns)) namespaces.add(ns);
        scope = { all: false, namespaces };
        setScope(scope);
      }
    }
    const zones = change.zones.filter((z) => visible(scope, z.namespace));
    const removed = change.removed.filter((r) => visible(scope, r.namespace)).map((r) => r.key);
    if (zones.length === 0 && removed.length === 0 && !change.providers) return;
    send('change', { zones, removed, ...(change.providers ? { providers: change.providers } : {}) });
  }
}

const scopeKey = (s: NamespaceScope): unknown => (s.all ? 'all' : [...s.namespaces].sort());
