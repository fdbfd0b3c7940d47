// A bound ServiceAccount token from a cluster's TokenRequest API
// (POST /api/v1/namespaces/NS/serviceaccounts/NAME/token): the short-lived
// credential a member's kubeconfig holds, asked for by `zonectl onboard` as
// the member's admin and by the operator as the member identity itself.

import type { KubeClient, KubeObject } from '../runtime/kube-client.js';
import type { BoundObject } from './token-schedule.js';

export interface TokenRequestSpec {
  namespace: string;
  serviceAccount: string;
  expirationSeconds: number;
  /** Empty: the API server's own audiences. */
  audiences?: string[];
  boundObject?: BoundObject;
}

export interface IssuedToken {
  token: string;
  /** RFC 3339, as the API server answered. */
  expirationTimestamp: string;
}

interface TokenRequest extends KubeObject {
  status?: { token?: string; expirationTimestamp?: string };
}

export function tokenRequestPath(namespace: string, serviceAccount: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`;
}

export async function requestToken(
  client: KubeClient,
  spec: TokenRequestSpec,
  timeoutMs = 10_000,
): Promise<IssuedToken> {
  const b = spec.boundObject;
  const body = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {
      expirationSeconds: spec.expirationSeconds,
      ...(spec.audiences && spec.audiences.length > 0 ? { audiences: spec.audiences } : {}),
      ...(b ? { boundObjectRef: { apiVersion: 'v1', kind: b.kind, name: b.name, uid: b.uid } } : {}),
    },
  };
  const answer = await client.request<TokenRequest>('POST', tokenRequestPath(spec.namespace, spec.serviceAccount), {
    body,
    timeoutMs,
  });
  const token = answer.status?.token;
  if (!token) throw new Error(`the TokenRequest for ${spec.namespace}/${spec.serviceAccount} answered no status.token`);
  return { token, expirationTimestamp: answer.status?.expirationTimestamp ?? '' };
}
