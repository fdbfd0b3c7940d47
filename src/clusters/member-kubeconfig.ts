// The kubeconfig a member's hub Secret holds, as text: made by
// `zonectl onboard` from the member's endpoint and a fresh token, and
// rewritten by the operator with each renewed token. Only the current
// context's user is looked at, as that is the one the operator's client uses.

import yaml from 'js-yaml';

export interface MemberEndpoint {
  server: string;
  /** The member API server's CA, base64 PEM (a kubeconfig's certificate-authority-data). */
  caData?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify?: boolean;
}

/** A kubeconfig with one cluster, one user holding `token`, and one context. */
export function memberKubeconfig(provider: string, endpoint: MemberEndpoint, token: string): string {
  const cluster: Record<string, unknown> = { server: endpoint.server };
  if (endpoint.caData) cluster['certificate-authority-data'] = endpoint.caData;
  if (endpoint.tlsServerName) cluster['tls-server-name'] = endpoint.tlsServerName;
  if (endpoint.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
  // A user name per member: client-node caches credentials by user name.
  const user = `zonekeeper-member@${provider}`;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: provider, cluster }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: provider, context: { cluster: provider, user } }],
    'current-context': provider,
  };
  return yaml.dump(doc, { lineWidth: -1 });
}

interface Doc {
  'current-context'?: unknown;
  contexts?: unknown;
  users?: unknown;
}
interface Named {
  name?: unknown;
  context?: { user?: unknown };
  user?: Record<string, unknown>;
}

const list = (v: unknown): Named[] =>
  Array.isArray(v) ? v.filter((x): x is Named => typeof x === 'object' && x !== null) : [];

/** The current context's user entry, or undefined when the text names none (or is no kubeconfig). */
function currentUser(doc: Doc): Record<string, unknown> | undefined {
  const contexts = list(doc.contexts);
  const users = list(doc.users);
  const current = doc['current-context'];
  const context =
    typeof current === 'string' && current !== ''
      ? contexts.find((c) => c.name === current)
      : contexts.length === 1
        ? contexts[0]
        : undefined;
  const name = context?.context?.user;
  return users.find((u) => u.name === name)?.user;
}

function load(text: string): Doc | undefined {
  try {
    const doc = yaml.load(text);
    return typeof doc === 'object' && doc !== null ? doc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The static bearer token the kubeconfig authenticates with, or undefined
 * when it uses anything else (a certificate, a token file, an exec or auth
 * plugin): those are not the operator's to renew.
 */
export function staticBearerToken(text: string): string | undefined {
  const doc = load(text);
  const user = doc ? currentUser(doc) : undefined;
  if (!user || user['tokenFile'] || user['exec'] || user['auth-provider']) return undefined;
  const token = user['token'];
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** The same kubeconfig with the current user's token replaced; every other field is kept. */
export function withBearerToken(text: string, token: string): string {
  const doc = load(text);
  const user = doc ? currentUser(doc) : undefined;
  if (!doc || !user) throw new Error('the kubeconfig has no current user to give the token to');
  user['token'] = token;
  return yaml.dump(doc, { lineWidth: -1 });
}
