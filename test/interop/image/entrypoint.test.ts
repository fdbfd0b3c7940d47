// The image's entrypoint (src/image/entrypoint.ts), run as the image runs
// it: `node dist/src/image/entrypoint.js <program> [flags]`. It picks the
// program, passes the flags through, and stops on SIGTERM.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../unit/crds/repo-files.js';

const ENTRYPOINT = join(repoRoot(), 'dist', 'src', 'image', 'entrypoint.js');

describe('image entrypoint', function () {
  this.timeout(30_000);

  it('refuses an unknown program, naming the ones it has', () => {
    const r = spawnSync(process.execPath, [ENTRYPOINT, 'operater'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown program "operater"; programs: operator, sidecar, gateway, switch, zonectl/);
  });

  it('passes the flags to the program (zonectl usage, operator flag errors)', () => {
    const zonectl = spawnSync(process.execPath, [ENTRYPOINT, 'zonectl', 'help'], { encoding: 'utf8' });
    assert.equal(zonectl.status, 0, zonectl.stderr);
    assert.match(zonectl.stdout, /^usage: zonectl get zones/);
    assert.match(zonectl.stdout, /zonectl plan --providers FILE --messages FILE/);
    const operator = spawnSync(process.execPath, [ENTRYPOINT, 'operator', '--concurrency', 'many'], {
      encoding: 'utf8',
    });
    assert.equal(operator.status, 2);
    assert.match(operator.stderr, /--concurrency: must be a non-negative integer, got "many"/);
  });

  it('runs the switch and stops it on SIGTERM with exit code 0 (its own handler)', async () => {
    const child = spawn(process.execPath, [ENTRYPOINT, 'switch', '--port', '0', '--insecure-plaintext'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out.push(d.toString());
        if (out.join('').includes('zone-switch listening')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`switch exited early (${code}): ${out.join('')}`)));
    });
    const t0 = Date.now();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(Date.now() - t0 < 5000, 'stops at once');
  });
});
