#!/usr/bin/env node
// zonekeeper-gateway: the paper's REST control API in front of the hub.
//   --kubeconfig FILE (default $KUBECONFIG; without one, the pod's ServiceAccount)
//   --namespace NS (default default)  --port N (default 8080)
//   --address A (default 127.0.0.1; 0.0.0.0 in a pod)
//   --no-view (no web view at /ui/; it needs list/watch on zones and
//   providers and create on TokenReviews and SubjectAccessReviews)
//   --tls-cert-file F --tls-key-file F (serve HTTPS; the files are read
//   again when they change, as a mounted Secret does on rotation)
//   --insecure-no-auth (accept messages without a bearer token and write as
//   the gateway itself: a local demo only; logs a warning)
//   --tenant-rate PER_SECOND[:BURST] (default 10:20)  --max-body-bytes N
//   --headers-timeout-ms N  --request-timeout-ms N

import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server as HttpsServer } from 'node:https';
import { hubClient } from '../runtime/hub-connection.js';
import { errorText } from '../runtime/logger.js';
import { MessageHandler } from './message-handler.js';
import { DEFAULT_LIMITS, type GatewayLimits, gatewayServer } from './server.js';
import { KubeZoneStore } from './zone-store.js';
import { ViewFeed } from './view-feed.js';
import { ViewRoutes } from './view-routes.js';
import { ViewerAuth } from './viewer-auth.js';
import { createLogger } from '../runtime/logger.js';

function flag(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

function numberFlag(name: string, fallback: number): number {
  const text = flag(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: "${text}" is not a positive number`);
  return n;
}

function limitsFromFlags(): GatewayLimits {
  const limits: GatewayLimits = {
    ...DEFAULT_LIMITS,
    maxBodyBytes: numberFlag('max-body-bytes', DEFAULT_LIMITS.maxBodyBytes),
    headersTimeoutMs: numberFlag('headers-timeout-ms', DEFAULT_LIMITS.headersTimeoutMs),
    requestTimeoutMs: numberFlag('request-timeout-ms', DEFAULT_LIMITS.requestTimeoutMs),
  };
  const rate = flag('tenant-rate');
  if (rate !== undefined) {
    const m = /^(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(rate);
    if (!m) throw new Error(`--tenant-rate: "${rate}" is not PER_SECOND or PER_SECOND:BURST`);
    limits.tenantRate = { perSecond: Number(m[1]), burst: Number(m[2] ?? Math.max(1, 2 * Number(m[1]))) };
  }
  return limits;
}

/** Certificate and key as PEM, and a way to notice that the files changed. */
function tlsFiles(): { read: () => { cert: Buffer; key: Buffer }; stamp: () => string } | undefined {
  const cert = flag('tls-cert-file');
  const key = flag('tls-key-file');
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new Error('--tls-cert-file and --tls-key-file go together');
  return {
    read: () => ({ cert: readFileSync(cert), key: readFileSync(key) }),
    stamp: () =>
      [cert, key]
        .map((f) => {
          const st = statSync(f);
          return `${st.mtimeMs}:${st.size}`;
        })
        .join('/'),
  };
}

/** How often the certificate files are looked at. */
const TLS_POLL_MS = 30_000;

async function main(): Promise<void> {
  const kubeconfig = flag('kubeconfig', process.env.KUBECONFIG);
  const client = await hubClient(kubeconfig ? { kubeconfig } : {});
  const namespace = flag('namespace', 'default') as string;
  const port = Number(flag('port', '8080'));
  const address = flag('address', '127.0.0.1') as string;
  const log = (line: Record<string, unknown>) =>
    process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), component: 'gateway', ...line }) + '\n');
  const hubReady = async (): Promise<string | undefined> => {
    try {
      await client.request('GET', '/readyz', { timeoutMs: 2000 });
      return undefined;
    } catch (e) {
      return `hub ${client.server.host}: ${errorText(e)}`;
    }
  };
  // One cache of token and access reviews for the web view and the REST API.
  const auth = new ViewerAuth(client);
  let view: ViewRoutes | undefined;
  let feed: ViewFeed | undefined;
  if (!process.argv.includes('--no-view')) {
    feed = new ViewFeed(client, createLogger({ fields: { component: 'gateway-view' } }));
    // Not awaited: the REST API serves while the view's caches fill; /api/view says 503 until then.
    void feed.start();
    view = new ViewRoutes(feed, auth, log);
  }
  const insecure = process.argv.includes('--insecure-no-auth');
  if (insecure)
    log({
      level: 'warn',
      msg: "--insecure-no-auth: messages are accepted without a token and written with the gateway's own identity",
    });
  const tls = tlsFiles();
  const limits = limitsFromFlags();
  const server = gatewayServer(new MessageHandler(new KubeZoneStore(client)), {
    defaultNamespace: namespace,
    ...(insecure ? {} : { auth }),
    log,
    ready: hubReady,
    ...(view ? { view } : {}),
    limits,
    ...(tls ? { tls: tls.read() } : {}),
  });
  let reloadTimer: NodeJS.Timeout | undefined;
  if (tls) {
    let stamp = tls.stamp();
    reloadTimer = setInterval(() => {
      try {
        const next = tls.stamp();
        if (next === stamp) return;
        (server as HttpsServer).setSecureContext(tls.read());
        stamp = next;
        log({ level: 'info', msg: 'TLS certificate reloaded' });
      } catch (e) {
        // A rotation caught half-written: the old certificate serves until the next look.
        log({ level: 'warn', msg: 'TLS certificate not reloaded', error: errorText(e) });
      }
    }, TLS_POLL_MS);
    reloadTimer.unref();
  }
  server.listen(port, address, () =>
    log({
      level: 'info',
      msg: 'listening',
      address,
      port: (server.address() as AddressInfo).port,
      namespace,
      hub: client.server.host,
      view: view ? '/ui/' : 'off',
      tls: tls !== undefined,
      auth: insecure ? 'none' : 'bearer',
      limits,
    }),
  );
  const stop = () => {
    feed?.stop();
    if (reloadTimer) clearInterval(reloadTimer);
    // Open event streams would hold close() for ever.
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`zonekeeper-gateway: ${(e as Error).message}\n`);
  process.exit(2);
});
