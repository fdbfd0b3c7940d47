// zonectl's hub commands without a hub: how their arguments are read,
// which kubeconfig is chosen, how tables look, and the exit codes and
// messages of what goes wrong before or while the hub is asked.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputFormat, parseArgs, UsageError } from '../../../src/cli/args.js';
import { parseGetArgs, providersTable, zonesDocument, zonesTable } from '../../../src/cli/get-command.js';
import { HubError, kubeconfigFiles, loadKubeConfig } from '../../../src/cli/hub.js';
import { outcomesTable, parsePlanHubArgs } from '../../../src/cli/plan-hub.js';
import { table } from '../../../src/cli/output.js';
import { parseWhyArgs, whyDocument, whyTable } from '../../../src/cli/why-command.js';
import type { Condition, ExecutionZone, ProviderCluster } from '../../../src/core/api/types.js';
import { providerView } from '../../../src/core/render/federation-view.js';

const BIN = 'dist/src/cli/zonectl.js';
const PLUGIN = 'dist/src/cli/kubectl-zonekeeper.js';
const U = 'usage';

function zonectl(args: string[], env: NodeJS.ProcessEnv = {}, bin = BIN) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], HOME: '/nonexistent', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const cond = (type: string, status: Condition['status'], reason: string, message = ''): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

function placedZone(): ExecutionZone {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name: 'web', namespace: 'team-a' },
    spec: {
      applicationId: '755B94A1-2847-4bb8-b530-cfca97404f51',
      groups: [
        {
          name: 'init-1',
          environment: 'container',
          platformType: 'fog',
          resourceType: 'CPU',
          count: 2,
          cores: 2,
          memory: 1024,
          storage: 8192,
          image: 'img',
        },
      ],
    },
    status: {
      vlanId: 1000,
      networkId: 274468950876,
      network: 'fd3f:e79f:d35c:3e8::/64',
      marking: '111000',
      providers: 'Fog1,Fog2',
      vpn: { Fog1: { from: 'HOME-SWITCH', to: 'Fog1-SWITCH' }, Fog2: { from: 'HOME-SWITCH', to: 'Fog2-SWITCH' } },
      instances: {
        Fog1: { C1: { group: 'init-1', cores: 2, memory: 1024, storage: 8192, address: 'fd3f::1', phase: 'Running' } },
        Fog2: { C2: { group: 'init-1', cores: 2, memory: 1024, storage: 8192, address: 'fd3f::2', phase: 'Running' } },
      },
      conditions: [
        cond('Placed', 'True', 'Placed'),
        cond('Provisioned', 'True', 'Provisioned'),
        cond('NetworkReady', 'True', 'Programmed'),
        cond('Ready', 'True', 'Ready'),
        cond('Degraded', 'False', 'AsExpected'),
      ],
    },
  };
}

function waitingZone(): ExecutionZone {
  const z = placedZone();
  z.metadata.name = 'big';
  z.spec.applicationId = '11111111-2222-4333-8444-555555555555';
  z.status = {
    placement: [
      { group: 'init-1', provider: 'Fog1', verdict: 'Skipped', reason: 'insufficient capacity: needs 14 cores' },
      { group: 'init-1', provider: '3 more', verdict: 'Skipped', reason: 'insufficient capacity: 4 providers in all' },
    ],
    conditions: [
      cond('Placed', 'False', 'NoMatchingProvider', 'no provider can take init-1 '.padEnd(300, 'x')),
      cond('Ready', 'False', 'NoMatchingProvider', 'waiting'),
      cond('Degraded', 'False', 'AsExpected'),
    ],
  };
  return z;
}

