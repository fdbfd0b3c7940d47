// Runs the Argo CD health checks (deploy/argocd/resource_customizations)
// against their health_test.yaml cases with a real Lua interpreter, the
// way Argo CD's own resource_customizations tests do. Argo CD embeds
// gopher-lua (Lua 5.1); the scripts use only what 5.1 and 5.4 share.
// Needs lua5.4 (Debian package `lua5.4`); skipped with a reason without it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { HEALTH_KINDS, healthScriptPath } from '../../../tools/codegen/generated-files.js';
import { readText, readYamlDocs, repoRoot } from './repo-files.js';

const LUA = process.env['LUA'] ?? 'lua5.4';

function luaAvailable(): boolean {
  const r = spawnSync(LUA, ['-v'], { encoding: 'utf8' });
  return r.status === 0;
}

function luaString(s: string): string {
  let out = '"';
  for (const ch of Buffer.from(s, 'utf8')) {
    if (ch === 0x22) out += '\\"';
    else if (ch === 0x5c) out += '\\\\';
    else if (ch < 0x20 || ch === 0x7f) out += `\\${ch.toString().padStart(3, '0')}`;
    else out += String.fromCharCode(ch);
  }
  // Bytes >= 0x80 went in as Latin-1 code units; Lua reads the file as bytes, so write it as latin1.
  return out + '"';
}

/** A JSON value as a Lua table constructor (null is nil, as in Argo CD). */
export function toLua(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return luaString(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toString();
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(toLua).join(', ')}}`;
  if (v instanceof Date) return luaString(v.toISOString().replace('.000Z', 'Z'));
  return `{${Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== null && x !== undefined)
    .map(([k, x]) => `[${luaString(k)}] = ${toLua(x)}`)
    .join(', ')}}`;
}

interface HealthCase {
  healthStatus: { status: string; message: string };
  inputPath: string;
}

function runCheck(script: string, obj: unknown): { status: string; message: string } {
  const program = `obj = ${toLua(obj)}\nlocal hs = assert(loadfile(${luaString(script)}))()\nio.write(hs.status, "\\n", hs.message or "")\n`;
  const r = spawnSync(LUA, ['-'], { input: Buffer.from(program, 'latin1'), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${LUA} failed: ${r.stderr}`);
  const [status = '', ...rest] = r.stdout.split('\n');
  return { status, message: rest.join('\n') };
}

describe('Argo CD health checks (Lua)', function () {
  before(function () {
    if (!luaAvailable()) {
      console.warn(`    skipped: ${LUA} is not installed (apt-get install lua5.4)`);
      this.skip();
    }
  });

  for (const kind of HEALTH_KINDS) {
    const dir = `deploy/argocd/resource_customizations/zonekeeper.io/${kind}`;
    const cases = (yaml.load(readText(`${dir}/health_test.yaml`)) as { tests: HealthCase[] }).tests;
    for (const c of cases) {
      it(`${kind}: ${c.inputPath.replace(/^testdata\/|\.yaml$/g, '')} is ${c.healthStatus.status}`, () => {
        const [obj] = readYamlDocs(`${dir}/${c.inputPath}`);
        assert.deepEqual(runCheck(join(repoRoot(), healthScriptPath(kind)), obj), c.healthStatus);
      });
    }
  }

  it('the ConfigMap snippet carries the scripts verbatim', () => {
    const [cm] = readYamlDocs('deploy/argocd/argocd-cm-health.yaml') as { data: Record<string, string> }[];
    assert.ok(cm);
    for (const kind of HEALTH_KINDS)
      assert.equal(cm.data[`resource.customizations.health.zonekeeper.io_${kind}`], readText(healthScriptPath(kind)));
  });

  it('scripts avoid Lua 5.2+ syntax that gopher-lua (5.1) rejects', () => {
    for (const kind of HEALTH_KINDS) {
      const src = readText(healthScriptPath(kind));
      assert.doesNotMatch(src, /\/\/|\bgoto\b|::\w+::|[&|~]\s*\d|<<|>>/, kind);
    }
  });
});
