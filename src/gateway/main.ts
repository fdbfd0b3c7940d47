#!/usr/bin/env node
// zonekeeper-gateway: the paper's REST control API in front of the hub.
//   --kubeconfig FILE (default $KUBECONFIG; without one, the pod's ServiceAccount)
//   --namespace NS (default default)  --port N (default 8080)
//   --address A (default 127.0.0.1; 0.0.0.0 in a pod)
//   --no-view (no web view at /ui/; it needs list/watch on zones and
//   providers and create on TokenReviews and SubjectAccessReviews)

import type { AddressInfo } from 'node:net';
import { hubClient } from '../runtime/hub-connection.js';
import { errorText } from '../runtime/logger.js';
import { MessageHandler } from './message-handler.js';
import { gatewayServer } from './server.js';
import { KubeZoneStore } from './zone-store.js';
import { ViewFeed } from './view-feed.js';
import { ViewRoutes } from './view-routes.js';
import { ViewerAuth } from './viewer-auth.js';
import { createLogger } from '../runtime/logger.js';

function flag(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

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
  let view: ViewRoutes | undefined;
  let feed: ViewFeed | undefined;
  if (!process.argv.includes('--no-view')) {
    feed = new ViewFeed(client, createLogger({ fields: { component: 'gateway-view' } }));
    // Not awaited: the REST API serves while the view's caches fill; /api/view says 503 until then.
    void feed.start();
    view = new ViewRoutes(feed, new ViewerAuth(client), log);
  }
  const server = gatewayServer(new MessageHandler(new KubeZoneStore(client), namespace), log, hubReady, view);
  server.listen(port, address, () =>
    log({
      level: 'info',
      msg: 'listening',
      address,
      port: (server.address() as AddressInfo).port,
      namespace,
      hub: client.server.host,
      view: view ? '/ui/' : 'off',
    }),
  );
  const stop = () => {
    feed?.stop();
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
