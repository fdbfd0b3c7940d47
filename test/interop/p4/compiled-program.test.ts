// The shipped P4Info and BMv2 JSON are p4c's output for p4/zone_switch.p4:
// recompiling gives the same bytes (scripts/build-p4.sh writes them).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZONE_SWITCH_JSON, ZONE_SWITCH_P4INFO } from '../../../src/p4/proto-files.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { findP4Toolchain, summaryNote, type P4Toolchain } from '../../../tools/harness/p4-toolchain.js';

describe('p4/zone_switch.p4info.txtpb and p4/zone_switch.json are what p4c makes of zone_switch.p4', function () {
  this.timeout(120_000);
  let toolchain: P4Toolchain;
  let out: string;

  before(function () {
    const t = findP4Toolchain();
    if (typeof t === 'string') {
      summaryNote(`P4 compile check not run: ${t}`);
      this.skip();
    }
    toolchain = t;
    out = mkdtempSync(join(tmpdir(), 'zonekeeper-p4c-'));
  });
  after(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('compiles with no warning and gives byte-identical files', () => {
    const r = spawnSync(
      toolchain.p4c,
      [
        '--p4v',
        '16',
        '--p4runtime-files',
        join(out, 'p4info.txtpb'),
        '-o',
        join(out, 'zone_switch.json'),
        'p4/zone_switch.p4',
      ],
      { cwd: repoRoot(), env: toolchain.env, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'p4c printed warnings');
    assert.equal(
      readFileSync(join(out, 'p4info.txtpb'), 'utf8'),
      readFileSync(ZONE_SWITCH_P4INFO, 'utf8'),
      'P4Info differs: run scripts/build-p4.sh',
    );
    assert.equal(
      readFileSync(join(out, 'zone_switch.json'), 'utf8'),
      readFileSync(ZONE_SWITCH_JSON, 'utf8'),
      'BMv2 JSON differs: run scripts/build-p4.sh',
    );
  });
});
