// The software switch against a client nobody here wrote: tools/p4rt-interop,
// built on the official P4Runtime Go bindings. It is also the reference for
// the project's protos: serving from a copy with one wrong field number must
// make it fail.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { P4_DIR, PROTO_ROOT, ZONE_SWITCH_JSON } from '../../../src/p4/proto-files.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';

const TOOL_DIR = path.resolve(PROTO_ROOT, '../tools/p4rt-interop');
const BIN = path.join(os.tmpdir(), 'zonekeeper-p4rt-interop', 'p4rt-interop');
const P4INFO = path.join(P4_DIR, 'zone_switch.p4info.txtpb');

function runInterop(port: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      BIN,
      ['-addr', `127.0.0.1:${port}`, '-device-id', '1', '-p4info', P4INFO, '-device-config', ZONE_SWITCH_JSON],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

async function withSwitch<T>(protoRoot: string | undefined, fn: (port: number) => Promise<T>): Promise<T> {
  const sw = new SoftwareSwitch({ deviceId: 1n, ...(protoRoot ? { protoRoot } : {}) });
  const port = await sw.start('127.0.0.1:0');
  try {
    return await fn(port);
  } finally {
    sw.stop();
  }
}

/** A copy of proto/ with one field number changed in p4/v1/p4runtime.proto. */
function mutatedProtos(from: string, to: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zk-proto-'));
  cpSync(realpathSync(PROTO_ROOT), dir, { recursive: true });
  const file = path.join(dir, 'p4/v1/p4runtime.proto');
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `the proto holds ${from}`);
  writeFileSync(file, text.replace(from, to));
  return dir;
}

describe('interop with the official P4Runtime Go bindings (tools/p4rt-interop)', function () {
  // A cold Go build on a loaded 2-core machine takes minutes; GOCACHE makes the next ones take a second.
  this.timeout(900_000);

  before(function () {
    const go = spawnSync('go', ['version'], { encoding: 'utf8' });
    if (go.status !== 0) {
      console.warn('go is not installed: skipping the P4Runtime interop test');
      this.skip();
    }
    const build = spawnSync('go', ['build', '-o', BIN, '.'], {
      cwd: TOOL_DIR,
      encoding: 'utf8',
      timeout: 850_000,
      // CI may run without HOME; point Go at the same caches a developer's
      // shell uses (os.homedir() falls back to the passwd entry), so the
      // module cache and GOCACHE stay warm and the build takes a second.
      env: {
        ...process.env,
        GOTOOLCHAIN: 'local',
        GOFLAGS: '-mod=mod',
        GOCACHE: process.env.GOCACHE ?? path.join(os.homedir(), '.cache', 'go-build'),
        GOPATH: process.env.GOPATH ?? path.join(os.homedir(), 'go'),
      },
    });
    assert.equal(build.status, 0, `go build failed:\n${build.stderr}`);
  });

  it('passes every check: arbitration, pipeline, per-update errors, wildcard reads, canonical bytes', async () => {
    const { code, out } = await withSwitch(undefined, runInterop);
    assert.equal(code, 0, out);
    assert.match(out, /all checks passed/);
    assert.equal((out.match(/^ok /gm) ?? []).length, 18, out);
  });

  const mutations: { what: string; from: string; to: string; failing: RegExp }[] = [
    {
      what: 'TableEntry.priority 4 -> 14',
      from: '  int32 priority = 4;',
      to: '  int32 priority = 14;',
      failing: /FAIL read-ternary-canonical-and-priority/,
    },
    {
      what: 'ForwardingPipelineConfig.Cookie.cookie 1 -> 2',
      from: '    uint64 cookie = 1;',
      to: '    uint64 cookie = 2;',
      failing: /FAIL get-pipeline-cookie-only/,
    },
    {
      what: 'MasterArbitrationUpdate.election_id 3 -> 5',
      from: '  Role role = 2;\n  Uint128 election_id = 3;',
      to: '  Role role = 2;\n  Uint128 election_id = 5;',
      failing: /FAIL arbitration-primary-ok/,
    },
  ];
  for (const m of mutations) {
    it(`fails against a switch whose proto has a wrong field number (${m.what})`, async () => {
      const dir = mutatedProtos(m.from, m.to);
      try {
        const { code, out } = await withSwitch(dir, runInterop);
        assert.notEqual(code, 0, out);
        assert.match(out, m.failing);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
