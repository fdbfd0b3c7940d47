// Kubeconfig files for the test bed. Certificates are embedded rather than
// referenced by path, so a kubeconfig can be copied into a Secret (the way
// the operator gets member credentials) and still work.

import { readFileSync, writeFileSync } from 'node:fs';
import yaml from 'js-yaml';

export interface KubeconfigInput {
  contextName: string;
  server: string;
  caFile: string;
  userName: string;
  /** Either a client certificate pair ... */
  certFile?: string;
  keyFile?: string;
  /** ... or a bearer token. */
  token?: string;
  namespace?: string;
}

const b64 = (path: string): string => readFileSync(path).toString('base64');

export function kubeconfigText(input: KubeconfigInput): string {
  const user: Record<string, string> = {};
  if (input.token !== undefined) user['token'] = input.token;
  if (input.certFile && input.keyFile) {
    user['client-certificate-data'] = b64(input.certFile);
    user['client-key-data'] = b64(input.keyFile);
  }
  const context: Record<string, string> = { cluster: input.contextName, user: input.userName };
  if (input.namespace) context['namespace'] = input.namespace;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: input.contextName, cluster: { server: input.server, 'certificate-authority-data': b64(input.caFile) } },
    ],
    users: [{ name: input.userName, user }],
    contexts: [{ name: input.contextName, context }],
    'current-context': input.contextName,
    preferences: {},
  };
  return yaml.dump(doc, { lineWidth: -1 });
}

export function writeKubeconfig(path: string, input: KubeconfigInput): void {
  // Credentials inside: owner-only.
  writeFileSync(path, kubeconfigText(input), { mode: 0o600 });
}
