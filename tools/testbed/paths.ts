// Where the test bed keeps its things. Everything is derived from the repo
// root so the command works the same from any working directory, and can be
// moved with environment variables (CI on one machine shares one bin cache).

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The clone this file was compiled in (dist/tools/testbed/ -> three up). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  // Walk up to the package.json so both src/ (ts-node) and dist/ layouts work.
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tools'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the zonekeeper repository root above ' + fileURLToPath(import.meta.url));
}

/** State folder: TESTBED_DIR, else <repo>/.testbed (git-ignored). */
export function stateDir(): string {
  const override = process.env['TESTBED_DIR'];
  return override && override !== '' ? resolve(override) : join(repoRoot(), '.testbed');
}

export function stateFile(dir = stateDir()): string {
  return join(dir, 'state.json');
}

/** Default catalogue: the paper's Table I. */
export function defaultCatalogue(): string {
  return join(repoRoot(), 'examples', 'paper', 'providers.yaml');
}
