// A retried INIT must not add a second group. A client that lost the answer
// to an INIT sends it again; to the gateway the retry looks like a scale-up.
// The zone remembers, in one annotation, which group each recent INIT made,
// keyed by the client's Idempotency-Key header when it sends one, else by a
// digest of the message: the same key again within the window answers with
// the group already made, and writes nothing.
//
// Without a key, two identical scale-ups within REPLAY_WINDOW_MS are one;
// a client that means two sends two different Idempotency-Keys. A key is
// remembered for as long as it is among the KEPT newest, whatever its age.

export const INIT_REQUESTS_ANNOTATION = 'zonekeeper.io/init-requests';
/** How long a message digest (no Idempotency-Key) counts as the same request. */
export const REPLAY_WINDOW_MS = 10 * 60_000;
/** How many requests a zone remembers. */
export const KEPT = 32;

export interface InitRequest {
  /** The group this request made. */
  group: string;
  /** When, in milliseconds since the epoch. */
  at: number;
}

export type InitRequests = Record<string, InitRequest>;

/** `key:<Idempotency-Key>` or `sha256:<digest>`: the caller computes the digest (the core does no hashing I/O). */
export const explicitKey = (idempotencyKey: string): string => `key:${idempotencyKey}`;
export const digestKey = (sha256Hex: string): string => `sha256:${sha256Hex}`;

/** An Idempotency-Key a client may send: 1-128 visible ASCII characters. */
export function idempotencyKeyProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > 128) return 'must be 1 to 128 characters long';
  if (!/^[\x21-\x7e]+$/.test(value)) return 'must be visible ASCII characters without spaces';
  return undefined;
}

/** The requests recorded on a zone; an annotation that does not parse counts as none (the next write replaces it). */
export function readInitRequests(annotations: Record<string, string> | undefined): InitRequests {
  const text = annotations?.[INIT_REQUESTS_ANNOTATION];
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: InitRequests = {};
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      const v = value as Partial<InitRequest> | null;
      if (v && typeof v.group === 'string' && typeof v.at === 'number') out[key] = { group: v.group, at: v.at };
    }
    return out;
  } catch {
    return {};
  }
}

/** The group an earlier request with this key made, if it still counts as the same request at `now`. */
export function replayedGroup(requests: InitRequests, key: string, now: number): string | undefined {
  const hit = requests[key];
  if (!hit) return undefined;
  if (key.startsWith('sha256:') && now - hit.at > REPLAY_WINDOW_MS) return undefined;
  return hit.group;
}

/** The annotation value after recording `key` -> `group` at `now`, keeping the KEPT newest. */
export function recordInitRequest(requests: InitRequests, key: string, group: string, now: number): string {
  const entries = Object.entries({ ...requests, [key]: { group, at: now } })
    .sort((a, b) => b[1].at - a[1].at)
    .slice(0, KEPT);
  return JSON.stringify(Object.fromEntries(entries));
}