describe('zonectl hub commands: arguments', () => {
  it('reads long, short, joined and = forms, and positional words', () => {
    const spec = {
      values: ['namespace', 'output'],
      switches: ['all-namespaces'],
      short: { n: 'namespace', o: 'output', A: 'all-namespaces' },
    };
    assert.deepEqual(
      [...parseArgs(['zones', '-n', 'a', '-ojson'], spec, U).flags],
      [
        ['namespace', 'a'],
        ['output', 'json'],
      ],
    );
    assert.deepEqual(
      [...parseArgs(['--namespace=b', '-A'], spec, U).flags],
      [
        ['namespace', 'b'],
        ['all-namespaces', 'true'],
      ],
    );
    assert.deepEqual(parseArgs(['x', '--', '-n'], spec, U).positional, ['x', '-n']);
  });

  for (const [what, argv, message] of [
    ['an unknown long flag', ['--colour', 'x'], /unknown flag --colour/],
    ['an unknown short flag', ['-z'], /unknown flag -z/],
    ['a flag without its value', ['-n'], /--namespace needs a value/],
    ['a flag followed by another flag', ['-n', '-A'], /--namespace needs a value/],
    ['a value on a switch', ['--all-namespaces=yes'], /--all-namespaces takes no value/],
    ['a flag given twice with different values', ['-n', 'a', '-n', 'b'], /--namespace is given twice/],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () =>
          parseArgs(
            argv,
            { values: ['namespace'], switches: ['all-namespaces'], short: { n: 'namespace', A: 'all-namespaces' } },
            U,
          ),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    });
  }

  it('get: kinds, namespaces and output', () => {
    assert.deepEqual(parseGetArgs(['zones'], U), { what: 'zones', allNamespaces: false, output: 'table' });
    assert.deepEqual(parseGetArgs(['ProviderClusters', '-o', 'yaml', '--context', 'c'], U), {
      what: 'providers',
      allNamespaces: false,
      output: 'yaml',
      context: 'c',
    });
    assert.equal(parseGetArgs(['ez', '-n', 'x'], U).namespace, 'x');
    assert.throws(() => parseGetArgs([], U), /say what to get/);
    assert.throws(() => parseGetArgs(['pods'], U), /unknown kind "pods"/);
    assert.throws(() => parseGetArgs(['zones', '-A', '-n', 'x'], U), /exclude each other/);
    assert.throws(() => parseGetArgs(['providers', '-n', 'x'], U), /cluster-scoped/);
    assert.throws(() => parseGetArgs(['zones', '-o', 'wide'], U), /must be table, json or yaml, got "wide"/);
  });

  it('why and plan --hub', () => {
    assert.deepEqual(parseWhyArgs(['z', '--all', '-n', 'ns', '--kubeconfig', 'k'], U), {
      zone: 'z',
      all: true,
      output: 'table',
      namespace: 'ns',
      kubeconfig: 'k',
    });
    assert.throws(() => parseWhyArgs([], U), /name the ExecutionZone/);
    assert.throws(() => parseWhyArgs(['a', 'b'], U), /unexpected argument "b"/);
    assert.deepEqual(parsePlanHubArgs(['--hub', '-f', 'i.json'], U), {
      messages: 'i.json',
      output: 'json',
      keepGoing: false,
      allReasons: false,
    });
    assert.equal(parsePlanHubArgs(['--hub', '--messages=m.json', '--format', 'yaml'], U).output, 'yaml');
    assert.throws(() => parsePlanHubArgs(['--hub'], U), /-f FILE .* is required/);
    assert.throws(() => parsePlanHubArgs(['--hub', '-f', 'a', '--messages', 'b'], U), /not both/);
    assert.throws(() => parsePlanHubArgs(['--hub', '-f', 'a', '--providers', 'p'], U), /unknown flag --providers/);
    assert.equal(outputFormat(undefined, 'json'), 'json');
  });
});

describe('zonectl hub commands: the kubeconfig', () => {
  const exists = (files: string[]) => (f: string) => files.includes(f);

  it('takes --kubeconfig, else the existing files of KUBECONFIG, else ~/.kube/config', () => {
    assert.deepEqual(kubeconfigFiles({ kubeconfig: '/k' }, { KUBECONFIG: '/e' }, '/h', exists(['/k', '/e'])).files, [
      '/k',
    ]);
    assert.deepEqual(kubeconfigFiles({}, { KUBECONFIG: '/a:/missing:/b' }, '/h', exists(['/a', '/b'])).files, [
      '/a',
      '/b',
    ]);
    assert.deepEqual(kubeconfigFiles({}, {}, '/h', exists(['/h/.kube/config'])).files, ['/h/.kube/config']);
    assert.throws(() => kubeconfigFiles({ kubeconfig: '/k' }, {}, '/h', exists([])), /--kubeconfig \/k: no such file/);
    assert.throws(() => kubeconfigFiles({}, { KUBECONFIG: '/x' }, '/h', exists([])), /KUBECONFIG names no file/);
    assert.throws(
      () => kubeconfigFiles({}, {}, '/h', exists([])),
      (e: unknown) => e instanceof HubError && /no kubeconfig/.test(e.message),
    );
  });

  it('checks the context and names the ones there are', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zonectl-kc-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'hub', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [
          { name: 'one', context: { cluster: 'hub', user: 'u', namespace: 'team-a' } },
          { name: 'two', context: { cluster: 'nowhere', user: 'u' } },
        ],
        'current-context': 'one',
      }),
    );
    assert.equal(loadKubeConfig({ kubeconfig: file }).getCurrentContext(), 'one');
    assert.throws(
      () => loadKubeConfig({ kubeconfig: file, context: 'three' }),
      /no context "three" in --kubeconfig \(it has one, two\)/,
    );
    assert.throws(() => loadKubeConfig({ kubeconfig: file, context: 'two' }), /context "two" names no cluster/);
    writeFileSync(join(dir, 'broken'), 'clusters: [');
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, 'broken') }), /broken: not a readable kubeconfig/);
  });
});

