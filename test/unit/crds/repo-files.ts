// Finds the repository from the compiled test (dist/test/unit/crds/) and
// reads its YAML files, for the CRD, chart and manifest tests.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'crds'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the repository root from ' + fileURLToPath(import.meta.url));
}

export function readText(rel: string): string {
  return readFileSync(join(repoRoot(), rel), 'utf8');
}

/** All documents of a (multi-document) YAML file, empty ones dropped. */
export function readYamlDocs(rel: string): unknown[] {
  return yaml.loadAll(readText(rel)).filter((d) => d !== null && d !== undefined);
}

export function listFiles(relDir: string, suffix = '.yaml'): string[] {
  const dir = join(repoRoot(), relDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => `${relDir}/${f}`);
}
