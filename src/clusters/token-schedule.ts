// When to renew a member's bearer token, read from the token itself. A
// ServiceAccount token from the TokenRequest API is a JWT whose payload says
// when it was issued (iat), when it expires (exp) and whose it is (the
// `kubernetes.io` claim). The payload is decoded without checking the
// signature: the operator only schedules with it, and the member's API
// server is what judges the token. Anything else (an opaque static token, a
// JWT without exp) is not renewed: it either never expires or is renewed by
// whoever issued it.

/** The TokenRequest API refuses shorter lifetimes. */
export const MIN_TOKEN_SECONDS = 600;

/** The object a bound token dies with (deleting it revokes the token). */
export interface BoundObject {
  kind: 'Secret' | 'Pod';
  name: string;
  uid: string;
}

export interface TokenClaims {
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
  namespace: string;
  serviceAccount: string;
  audiences: string[];
  boundObject?: BoundObject;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function bound(k8s: Record<string, unknown>): BoundObject | undefined {
  for (const kind of ['Secret', 'Pod'] as const) {
    const o = k8s[kind.toLowerCase()];
    if (!isRecord(o)) continue;
    const name = str(o['name']);
    const uid = str(o['uid']);
    if (name && uid) return { kind, name, uid };
  }
  return undefined;
}

/** The claims of a Kubernetes ServiceAccount JWT with iat < exp, or undefined for any other token. */
export function serviceAccountTokenClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(payload)) return undefined;
  const { iat, exp, aud } = payload;
  const k8s = payload['kubernetes.io'];
  if (typeof iat !== 'number' || typeof exp !== 'number' || !(exp > iat) || !isRecord(k8s)) return undefined;
  const sa = k8s['serviceaccount'];
  const namespace = str(k8s['namespace']);
  const serviceAccount = isRecord(sa) ? str(sa['name']) : undefined;
  if (!namespace || !serviceAccount) return undefined;
  const audiences =
    typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === 'string') : [];
  const boundObject = bound(k8s);
  return {
    issuedAt: iat,
    expiresAt: exp,
    namespace,
    serviceAccount,
    audiences,
    ...(boundObject ? { boundObject } : {}),
  };
}

/**
 * The moment (seconds since the epoch) from which the token is due for
 * renewal: when `fraction` of its whole lifetime is left. 1/3 leaves a
 * 24-hour token 8 hours of retries before it expires.
 */
export function renewalTime(claims: TokenClaims, fraction: number): number {
  return claims.expiresAt - fraction * (claims.expiresAt - claims.issuedAt);
}

/** The lifetime to ask for: the one the token had, at least the API's minimum. */
export function renewalLifetime(claims: TokenClaims): number {
  return Math.max(MIN_TOKEN_SECONDS, Math.round(claims.expiresAt - claims.issuedAt));
}

/** Checks a renew fraction given by a person: a number in (0, 1). */
export function checkRenewFraction(value: number): string | undefined {
  return Number.isFinite(value) && value > 0 && value < 1
    ? undefined
    : `must be a number between 0 and 1 (the part of a token's lifetime left when it is renewed), got ${value}`;
}