describe('zonectl hub commands: output', () => {
  it('draws kubectl-style tables', () => {
    assert.equal(
      table(
        ['A', 'LONGER'],
        [
          ['xyz', '1'],
          ['', '22'],
        ],
      ),
      'A     LONGER\nxyz   1\n      22\n',
    );
  });

  it('get zones: the Listing 3 state and a row per zone', () => {
    const doc = zonesDocument([waitingZone(), placedZone()]);
    assert.deepEqual(Object.keys(doc.state), ['755b94a1-2847-4bb8-b530-cfca97404f51']);
    assert.equal(doc.state['755b94a1-2847-4bb8-b530-cfca97404f51'].vlan_id, 1000);
    const t = zonesTable(doc, false).split('\n');
    assert.match(t[0], /^NAME\s+STATE\s+VLAN\s+NETWORK\s+MARKING\s+INSTANCES$/);
    assert.match(t[1], /^big\s+waiting\s+-\s+-\s+-\s+-$/);
    assert.match(t[2], /^web\s+ready\s+1000\s+fd3f:e79f:d35c:3e8::\/64\s+111000\s+Fog1: C1, Fog2: C2$/);
    assert.match(zonesTable(doc, true).split('\n')[1], /^team-a\s+big\s+waiting/);
    assert.equal(zonesTable(zonesDocument([]), false), '');
  });

  it('get providers: Table I facts with used and free capacity', () => {
    const pc: ProviderCluster = {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ProviderCluster',
      metadata: { name: 'fog2' },
      spec: {
        providerName: 'Fog2',
        country: 238,
        tier: 'fog',
        environment: 'container',
        resourceTypes: ['CPU', 'GPU'],
        equipment: [2011, 3902],
        capacity: { cores: 16, memory: 32768, storage: 524288, gpus: 2 },
      },
      status: {
        capacity: { cores: 16, memory: 32768, storage: 524288, gpus: 2 },
        allocated: { cores: 4, memory: 2048, storage: 16384, gpus: 2 },
        conditions: [cond('Ready', 'False', 'MemberUnreachable', 'no answer')],
      },
    };
    const lines = providersTable([providerView(pc)]).split('\n');
    assert.match(
      lines[0],
      /^NAME\s+COUNTRY\s+TIER\s+ENVIRONMENT\s+RESOURCES\s+EQUIPMENT\s+CORES\s+MEMORY \(MiB\)\s+STORAGE \(MiB\)\s+GPUS\s+READY$/,
    );
    assert.match(
      lines[1],
      /^Fog2\s+238 \(DK\)\s+fog\s+container\s+CPU,GPU\s+2011,3902\s+4 used \/ 12 free\s+2048 used \/ 30720 free\s+16384 used \/ 507904 free\s+2 used \/ 0 free\s+False \(MemberUnreachable: no answer\)$/,
    );
  });

  it('why: a zone out of compliance names the rule, and shows a move in progress and the moves made', () => {
    const z = placedZone();
    const status = z.status ?? {};
    status.conditions = [
      ...(status.conditions ?? []),
      cond('Compliant', 'False', 'RuleViolated', 'group init-1 on Fog1: spec.privacy.countries[0] denies 242 (NO)'),
      cond('Replacing', 'True', 'Replacing', 'group init-1 moves from Fog1 to Fog2'),
    ];
    status.allocation = {
      applicationId: z.spec.applicationId,
      vlanId: 1000,
      groups: {
        'init-1': {
          provider: 'Fog1',
          environment: 'container',
          resourceType: 'CPU',
          cores: 2,
          memory: 1024,
          storage: 8192,
          image: 'img',
          instances: ['C1', 'C2'],
          replacing: { provider: 'Fog2', instances: { C1: 'C4', C2: 'C5' } },
          moves: [{ instance: 'C0', from: 'Fog3', replacement: 'C2', to: 'Fog1' }],
        },
      },
      instances: [],
      released: ['C0'],
    };
    z.status = status;
    const d = whyDocument(z);
    assert.deepEqual(
      d.conditions.map((c) => `${c.type}=${c.status}`),
      ['Compliant=False', 'Replacing=True'],
    );
    const t = whyTable(d);
    assert.match(
      t,
      /^Compliant\s+False\s+RuleViolated\s+group init-1 on Fog1: spec\.privacy\.countries\[0\] denies 242/m,
    );
    assert.match(t, /^GROUP\s+INSTANCE\s+REPLACED BY\s+STATE$/m);
    assert.match(t, /^init-1\s+C1 on Fog1\s+C4 on Fog2\s+moving \(Replace\)$/m);
    assert.match(t, /^init-1\s+C2 on Fog1\s+C5 on Fog2\s+moving \(Replace\)$/m);
    assert.match(t, /^init-1\s+C0 on Fog3\s+C2 on Fog1\s+moved$/m);
    assert.doesNotMatch(whyTable(whyDocument(placedZone())), /REPLACED BY/, 'nothing moved, no table');
  });

  it('why: the state, the conditions that are off, and the stored reasons', () => {
    const d = whyDocument(waitingZone());
    assert.deepEqual(
      d.conditions.map((c) => c.type),
      ['Placed', 'Ready'],
      'Degraded=False is as it should be',
    );
    const t = whyTable(d);
    assert.match(t, /^ExecutionZone team-a\/big \(application id 11111111-2222-4333-8444-555555555555\): waiting\n/);
    assert.match(
      t,
      /^Placed\s+False\s+NoMatchingProvider\s+no provider can take init-1 x+…$/m,
      'long messages are cut',
    );
    assert.match(t, /^init-1\s+3 more\s+Skipped\s+insufficient capacity: 4 providers in all$/m);
    assert.match(whyTable(whyDocument(placedZone())), /: ready; every group is placed and every instance Ready\n$/);
    const all = whyTable({
      ...d,
      groups: [
        {
          group: 'init-1',
          state: 'waiting',
          reason: 'NoMatchingProvider',
          entries: [{ group: 'init-1', provider: 'Fog1', verdict: 'Skipped', reason: 'insufficient capacity' }],
        },
      ],
    });
    assert.match(
      all,
      /^group init-1: waiting \(NoMatchingProvider\)\nPROVIDER\s+VERDICT\s+REASON\nFog1\s+Skipped\s+insufficient capacity$/m,
    );
  });

  it('plan --hub: one row per outcome', () => {
    const t = outcomesTable([
      {
        index: 0,
        type: 'INIT',
        applicationId: 'a',
        result: 'placed',
        group: 'init-1',
        provider: 'Fog1',
        instances: ['C1', 'C2'],
        vlanId: 1005,
      },
      { index: 1, type: 'unknown', result: 'rejected', errors: ['[1].type: must be INIT or STOP'] },
    ]);
    assert.match(t, /^0\s+INIT\s+a\s+placed\s+group init-1: C1 C2 on Fog1, VLAN 1005$/m);
    assert.match(t, /^1\s+unknown\s+-\s+rejected\s+\[1\]\.type: must be INIT or STOP$/m);
  });
});

