// A JSON merge patch (RFC 7386) that turns `from` into `to`: changed
// values, and null for keys that went away. Maps in our status (instances
// per provider, groups) shrink on release, and a plain merge patch of the
// new status would leave the released keys behind.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Equality of JSON values regardless of key order: the API server hands
 * objects back with their keys sorted, ours are built in another order, and
 * comparing their text made every pass rewrite the same conditions.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (!isMap(a) || !isMap(b)) return false;
  const keys = (m: Record<string, unknown>) => Object.keys(m).filter((k) => m[k] !== undefined);
  const ka = keys(a);
  if (ka.length !== keys(b).length) return false;
  return ka.every((k) => jsonEqual(a[k], b[k]));
}

export function mergePatchDiff(from: unknown, to: unknown): Json | undefined {
  if (!isMap(from) || !isMap(to)) return jsonEqual(from, to) ? undefined : (to as Json);
  const out: Record<string, Json> = {};
  for (const k of Object.keys(from)) if (!(k in to) || to[k] === undefined) if (from[k] !== undefined) out[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (v === undefined) continue;
    const d = k in from && from[k] !== undefined ? mergePatchDiff(from[k], v) : (v as Json);
    if (d !== undefined) out[k] = d;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}
