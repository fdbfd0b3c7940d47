// zonectl is as strict as the API server and fails loudly: every case here
// names its exit code and the message the user sees.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = 'dist/src/cli/zonectl.js';
const PROVIDERS = 'examples/paper/providers.yaml';
const MESSAGES = 'examples/paper/messages.json';

function zonectl(...args: string[]) {
  // A bounded heap: no input may need more than a few hundred MiB.
  const r = spawnSync(process.execPath, ['--max-old-space-size=300', BIN, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmpFile(name: string, text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'zonectl-')), name);
  writeFileSync(p, text);
  return p;
}

const HEAD = 'apiVersion: zonekeeper.io/v1alpha1\nkind: ProviderCluster\n';
const SPEC =
  'country: 242, tier: cloud, environment: VM, resourceTypes: [CPU], capacity: {cores: 4, memory: 4096, storage: 65536}';
const provider = (name: string, extra = '', meta = '') =>
  `${HEAD}metadata: {name: ${name}${meta}}\nspec: {${SPEC}${extra}}\n`;

const init = (id: number, over: Record<string, unknown> = {}) => ({
  type: 'INIT',
  application_id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
  environment: 'VM',
  platform_type: 'cloud',
  resource_type: 'CPU',
  'instance-count': 1,
  'instance-details': { cores: 1, memory: 1, storage: 1, image: 'x' },
  ...over,
});

