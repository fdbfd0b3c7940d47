// A KubeClient against a plain-HTTP server the test runs on loopback, for
// unit tests of the client and of what sits on it (no TLS, no credentials).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../src/runtime/kube-client.js';

/** Starts `server` on a free loopback port and returns a client for it. */
export async function listenWithClient(server: Server): Promise<KubeClient> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return KubeClient.fromKubeconfigText(
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
}