describe('zonectl hub commands: exit codes', function () {
  this.timeout(60_000);

  it('usage errors exit 2 with the usage text; --help exits 0', () => {
    const r = zonectl(['get']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^zonectl: get: say what to get/);
    assert.match(r.err, /exit codes: 0 done; 1 a bug; 2 usage error/);
    const h = zonectl(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.out, /zonectl why ZONE/);
    const p = zonectl(['get', 'zones', '--help'], {}, PLUGIN);
    assert.equal(p.code, 0);
    assert.match(p.out, /^usage: kubectl zonekeeper get zones/);
  });

  it('no kubeconfig, and a hub that does not answer, exit 2 without a stack trace', () => {
    const none = zonectl(['get', 'zones']);
    assert.equal(none.code, 2);
    assert.equal(
      none.err,
      'zonectl: no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or write /nonexistent/.kube/config\n',
    );
    const dir = mkdtempSync(join(tmpdir(), 'zonectl-down-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'hub', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'c', context: { cluster: 'hub', user: 'u' } }],
        'current-context': 'c',
      }),
    );
    for (const args of [
      ['get', 'providers'],
      ['why', 'z'],
      ['get', 'zones', '-A'],
    ]) {
      const r = zonectl(args, { KUBECONFIG: file });
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /^zonectl: cannot reach the hub https:\/\/127\.0\.0\.1:1 \(context "c"\): .*ECONNREFUSED/);
      assert.doesNotMatch(r.err, /\n\s+at /);
    }
  });

  it('plan --hub names an unreadable or malformed file before asking the hub', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zonectl-planhub-'));
    writeFileSync(join(dir, 'bad.json'), '"INIT"');
    const r = zonectl(['plan', '--hub', '-f', join(dir, 'bad.json')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.json: must be a JSON array of INIT and STOP messages, or one message object/);
  });
});
