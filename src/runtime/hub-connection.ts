// How every zonekeeper process reaches the hub: a kubeconfig when one is
// given, else the pod's ServiceAccount (token and CA under
// /var/run/secrets/kubernetes.io/serviceaccount, the API server from
// KUBERNETES_SERVICE_HOST/PORT). The operator and the gateway share this,
// so the gateway works in-cluster exactly the way the operator does.

import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from './kube-client.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface HubConnectionOptions {
  kubeconfig?: string;
  /** Impersonate this user (Impersonate-User), e.g. the operator's ServiceAccount in tests. */
  as?: string;
  /** Prepended to SERVICE_ACCOUNT_DIR; tests put a token and CA under a temp dir. */
  serviceAccountRoot?: string;
  /** How often a rotating token is read again (credentials.ts); tests shorten it. */
  credentialRefreshMs?: number;
}

export function hubKubeConfig(o: HubConnectionOptions): KubeConfig {
  const kc = new KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else {
    // client-node would build https://undefined:undefined and fail on the first request, far from the cause.
    if (!process.env['KUBERNETES_SERVICE_HOST'] || !process.env['KUBERNETES_SERVICE_PORT']) {
      throw new Error(
        'no kubeconfig given (--kubeconfig or KUBECONFIG) and not in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set',
      );
    }
    const root = o.serviceAccountRoot ?? '';
    for (const f of ['token', 'ca.crt']) {
      const path = `${root}${SERVICE_ACCOUNT_DIR}/${f}`;
      if (!existsSync(path))
        throw new Error(`in-cluster config: ${path} is missing (is automountServiceAccountToken off?)`);
    }
    kc.loadFromCluster(root);
  }
  if (o.as) {
    const user = kc.getCurrentUser();
    if (!user) throw new Error('kubeconfig has no current user to impersonate from');
    (user as { impersonateUser?: string }).impersonateUser = o.as;
  }
  return kc;
}

export async function hubClient(o: HubConnectionOptions): Promise<KubeClient> {
  return KubeClient.fromKubeConfig(
    hubKubeConfig(o),
    o.credentialRefreshMs === undefined ? {} : { credentialRefreshMs: o.credentialRefreshMs },
  );
}
