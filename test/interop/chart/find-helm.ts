// Finds a helm binary: $HELM, the PATH, or the cache tools/build-helm.sh
// fills (Debian has no helm package). Undefined when there is none.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function findHelm(): string | undefined {
  const candidates = [process.env['HELM'], 'helm'];
  // The cache root of tools/build.sh, which tools/build-helm.sh shares.
  const cache = process.env['ZONEKEEPER_BIN_CACHE'] ?? join(homedir(), '.cache', 'zonekeeper', 'bin');
  if (existsSync(cache))
    for (const d of readdirSync(cache)
      .filter((d) => d.startsWith('helm-'))
      .sort()
      .reverse())
      candidates.push(join(cache, d, 'helm'));
  for (const c of candidates) {
    if (!c) continue;
    const r = spawnSync(c, ['version', '--short'], { encoding: 'utf8' });
    if (r.status === 0) return c;
  }
  return undefined;
}
