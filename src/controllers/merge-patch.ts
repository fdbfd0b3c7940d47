// A JSON merge patch (RFC 7386) that turns `from` into `to`: changed
// values, and null for keys that went away. Maps in our status (instances
// per provider, groups) shrink on release, and a plain merge patch of the
// new status would leave the released keys behind.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatchDiff(from: unknown, to: unknown): Json | undefined {
  if (!isMap(from) || !isMap(to)) return JSON.stringify(from) === JSON.stringify(to) ? undefined : (to as Json);
  const out: Record<string, Json> = {};
  for (const k of Object.keys(from)) if (!(k in to) || to[k] === undefined) if (from[k] !== undefined) out[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (v === undefined) continue;
    const d = k in from && from[k] !== undefined ? mergePatchDiff(from[k], v) : (v as Json);
    if (d !== undefined) out[k] = d;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}
