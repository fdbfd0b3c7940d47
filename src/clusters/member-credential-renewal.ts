// Renews a member's short-lived token before it expires. A member whose
// kubeconfig Secret holds a ServiceAccount token from the TokenRequest API
// (zonectl onboard) gets, once the part of its lifetime left falls below
// the renew fraction, a fresh token asked of the member as that same
// ServiceAccount with the token still in use (the member grants it `create`
// on its own serviceaccounts/token and nothing else), and the Secret gets
// the new token by a merge patch conditional on the resourceVersion that was
// read. Until that patch lands nothing changes: a failure at any step keeps
// the working token in the Secret, and is tried again with backoff while
// the remaining lifetime lasts. Certificates, token files, exec plugins and
// tokens without an expiry are not the operator's to renew.

import type { Clock } from '../runtime/clock.js';
import { isConflict, type KubeClient, resourcePath } from '../runtime/kube-client.js';
import { errorText, type Logger } from '../runtime/logger.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { staticBearerToken, withBearerToken } from './member-kubeconfig.js';
import { requestToken } from './token-request.js';
import { renewalLifetime, renewalTime, serviceAccountTokenClaims } from './token-schedule.js';

/** Renew when a third of the token's lifetime is left: a 24-hour token leaves 8 hours of retries. */
export const DEFAULT_RENEW_FRACTION = 1 / 3;
const FIRST_RETRY_MS = 10_000;
const MAX_RETRY_MS = 10 * 60_000;

export interface CredentialRenewalOptions {
  hub: KubeClient;
  /** Where the kubeconfig Secrets are. */
  namespace: string;
  logger: Logger;
  clock: Clock;
  metrics?: OperatorMetrics;
  renewFraction?: number;
}

/** The Secret a member client was built from, and that client. */
export interface LoadedCredential {
  provider: string;
  secretName: string;
  key: string;
  /** The Secret's resourceVersion when `kubeconfig` was read: the patch's precondition. */
  secretVersion: string;
  kubeconfig: string;
  client: KubeClient;
}

export type RenewalOutcome =
  | { result: 'renewed'; message: string }
  | { result: 'failed'; message: string }
  /** The Secret changed since it was read; the next pass reads it again. */
  | { result: 'conflict'; message: string };

export class CredentialRenewal {
  private readonly retries = new Map<string, { failures: number; notBefore: number }>();
  private readonly fraction: number;

  constructor(private readonly options: CredentialRenewalOptions) {
    this.fraction = options.renewFraction ?? DEFAULT_RENEW_FRACTION;
  }

  /** Renews the credential if it is due (and not waiting out a backoff); undefined when nothing was tried. */
  async renewIfDue(c: LoadedCredential): Promise<RenewalOutcome | undefined> {
    const token = staticBearerToken(c.kubeconfig);
    const claims = token === undefined ? undefined : serviceAccountTokenClaims(token);
    if (!claims) return undefined;
    const now = this.options.clock.now();
    // An expired token cannot ask for its successor: Reachable=False/CredentialExpired says so.
    if (now / 1000 < renewalTime(claims, this.fraction) || now / 1000 >= claims.expiresAt) return undefined;
    const retry = this.retries.get(c.provider);
    if (retry && now < retry.notBefore) return undefined;
    const secret = `${this.options.namespace}/${c.secretName}`;
    const log = this.options.logger;
    try {
      const issued = await requestToken(c.client, {
        namespace: claims.namespace,
        serviceAccount: claims.serviceAccount,
        expirationSeconds: renewalLifetime(claims),
        audiences: claims.audiences,
        ...(claims.boundObject ? { boundObject: claims.boundObject } : {}),
      });
      await this.options.hub.mergePatch(
        resourcePath(
          { group: '', version: 'v1', plural: 'secrets', namespaced: true },
          this.options.namespace,
          c.secretName,
        ),
        {
          metadata: { resourceVersion: c.secretVersion },
          data: { [c.key]: Buffer.from(withBearerToken(c.kubeconfig, issued.token)).toString('base64') },
        },
      );
      this.retries.delete(c.provider);
      this.options.metrics?.credentialRenewals.inc({ provider: c.provider, result: 'renewed' });
      const message = `renewed the token of ${claims.namespace}/${claims.serviceAccount} in kubeconfig Secret ${secret}; it expires ${issued.expirationTimestamp}`;
      log.info('member credential renewed', { provider: c.provider, secret, expires: issued.expirationTimestamp });
      return { result: 'renewed', message };
    } catch (err) {
      if (isConflict(err)) {
        this.options.metrics?.credentialRenewals.inc({ provider: c.provider, result: 'conflict' });
        log.info('member kubeconfig Secret changed during a renewal; reading it again', {
          provider: c.provider,
          secret,
        });
        return { result: 'conflict', message: `kubeconfig Secret ${secret} changed during the renewal` };
      }
      const failures = (retry?.failures ?? 0) + 1;
      const waitMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1));
      this.retries.set(c.provider, { failures, notBefore: now + waitMs });
      this.options.metrics?.credentialRenewals.inc({ provider: c.provider, result: 'failed' });
      const expires = new Date(claims.expiresAt * 1000).toISOString();
      const message = `could not renew the token in kubeconfig Secret ${secret} (attempt ${failures}, next in ${Math.round(waitMs / 1000)} s; the current one works until ${expires}): ${errorText(err)}`;
      log.warn('member credential renewal failed', {
        provider: c.provider,
        secret,
        attempt: failures,
        error: errorText(err),
      });
      return { result: 'failed', message };
    }
  }

  forget(provider: string): void {
    this.retries.delete(provider);
  }
}
