// The core stays pure: no I/O modules, no clock, no imports from the layers
// above it. Checked on the sources, so the architecture is enforced, not
// remembered.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN_MODULES = /from\s+['"](node:)?(fs|fs\/promises|net|http|https|http2|child_process|dgram|dns|tls|worker_threads|process|os)['"]|from\s+['"](@kubernetes\/client-node|@grpc\/grpc-js|@grpc\/proto-loader|prom-client|js-yaml)['"]/;
const CLOCK = /\bDate\.now\(|new Date\(\)|performance\.now\(|setTimeout\(|setInterval\(|Math\.random\(/;
const UPWARD = /from\s+['"](\.\.\/)+(cli|runtime|controllers|clusters|operator|sidecar|switch|testbed|gateway)\//;

describe('architecture', () => {
  const core = files('src/core');

  it('finds the core sources', () => {
    assert.ok(core.length >= 15, `only ${core.length} files under src/core`);
  });

  for (const file of core) {
    it(`${file} does no I/O, reads no clock and imports nothing above the core`, () => {
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, FORBIDDEN_MODULES);
      assert.doesNotMatch(text, CLOCK);
      assert.doesNotMatch(text, UPWARD);
      assert.doesNotMatch(text, /\bprocess\.(env|argv|exit|stdout|stderr)/);
    });
  }
});
