// Edits a JSON object by path (`spec.groups[0].count`), so admission cases
// can break any field, including into shapes the TypeScript types forbid,
// without casting to `any`.

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type Edit = (o: Json) => void;

function keys(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
}

function container(o: Json, path: (string | number)[]): Json {
  let node = o;
  for (const k of path) {
    const next =
      typeof k === 'number'
        ? Array.isArray(node)
          ? node[k]
          : undefined
        : node !== null && typeof node === 'object' && !Array.isArray(node)
          ? node[k]
          : undefined;
    if (next === undefined) throw new Error(`no ${String(k)} in ${path.join('.')}`);
    node = next;
  }
  return node;
}

export function get(o: Json, path: string): Json {
  return container(o, keys(path));
}

export const set =
  (path: string, value: Json): Edit =>
  (o) => {
    const ks = keys(path);
    const last = ks.pop() as string | number;
    const parent = container(o, ks);
    if (Array.isArray(parent) && typeof last === 'number') parent[last] = value;
    else if (parent !== null && typeof parent === 'object' && !Array.isArray(parent) && typeof last === 'string')
      parent[last] = value;
    else throw new Error(`cannot set ${path}`);
  };

export const unset =
  (path: string): Edit =>
  (o) => {
    const ks = keys(path);
    const last = ks.pop() as string | number;
    const parent = container(o, ks);
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else if (parent !== null && typeof parent === 'object' && !Array.isArray(parent) && typeof last === 'string')
      delete parent[last];
    else throw new Error(`cannot unset ${path}`);
  };

/** Appends a copy of the element at `from`, changed by `patch`. */
export const appendCopy =
  (listPath: string, from: string, patch: { [k: string]: Json }): Edit =>
  (o) => {
    const list = get(o, listPath);
    const src = get(o, from);
    if (!Array.isArray(list) || src === null || typeof src !== 'object' || Array.isArray(src))
      throw new Error(`cannot append to ${listPath}`);
    list.push({ ...structuredClone(src), ...patch });
  };

export function asJson(o: object): Json {
  return JSON.parse(JSON.stringify(o)) as Json;
}
