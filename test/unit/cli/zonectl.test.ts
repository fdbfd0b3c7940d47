import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';

const BIN = 'dist/src/cli/zonectl.js';
const PROVIDERS = 'examples/paper/providers.yaml';
const MESSAGES = 'examples/paper/messages.json';

function zonectl(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'zonectl-'));
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('zonectl plan', function () {
  // Each case starts a Node process; on a loaded 2-core machine that can take seconds.
  this.timeout(60_000);

  it('prints the Listing 3 state and one outcome per message as JSON', () => {
    const r = zonectl('plan', '--providers', PROVIDERS, '--messages', MESSAGES);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as { state: Record<string, { vlan_id: number }>; outcomes: { result: string }[] };
    assert.deepEqual(
      Object.values(out.state).map((z) => z.vlan_id),
      [1000, 1001, 1002, 1003, 1004],
    );
    assert.equal(out.outcomes.length, 10);
  });

  it('prints the same as YAML', () => {
    const json = JSON.parse(zonectl('plan', '--providers', PROVIDERS, '--messages', MESSAGES).out) as unknown;
    const r = zonectl('plan', '--providers', PROVIDERS, '--messages', MESSAGES, '--format', 'yaml');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(yaml.load(r.out), json);
  });

  it('draws Figure 3 (six zones) and Figure 4 (five) with a circle per instance and a legend', () => {
    const fig3 = zonectl('plan', '--providers', PROVIDERS, '--messages', MESSAGES, '--format', 'svg', '--until', '6');
    const fig4 = zonectl('plan', '--providers', PROVIDERS, '--messages', MESSAGES, '--format', 'svg');
    assert.equal(fig3.code, 0, fig3.err);
    assert.match(fig3.out, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(fig3.out.match(/class="zone"/g)?.length, 6);
    assert.equal(fig4.out.match(/class="zone"/g)?.length, 5);
    // Figure 4: 4 + 2 + 10 + 4 + 8 instances
    assert.equal(fig4.out.match(/class="instance"/g)?.length, 28);
    assert.equal(fig4.out.match(/data-provider="PublicCloud4"/g), null, 'ded95 is gone');
    for (const p of ['Fog1', 'Fog2', 'PrivateCloud1', 'PublicCloud4'])
      assert.match(fig4.out, new RegExp(`>${p}</text>`), `legend has ${p}`);
  });

  it('lists the P4 entries the home switch must hold for every zone', () => {
    const r = zonectl('plan', '--providers', PROVIDERS, '--messages', MESSAGES, '--format', 'p4');
    assert.equal(r.code, 0, r.err);
    const plan = JSON.parse(r.out) as {
      zones: { vlanId: number; entries: { table: string }[] }[];
      problems: unknown[];
    };
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.zones.map((z) => z.vlanId).sort(), [1000, 1001, 1002, 1003, 1004]);
    for (const z of plan.zones)
      assert.ok(
        z.entries.some((e) => e.table === 'ZoneIngress.zone_mark'),
        `zone ${z.vlanId} is marked`,
      );
  });

  it('places differently with another strategy', () => {
    const r = zonectl('plan', '--providers', PROVIDERS, '--messages', MESSAGES, '--strategy', 'best-fit');
    assert.equal(r.code, 0, r.err);
    assert.ok((JSON.parse(r.out) as { outcomes: unknown[] }).outcomes.length === 10);
  });

  it('reports rejected, waiting and released messages as outcomes', () => {
    const msgs = tmpFile(
      'm.json',
      JSON.stringify([
        { type: 'STOP', application_id: '00000000-0000-4000-8000-000000000001' },
        {
          type: 'INIT',
          application_id: '00000000-0000-4000-8000-000000000002',
          privacy: { countries: [[0, 999]] },
          environment: 'VM',
          platform_type: 'cloud',
          resource_type: 'CPU',
          'instance-count': 1,
          'instance-details': { cores: 1, memory: 1, storage: 1, image: 'x' },
        },
        {
          type: 'INIT',
          application_id: '00000000-0000-4000-8000-000000000003',
          privacy: { regions: [[2, 'MENA'], [1]] },
          environment: 'VM',
          platform_type: 'cloud',
          resource_type: 'CPU',
          'instance-count': 1,
          'instance-details': { cores: 1, memory: 1, storage: 1, image: 'x' },
        },
      ]),
    );
    const r = zonectl('plan', '--providers', PROVIDERS, '--messages', msgs);
    assert.equal(r.code, 3, 'rejected messages exit 3');
    const out = JSON.parse(r.out) as { outcomes: { result: string; errors?: string[]; reasons?: string[] }[] };
    assert.deepEqual(
      out.outcomes.map((o) => o.result),
      ['rejected', 'rejected', 'waiting'],
    );
    assert.match(out.outcomes[0].errors?.[0] ?? '', /^\[0\]\.application_id: no execution zone/);
    assert.equal(
      out.outcomes[1].errors?.[0],
      '[1].privacy.countries[0][1]: MCC 999 is not an ITU-T E.212 country code',
    );
    assert.match(r.err, new RegExp(`${msgs}: message 0 rejected: \\[0\\]\\.application_id: no execution zone`));
    assert.match(
      r.err,
      new RegExp(`${msgs}: message 1 rejected: \\[1\\]\\.privacy\\.countries\\[0\\]\\[1\\]: MCC 999`),
    );
    // Grouped by cause: every provider is named or counted once.
    const reasons = out.outcomes[2].reasons ?? [];
    assert.ok(reasons.length > 0 && reasons.length <= 8);
    // On request, one reason per provider in catalogue order.
    const all = zonectl('plan', '--providers', PROVIDERS, '--messages', msgs, '--all-reasons', '--keep-going');
    assert.equal(all.code, 0, '--keep-going exits 0 despite rejected messages');
    assert.match(all.err, /message 1 rejected/, 'and still reports them');
    const every = (JSON.parse(all.out) as typeof out).outcomes[2].reasons ?? [];
    assert.equal(every.length, 8, 'a reason for every provider');
    assert.match(every[2], /^PrivateCloud1: country 242 \(NO\) not allowed by regions rule #2 DENY_ALL/);
    for (const line of every)
      assert.ok(
        reasons.some((g) => g === line || /^[0-9]+ more: /.test(g)),
        `${line} is an example or counted`,
      );
  });

  describe('bad input exits with code 2 and a clear error', () => {
    const cases: [string, () => string[], RegExp][] = [
      ['no command', () => [], /usage/],
      ['unknown command', () => ['apply'], /unknown command "apply"/],
      ['missing --messages', () => ['plan', '--providers', PROVIDERS], /--providers and --messages are required/],
      ['unknown flag', () => ['plan', '--providers', PROVIDERS, '--messages', MESSAGES, '--dry'], /unknown flag --dry/],
      [
        'unknown strategy',
        () => ['plan', '--providers', PROVIDERS, '--messages', MESSAGES, '--strategy', 'random'],
        /unknown strategy "random"; use first-fit, best-fit, fewest-links/,
      ],
      [
        'unknown format',
        () => ['plan', '--providers', PROVIDERS, '--messages', MESSAGES, '--format', 'xml'],
        /--format: must be json, yaml, svg or p4/,
      ],
      [
        'bad global id',
        () => ['plan', '--providers', PROVIDERS, '--messages', MESSAGES, '--global-id', '0x1ffffffffff'],
        /--global-id: must be a 40-bit/,
      ],
      [
        'bad VLAN range',
        () => ['plan', '--providers', PROVIDERS, '--messages', MESSAGES, '--vlan-range', '1000-5000'],
        /--vlan-range: VLAN range must lie within 1–4094/,
      ],
      [
        'missing file',
        () => ['plan', '--providers', '/nonexistent.yaml', '--messages', MESSAGES],
        /\/nonexistent\.yaml: cannot read: ENOENT/,
      ],
      [
        'broken YAML',
        () => ['plan', '--providers', tmpFile('p.yaml', 'kind: [ProviderCluster\n'), '--messages', MESSAGES],
        /not valid YAML or JSON \(line/,
      ],
      [
        'an invalid provider',
        () => [
          'plan',
          '--providers',
          tmpFile(
            'p.yaml',
            'apiVersion: zonekeeper.io/v1alpha1\nkind: ProviderCluster\nmetadata: {name: a}\nspec: {country: 999, tier: cloud, environment: VM, resourceTypes: [CPU], capacity: {cores: 1, memory: 1, storage: 1}}\n',
          ),
          '--messages',
          MESSAGES,
        ],
        /document 1: spec\.country: MCC 999 is not an ITU-T E\.212 country code/,
      ],
      [
        'an empty catalogue',
        () => ['plan', '--providers', tmpFile('p.yaml', '---\n'), '--messages', MESSAGES],
        /holds no ProviderCluster manifests/,
      ],
      [
        'duplicate providers',
        () => [
          'plan',
          '--providers',
          tmpFile(
            'p.yaml',
            `${'apiVersion: zonekeeper.io/v1alpha1\nkind: ProviderCluster\nmetadata: {name: a}\nspec: {country: 242, tier: cloud, environment: VM, resourceTypes: [CPU], capacity: {cores: 1, memory: 1, storage: 1}}\n'}---\n${'apiVersion: zonekeeper.io/v1alpha1\nkind: ProviderCluster\nmetadata: {name: a}\nspec: {country: 242, tier: cloud, environment: VM, resourceTypes: [CPU], capacity: {cores: 1, memory: 1, storage: 1}}\n'}`,
          ),
          '--messages',
          MESSAGES,
        ],
        /provider a is defined 2 times/,
      ],
      [
        'messages not JSON',
        () => ['plan', '--providers', PROVIDERS, '--messages', tmpFile('m.json', '{type: INIT}')],
        /not valid JSON/,
      ],
      [
        'messages not an array',
        () => ['plan', '--providers', PROVIDERS, '--messages', tmpFile('m.json', '{"type":"INIT"}')],
        /must be a JSON array of INIT and STOP messages/,
      ],
    ];
    for (const [what, args, expected] of cases) {
      it(what, () => {
        const r = zonectl(...args());
        assert.equal(r.code, 2, `exit code (stderr: ${r.err})`);
        assert.match(r.err, expected);
      });
    }
  });
});
