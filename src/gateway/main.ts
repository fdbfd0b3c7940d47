#!/usr/bin/env node
// zonekeeper-gateway: the paper's REST control API in front of the hub.
//   --kubeconfig FILE (default $KUBECONFIG; without one, the pod's ServiceAccount)
//   --namespace NS (default default)  --port N (default 8080)
//   --address A (default 127.0.0.1; 0.0.0.0 in a pod)

import { hubClient } from '../runtime/hub-connection.js';
import { errorText } from '../runtime/logger.js';
import { MessageHandler } from './message-handler.js';
import { gatewayServer } from './server.js';
import { KubeZoneStore } from './zone-store.js';

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
  const log = (line: Record<string, unknown>) => process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), component: 'gateway', ...line }) + '\n');
  const hubReady = async (): Promise<string | undefined> => {
    try {
      await client.request('GET', '/readyz', { timeoutMs: 2000 });
      return undefined;
    } catch (e) {
      return `hub ${client.server.host}: ${errorText(e)}`;
    }
  };
  const server = gatewayServer(new MessageHandler(new KubeZoneStore(client), namespace), log, hubReady);
  server.listen(port, address, () => log({ level: 'info', msg: 'listening', address, port, namespace, hub: client.server.host }));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`zonekeeper-gateway: ${(e as Error).message}\n`);
  process.exit(2);
});
