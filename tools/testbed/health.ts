// Free ports and readiness probes. Every wait has a deadline and says what
// it waited for, with the tail of the log, so a slow start is diagnosable.

import { pollUntil } from '../harness/poll-until.js';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

/** A port the kernel says is free on loopback now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TlsProbe {
  ca: string;
  cert: string;
  key: string;
}

/** GET a URL; resolves with the status code and body, or rejects on no answer. */
export function probe(url: string, tls?: TlsProbe, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const opts = {
      method: 'GET',
      hostname: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      timeout: timeoutMs,
      ...(tls ? { ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key) } : {}),
    };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export function logTail(path: string, lines = 15): string {
  if (!existsSync(path)) return '(no log)';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  log?: string;
  /** Fails the wait at once (e.g. the process died). */
  aborted?: () => string | undefined;
  intervalMs?: number;
}

/** Polls `check` until it returns true; throws with the log's tail on timeout. */
export async function waitFor(check: () => Promise<boolean>, opts: WaitOptions): Promise<void> {
  const log = opts.log;
  await pollUntil(opts.what, check, {
    timeoutMs: opts.timeoutMs,
    everyMs: opts.intervalMs ?? 200,
    aborted: opts.aborted,
    detail: log ? () => `--- ${log} ---\n${logTail(log)}` : undefined,
  });
}
