// `npm run gen:crds` (everything) and `npm run gen:regions` (the built-in
// PrivacyRegions only): writes the generated manifests, or with --check
// lists the files that are out of date and exits 1 (for CI).
//
//   node dist/tools/codegen/generate.js [--check] [crds|regions|rbac|argocd ...]

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles, type Target, TARGETS } from './generated-files.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'crds'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the repository root (a folder with package.json and crds/)');
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const named = argv.filter((a) => !a.startsWith('--'));
  const unknown = named.filter((a) => !TARGETS.includes(a as Target));
  if (unknown.length > 0) {
    console.error(`unknown target(s) ${unknown.join(', ')}; use ${TARGETS.join(', ')}`);
    return 2;
  }
  const targets = named.length > 0 ? (named as Target[]) : TARGETS;
  const root = repoRoot();
  const stale: string[] = [];
  for (const f of generatedFiles(root, targets)) {
    const path = resolve(root, f.path);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current === f.content) continue;
    stale.push(f.path);
    if (!check) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
  }
  if (check) {
    if (stale.length > 0) console.error(`out of date (run npm run gen:crds):\n  ${stale.join('\n  ')}`);
    return stale.length > 0 ? 1 : 0;
  }
  console.log(
    stale.length === 0 ? 'generated files are up to date' : `wrote ${stale.length} file(s):\n  ${stale.join('\n  ')}`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