/** Nine levels of nine aliases each: 9^9 numbers once expanded, from a file of a few hundred bytes. */
function aliasBomb(where: 'equipment' | 'extra'): string {
  const lines = ['a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  const anchors = lines.map((l) => `  ${l}`).join('\n');
  if (where === 'equipment')
    return `${HEAD}metadata: {name: bomb}\nstatus:\n${anchors}\nspec: {${SPEC}, equipment: *a8}\n`;
  return `${HEAD}metadata: {name: bomb}\nspec: {${SPEC}}\nx:\n${anchors}\n`;
}

describe('zonectl strict input', function () {
  this.timeout(60_000);

  describe('messages', () => {
    it('a rejected message: exit 3, file + index + field on stderr, the full result on stdout', () => {
      const msgs = tmpFile('m.json', JSON.stringify([init(1), init(2, { platform_type: 'cluod' }), init(3)]));
      const r = zonectl('plan', '--providers', PROVIDERS, '--messages', msgs);
      assert.equal(r.code, 3);
      assert.match(
        r.err,
        new RegExp(
          `${msgs}: message 1 rejected: \\[1\\]\\.platform_type: must be one of cloud, fog, cloud\\+fog, got "cluod"`,
        ),
      );
      const out = JSON.parse(r.out) as {
        outcomes: { index: number; result: string }[];
        state: Record<string, unknown>;
      };
      assert.deepEqual(
        out.outcomes.map((o) => `${o.index}:${o.result}`),
        ['0:placed', '1:rejected', '2:placed'],
      );
      assert.equal(Object.keys(out.state).length, 2, 'the good messages around the bad one are applied');
    });

    it('--keep-going: exit 0, the rejection still on stderr', () => {
      const msgs = tmpFile('m.json', JSON.stringify([init(1), init(2, { 'instance-count': 0 })]));
      const r = zonectl('plan', '--providers', PROVIDERS, '--messages', msgs, '--keep-going');
      assert.equal(r.code, 0);
      assert.match(r.err, /message 1 rejected: \[1\]\.instance-count: must be a positive integer, got 0/);
    });

    it('a missing field: "is required", not "got undefined"', () => {
      const m = init(1);
      delete (m as Record<string, unknown>).platform_type;
      const r = zonectl('plan', '--providers', PROVIDERS, '--messages', tmpFile('m.json', JSON.stringify([m])));
      assert.equal(r.code, 3);
      assert.match(r.err, /message 0 rejected: \[0\]\.platform_type: is required/);
      assert.doesNotMatch(r.err + r.out, /got undefined/);
    });

    it('a long bad value is quoted by a short prefix only', () => {
      const r = zonectl(
        'plan',
        '--providers',
        PROVIDERS,
        '--messages',
        tmpFile('m.json', JSON.stringify([init(1, { environment: 'x'.repeat(100_000) })])),
      );
      assert.equal(r.code, 3);
      assert.match(r.err, /\[0\]\.environment: must be one of VM, container, got "x{40}"… \(100000 characters\)/);
      assert.ok(r.err.length < 2000, `stderr is short (${r.err.length})`);
    });

    it('more messages than zonectl takes: exit 2 with the count', () => {
      const r = zonectl(
        'plan',
        '--providers',
        PROVIDERS,
        '--messages',
        tmpFile('m.json', `[${Array(100_001).fill('1').join(',')}]`),
      );
      assert.equal(r.code, 2);
      assert.match(r.err, /m\.json: holds 100001 messages; zonectl takes at most 100000/);
    });

    it('a messages file over the size limit: exit 2 with its size', () => {
      const big = tmpFile('m.json', '');
      truncateSync(big, 40 * 1024 * 1024);
      const r = zonectl('plan', '--providers', PROVIDERS, '--messages', big);
      assert.equal(r.code, 2);
      assert.match(r.err, /m\.json: is 40\.0 MiB; zonectl reads files of at most 32 MiB/);
    });
  });

  describe('manifests (exit 2, the document and field named)', () => {
    const cases: [string, string, RegExp][] = [
      ['a misspelt field', provider('a', ', catalogeOrder: 1'), /document 1: spec\.catalogeOrder: unknown field/],
      ['an unknown top-level field', `${provider('a')}extra: 1\n`, /document 1: extra: unknown field/],
      [
        'an unknown metadata field',
        provider('a', '', ', lables: {x: y}'),
        /document 1: metadata\.lables: unknown field/,
      ],
      [
        'more equipment than the CRD allows (maxItems 256)',
        provider('a', `, equipment: [${Array.from({ length: 257 }, (_, i) => i + 1).join(', ')}]`),
        /document 1: spec\.equipment: must have at most 256 items, got 257/,
      ],
      [
        'a providerName over maxLength 63',
        provider('a', `, providerName: ${'A'.repeat(64)}`),
        /document 1: spec\.providerName: must be at most 63 characters, got 64/,
      ],
      [
        'catalogueOrder below its minimum 0',
        provider('a', ', catalogueOrder: -1'),
        /document 1: spec\.catalogueOrder: must be at least 0, got -1/,
      ],
      [
        'a PEN beyond its maximum',
        provider('a', ', equipment: [4294967296]'),
        /document 1: spec\.equipment\[0\]: must be at most 4294967295, got 4294967296/,
      ],
      [
        'a string where a number goes',
        provider('a', ', catalogueOrder: "one"'),
        /document 1: spec\.catalogueOrder: must be of type integer, got string "one"/,
      ],
      [
        'an enum breach',
        `${HEAD}metadata: {name: a}\nspec: {country: 242, tier: edge, environment: VM, resourceTypes: [CPU], capacity: {cores: 4, memory: 4096, storage: 65536}}\n`,
        /document 1: spec\.tier: must be one of cloud, fog, got "edge"/,
      ],
      [
        'a missing required field',
        `${HEAD}metadata: {name: a}\nspec: {country: 242, environment: VM, resourceTypes: [CPU], capacity: {cores: 4, memory: 4096, storage: 65536}}\n`,
        /document 1: spec\.tier: is required/,
      ],
      [
        'a duplicate in a set list',
        provider('a', ', equipment: [9, 9]'),
        /document 1: spec\.equipment\[1\]: duplicate value 9/,
      ],
      [
        'a missing apiVersion',
        provider('a').replace('apiVersion: zonekeeper.io/v1alpha1\n', ''),
        /document 1: apiVersion: is required/,
      ],
      [
        'an unknown kind',
        provider('a').replace('kind: ProviderCluster', 'kind: ProviderClusterr'),
        /document 1: kind: must be ProviderCluster or PrivacyRegion, got "ProviderClusterr"/,
      ],
      [
        'a duplicate metadata.name with another providerName',
        `${provider('a', ', providerName: One')}---\n${provider('a', ', providerName: Two')}`,
        /document 2: metadata\.name: ProviderCluster "a" is already defined by document 1/,
      ],
      [
        'a long bad value, quoted by its prefix',
        provider('a').replace('tier: cloud', `tier: ${'z'.repeat(5000)}`),
        /spec\.tier: must be one of cloud, fog, got "z{40}"… \(5000 characters\)/,
      ],
    ];
    for (const [what, text, expected] of cases) {
      it(what, () => {
        const r = zonectl('plan', '--providers', tmpFile('p.yaml', text), '--messages', MESSAGES);
        assert.equal(r.code, 2, `exit code (stderr: ${r.err.slice(0, 500)})`);
        assert.match(r.err, expected);
        assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
      });
    }

    for (const where of ['equipment', 'extra'] as const) {
      it(`a YAML alias bomb (${where}) is refused while parsing, in little time and memory`, () => {
        const text = aliasBomb(where);
        assert.ok(text.length < 1000, `the file is small (${text.length} bytes)`);
        const t0 = Date.now();
        const r = zonectl('plan', '--providers', tmpFile('p.yaml', text), '--messages', MESSAGES);
        assert.equal(r.code, 2, r.err.slice(0, 500));
        assert.match(r.err, /p\.yaml: refused: aliases expand to more than 2000000 nodes/);
        assert.ok(r.err.length < 1000, `a short message (${r.err.length} characters)`);
        assert.ok(Date.now() - t0 < 20_000, 'refused quickly');
      });
    }

    it('more YAML aliases than zonectl follows', () => {
      const text = `${HEAD}metadata: {name: a}\nspec: {${SPEC}, equipment: &pen [9]}\nx: [${Array(1001).fill('*pen').join(', ')}]\n`;
      const r = zonectl('plan', '--providers', tmpFile('p.yaml', text), '--messages', MESSAGES);
      assert.equal(r.code, 2);
      assert.match(r.err, /p\.yaml: refused: more than 1000 aliases/);
    });

    it('more documents than zonectl reads', () => {
      const r = zonectl('plan', '--providers', tmpFile('p.yaml', '---\n{}\n'.repeat(100_001)), '--messages', MESSAGES);
      assert.equal(r.code, 2);
      assert.match(r.err, /p\.yaml: holds 100001 documents; zonectl reads at most 100000/);
    });

    it('many bad documents: the first problems, then a note where it stopped', () => {
      const r = zonectl(
        'plan',
        '--providers',
        tmpFile('p.yaml', `${provider('a', ', catalogeOrder: 1')}---\n`.repeat(500)),
        '--messages',
        MESSAGES,
      );
      assert.equal(r.code, 2);
      assert.match(r.err, /document 50: spec\.catalogeOrder: unknown field/);
      assert.match(r.err, /stopped looking at document 51 of 500/);
      assert.ok(r.err.split('\n').length < 60, 'a bounded report');
    });

    it('a catalogue file over the size limit', () => {
      const big = tmpFile('p.yaml', '');
      truncateSync(big, 33 * 1024 * 1024);
      const r = zonectl('plan', '--providers', big, '--messages', MESSAGES);
      assert.equal(r.code, 2);
      assert.match(r.err, /p\.yaml: is 33\.0 MiB; zonectl reads files of at most 32 MiB/);
    });
  });
});
