// Credentials that change while a process runs. A pod's ServiceAccount
// token is a projected token the kubelet replaces before it expires (an
// hour by default), and kubeconfig auth plugins (exec, OIDC) hand out
// short-lived tokens too; a client that read its Authorization header once
// would be refused an hour later on a cluster that does not extend token
// lifetimes. Static certificates and tokens need none of this.
import { readFile } from 'node:fs/promises';
import type { KubeConfig } from '@kubernetes/client-node';

/** Answers the current Authorization header value (or undefined when there is none). */
export type CredentialSource = () => Promise<string | undefined>;

/** How often a changing credential is read again: client-go re-reads a token file every minute too. */
export const CREDENTIAL_REFRESH_MS = 60_000;

/** The source of a kubeconfig's Authorization header if it can change, else undefined. */
export function changingCredentials(kc: KubeConfig): CredentialSource | undefined {
  const user = kc.getCurrentUser();
  if (!user) return undefined;
  const authProvider = user.authProvider as { config?: Record<string, string> } | undefined;
  const tokenFile = authProvider?.config?.['tokenFile'];
  // Read directly: client-node caches a token file for a minute after each read, on its own clock.
  if (tokenFile) return async () => `Bearer ${(await readFile(tokenFile, 'utf8')).trim()}`;
  if (!user.exec && !user.authProvider) return undefined;
  return async () => {
    const o: { headers: Record<string, string> } = { headers: {} };
    await kc.applyToHTTPSOptions(o);
    return o.headers['Authorization'];
  };
}
