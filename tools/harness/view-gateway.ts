// The gateway with its web view on a running test bed, the way it runs in
// a cluster: as the zonekeeper-gateway ServiceAccount with a token of its
// own (not the admin impersonating it: the gateway impersonates tenants
// itself, and impersonation does not nest), so it can do exactly what
// deploy/ grants; and viewers with tokens of their own ServiceAccounts.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { type KubeClient, type KubeObject, resourcePath } from '../../src/runtime/kube-client.js';
import { hubCluster, type TestbedState } from '../testbed/state.js';
import { apply } from './apply.js';
import { NodeChild } from './node-child.js';
import { OPERATOR_NAMESPACE } from './testbed-setup.js';

const GATEWAY_ACCOUNT = 'zonekeeper-gateway';
export const GATEWAY_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:${GATEWAY_ACCOUNT}`;
export const VIEWER_ROLE = 'zonekeeper-zone-viewer';

interface KubeconfigDoc {
  users: { name: string; user: Record<string, unknown> }[];
}

/** A kubeconfig file for the gateway's ServiceAccount on the test bed's hub, with a token valid for an hour. */
export async function gatewayKubeconfig(state: TestbedState, hub: KubeClient): Promise<string> {
  const token = await serviceAccountToken(hub, OPERATOR_NAMESPACE, GATEWAY_ACCOUNT);
  const doc = yaml.load(readFileSync(hubCluster(state).kubeconfig, 'utf8')) as KubeconfigDoc;
  doc.users = doc.users.map((u) => ({ ...u, user: { token } }));
  const path = join(state.dir, 'gateway-view.kubeconfig');
  writeFileSync(path, yaml.dump(doc, { lineWidth: -1 }), { mode: 0o600 });
  return path;
}

export interface RunningGateway {
  proc: NodeChild;
  base: string;
}

/** The gateway as a process on a free port; `args` adds flags (docs/gateway.md), `namespace` is its default one. */
export async function startGateway(
  kubeconfig: string,
  logFile: string,
  o: { namespace?: string; args?: string[] } = {},
): Promise<RunningGateway> {
  const { proc, match } = await NodeChild.start({
    name: 'gateway',
    script: 'src/gateway/main.js',
    args: ['--kubeconfig', kubeconfig, '--port', '0', '--namespace', o.namespace ?? 'default', ...(o.args ?? [])],
    ready: /"msg":"listening".*?"port":(\d+)/,
    logFile,
    // A loaded 2-core machine can take half a minute to start a node process.
    timeoutMs: 120_000,
  });
  return { proc, base: `http://127.0.0.1:${match[1]}` };
}

/**
 * A ServiceAccount `name` in `namespace` bound to zonekeeper-zone-viewer, in
 * `namespace` only or cluster-wide, and a fresh token for it (TokenRequest).
 */
export async function viewerToken(
  hub: KubeClient,
  namespace: string,
  name: string,
  clusterWide: boolean,
): Promise<string> {
  await apply(hub, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await apply(hub, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: VIEWER_ROLE };
  const subjects = [{ kind: 'ServiceAccount', name, namespace }];
  if (clusterWide)
    await apply(hub, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${namespace}-${name}` },
      roleRef,
      subjects,
    } as KubeObject);
  else
    await apply(hub, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef,
      subjects,
    } as KubeObject);
  return serviceAccountToken(hub, namespace, name);
}

/** A fresh token (TokenRequest, one hour) for ServiceAccount `namespace/name`. */
export async function serviceAccountToken(hub: KubeClient, namespace: string, name: string): Promise<string> {
  const req = await hub.create<{ status?: { token?: string } } & KubeObject>(
    `${resourcePath({ group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true }, namespace, name)}/token`,
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    } as KubeObject,
  );
  const token = req.status?.token;
  if (!token) throw new Error(`no token for ${namespace}/${name}`);
  return token;
}
