// The shipped code's import graph has no cycle and no edge out of src/.
// The layer rules (what the core, the runtime and src/ may import) are lint
// rules in eslint.config.js; a cycle is a property of the whole graph, so it
// is checked here.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports, type-only ones included: a type cycle is a cycle for a reader too. */
function edges(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] ?? '');
  return specs.map((s) => relative('.', resolve(dirname(file), s.replace(/\.js$/, '.ts'))));
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('import graph of src/', () => {
  const files = sources('src');
  const graph = new Map(files.map((f) => [f, edges(f)]));

  it('reads the sources', () => {
    assert.ok(files.length > 80, `only ${files.length} files under src/`);
  });

  it('has no edge that leaves src/', () => {
    const out = [...graph].flatMap(([f, to]) => to.filter((t) => !t.startsWith('src/')).map((t) => `${f} -> ${t}`));
    assert.deepEqual(out, []);
  });

  it('has no cycle', () => {
    assert.deepEqual(findCycle(graph), undefined);
  });

  it('finds a cycle when there is one', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ]);
    assert.deepEqual(findCycle(cyclic), ['a', 'b', 'c', 'a']);
  });
});
