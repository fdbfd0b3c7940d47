// Who is looking at the web view, and what they may see. A bearer token is
// checked with a TokenReview (the hub says who it belongs to); what the
// viewer sees is decided per namespace with a SubjectAccessReview for
// `list executionzones.zonekeeper.io` (cluster-wide first: whoever may list
// everywhere sees the whole catalogue). Answers are cached briefly, so a
// page of 500 zones does not cost 500 reviews and a revoked right stops
// showing within CACHE_MS. The REST API asks the same way for each
// message (`create executionzones`, `create zonereleases`, `get executionzones`).

import { createHash } from 'node:crypto';
import type { KubeClient } from '../runtime/kube-client.js';
import { API_GROUP } from '../core/api/types.js';

export interface Viewer {
  user: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

interface TokenReview {
  status?: {
    authenticated?: boolean;
    user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
    error?: string;
  };
}
/** A zonekeeper.io action to ask the hub about: `create executionzones` in namespace `tenant-a`. */
export interface Action {
  verb: string;
  resource: string;
  namespace: string;
}

interface SubjectAccessReview {
  status?: { allowed?: boolean };
}

/** How long a token review or an access decision is reused. */
export const CACHE_MS = 30_000;

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

export class ViewerAuth {
  private readonly tokens = new Map<string, { viewer: Viewer | undefined; at: number }>();
  private readonly decisions = new Map<string, { allowed: boolean; at: number }>();

  constructor(
    private readonly hub: KubeClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token's owner, or undefined when the hub does not accept the token. */
  async authenticate(token: string): Promise<Viewer | undefined> {
    const key = digest(token);
    const hit = this.tokens.get(key);
    if (hit && this.now() - hit.at < CACHE_MS) return hit.viewer;
    const review = await this.hub.create<TokenReview & Record<string, unknown>>(
      '/apis/authentication.k8s.io/v1/tokenreviews',
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token },
      },
    );
    const u = review.status?.user;
    const viewer =
      review.status?.authenticated && u?.username
        ? {
            user: u.username,
            ...(u.uid ? { uid: u.uid } : {}),
            groups: u.groups ?? [],
            ...(u.extra ? { extra: u.extra } : {}),
          }
        : undefined;
    this.tokens.set(key, { viewer, at: this.now() });
    this.prune(this.tokens);
    return viewer;
  }

  /** May the viewer list zones in `namespace` ('' for every namespace)? */
  mayList(viewer: Viewer, namespace: string): Promise<boolean> {
    return this.may(viewer, { verb: 'list', resource: 'executionzones', namespace });
  }

  /** May the viewer `verb` the zonekeeper.io `resource` in `namespace` ('' for every namespace)? */
  async may(viewer: Viewer, action: Action): Promise<boolean> {
    const { verb, resource, namespace } = action;
    const key = [viewer.user, viewer.groups.join(','), verb, resource, namespace].join('\u0000');
    const hit = this.decisions.get(key);
    if (hit && this.now() - hit.at < CACHE_MS) return hit.allowed;
    const review = await this.hub.create<SubjectAccessReview & Record<string, unknown>>(
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: viewer.user,
          groups: viewer.groups,
          ...(viewer.uid ? { uid: viewer.uid } : {}),
          ...(viewer.extra ? { extra: viewer.extra } : {}),
          resourceAttributes: { ...(namespace ? { namespace } : {}), verb, group: API_GROUP, resource },
        },
      },
    );
    const allowed = review.status?.allowed === true;
    this.decisions.set(key, { allowed, at: this.now() });
    this.prune(this.decisions);
    return allowed;
  }

  /** Drops stale entries once the cache grows, so many viewers cannot grow it without bound. */
  private prune<V extends { at: number }>(cache: Map<string, V>): void {
    if (cache.size < 10_000) return;
    for (const [k, v] of cache) if (this.now() - v.at >= CACHE_MS) cache.delete(k);
  }
}
