// A reader for the subset of P4_16 that zone_switch.p4 uses, so the test
// can compare the program with its hand-written P4Info without p4c: it
// finds every control's actions (with @id and parameters) and tables (with
// @id, keys, actions and their @defaultonly/@tableonly scope, default
// action, size) and resolves key expressions to bit widths.

export interface ProgramAction {
  control: string;
  name: string;
  id: number;
  params: { name: string; bitwidth: number }[];
}
export interface ProgramTable {
  control: string;
  name: string;
  id: number;
  size: number;
  keys: { expr: string; kind: string; bitwidth: number }[];
  actions: { name: string; scope: 'TABLE_AND_DEFAULT' | 'TABLE_ONLY' | 'DEFAULT_ONLY' }[];
  defaultAction: string;
}

const V1MODEL_STANDARD_METADATA: Record<string, number> = {
  ingress_port: 9,
  egress_spec: 9,
  egress_port: 9,
  instance_type: 32,
  packet_length: 32,
};

function block(src: string, open: number): string {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return src.slice(open + 1, i);
  }
  throw new Error('unbalanced braces');
}

export function readP4Program(source: string): { actions: ProgramAction[]; tables: ProgramTable[] } {
  const src = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const typedefs = new Map<string, number>();
  for (const m of src.matchAll(/typedef\s+bit<(\d+)>\s+(\w+)\s*;/g)) typedefs.set(m[2], Number(m[1]));
  const widthOf = (type: string): number => {
    const b = /^bit<(\d+)>$/.exec(type);
    if (b) return Number(b[1]);
    const t = typedefs.get(type);
    if (t === undefined) throw new Error(`unknown type ${type}`);
    return t;
  };
  const aggregates = new Map<string, Map<string, string>>();
  for (const m of src.matchAll(/(header|struct)\s+(\w+)\s*\{/g)) {
    const body = block(src, m.index + m[0].length - 1);
    const fields = new Map<string, string>();
    for (const f of body.matchAll(/([\w<>]+)\s+(\w+)\s*;/g)) fields.set(f[2], f[1]);
    aggregates.set(m[2], fields);
  }
  const resolve = (expr: string): number => {
    const [root, ...rest] = expr.split('.');
    if (root === 'standard_metadata') {
      const w = V1MODEL_STANDARD_METADATA[rest[0]];
      if (w === undefined) throw new Error(`unknown standard_metadata field ${expr}`);
      return w;
    }
    let type = root === 'hdr' ? 'headers_t' : root === 'meta' ? 'metadata_t' : '';
    for (const part of rest) {
      const t = aggregates.get(type)?.get(part);
      if (!t) throw new Error(`cannot resolve ${expr}`);
      type = t;
    }
    return widthOf(type);
  };

  const actions: ProgramAction[] = [];
  const tables: ProgramTable[] = [];
  for (const c of src.matchAll(/control\s+(\w+)\s*\([^)]*\)\s*\{/g)) {
    const control = c[1];
    const body = block(src, c.index + c[0].length - 1);
    for (const a of body.matchAll(/@id\((0x[0-9a-fA-F]+|\d+)\)\s*action\s+(\w+)\s*\(([^)]*)\)/g)) {
      const params = a[3]
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => {
          const [type, name] = p.split(/\s+/);
          return { name: name, bitwidth: widthOf(type) };
        });
      actions.push({ control, name: a[2], id: Number(a[1]), params });
    }
    for (const t of body.matchAll(/@id\((0x[0-9a-fA-F]+|\d+)\)\s*table\s+(\w+)\s*\{/g)) {
      const tb = block(body, t.index + t[0].length - 1);
      const keyBody = /key\s*=\s*\{([^}]*)\}/.exec(tb)?.[1] ?? '';
      const keys = [...keyBody.matchAll(/([\w.]+)\s*:\s*(\w+)\s*;/g)].map((k) => ({
        expr: k[1],
        kind: k[2].toUpperCase(),
        bitwidth: resolve(k[1]),
      }));
      const actBody = /actions\s*=\s*\{([^}]*)\}/.exec(tb)?.[1] ?? '';
      const acts = actBody
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          const scope = s.includes('@defaultonly')
            ? ('DEFAULT_ONLY' as const)
            : s.includes('@tableonly')
              ? ('TABLE_ONLY' as const)
              : ('TABLE_AND_DEFAULT' as const);
          return { name: s.replace(/@\w+/g, '').trim(), scope };
        });
      tables.push({
        control,
        name: t[2],
        id: Number(t[1]),
        keys,
        actions: acts,
        defaultAction: /default_action\s*=\s*(\w+)/.exec(tb)?.[1] ?? '',
        size: Number(/size\s*=\s*(\d+)/.exec(tb)?.[1] ?? 0),
      });
    }
  }
  return { actions, tables };
}
