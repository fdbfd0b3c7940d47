// zonectl against the live hub, run as a user runs it: the built
// executable as a child process with the hub admin's kubeconfig, on the
// test bed with zonekeeper installed, the operator running and the paper's
// scenario applied. What zonectl prints is checked against what the hub
// holds (statuses written by the operator), and `plan --hub`'s prediction
// against what the operator then does with the same INIT.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { ExecutionZone, ProviderCluster } from '../../../src/core/api/types.js';
import { PROVIDER_CLUSTERS, resourcePath } from '../../../src/core/api/resources.js';
import { initToZoneSpec, parseMessage, zoneName } from '../../../src/core/messages/paper-messages.js';
import { RegionCatalogue } from '../../../src/core/privacy/region-catalogue.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import type { ZonesDocument } from '../../../src/cli/get-command.js';
import type { PlanHubResult } from '../../../src/cli/plan-hub.js';
import type { WhyDocument } from '../../../src/cli/why-command.js';
import type { ProviderView } from '../../../src/core/render/federation-view.js';
import { apply } from '../../../tools/harness/apply.js';
import {
  getZone,
  isReleased,
  listZones,
  listing3FromStatus,
  waitReleaseDone,
  waitZoneObserved,
  waitZoneReady,
} from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { paperScenario } from '../../../tools/harness/paper-scenario.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { hubCluster, requireState } from '../../../tools/testbed/state.js';
import { catalogueProviders } from '../operator/invariants.js';
import { install, type Installed, leadingOperator, resetNamespace } from '../operator/operator-fixture.js';

const NS = 'it-zonectl';
const ZONECTL = join(repoRoot(), 'dist', 'src', 'cli', 'zonectl.js');
const PLUGIN = join(repoRoot(), 'dist', 'src', 'cli', 'kubectl-zonekeeper.js');
/** More cores than any provider of the test bed's catalogue has: it waits for good. */
const WAITING = '22222222-3333-4444-8555-666666666666';

interface Run {
  code: number;
  out: string;
  err: string;
}

function runFile(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, out: stdout, err: stderr });
    });
  });
}

/** Every command and what it printed, for whoever reads the test bed's logs after a failure. */
function transcript(args: readonly string[], r: Run): void {
  const file = join(requireState().dir, 'logs', 'zonectl-it.txt');
  appendFileSync(file, `$ zonectl ${args.join(' ')}\n${r.out}${r.err}[exit ${r.code}]\n\n`);
}

async function zonectl(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const r = await runFile(process.execPath, [ZONECTL, ...args], env);
  transcript(args, r);
  return r;
}

/** No stack trace: no line that looks like `    at fn (file:line:col)`. */
function assertNoStack(r: Run): void {
  assert.doesNotMatch(r.err, /^\s+at .+:\d+:\d+\)?$/m, `stderr has a stack trace:\n${r.err}`);
}

/** A kubectl binary: the test bed's bin directory first, then PATH. */
function findKubectl(): string | undefined {
  const dirs = [process.env['ZONEKEEPER_TESTBED_BIN'] ?? '', ...(process.env['PATH'] ?? '').split(delimiter)];
  for (const d of dirs) if (d && existsSync(join(d, 'kubectl'))) return join(d, 'kubectl');
  return undefined;
}

describe('zonectl against the live hub', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess;
  let kubeconfig: string;
  let hubArgs: string[];

  before(async () => {
    env = await install();
    kubeconfig = hubCluster(requireState()).kubeconfig;
    hubArgs = ['--kubeconfig', kubeconfig];
    op = await leadingOperator(env, 'it-zonectl', [NS]);
    for (const step of paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NS)) {
      if (step.kind === 'zone') {
        await apply(env.hub, step.zone);
        await waitZoneObserved(env.hub, NS, step.zone.metadata.name);
      } else {
        await apply(env.hub, step.release);
        await waitReleaseDone(env.hub, NS, step.release.metadata.name);
      }
    }
    for (const z of (await listZones(env.hub, NS)).filter((x) => !isReleased(x)))
      await waitZoneReady(env.hub, NS, z.metadata.name, 120_000);
  });

  after(async () => {
    // Zones and ZoneReleases go while the operator still runs (it removes the zones' finalizers).
    if (env && op?.running)
      await resetNamespace(env.hub, NS).catch((e: unknown) => console.error(`[zonectl-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
  });

  it('get zones shows the placed zones with the Listing 3 view the operator wrote', async () => {
    const zones = (await listZones(env.hub, NS)).filter((z) => !isReleased(z));
    const placed = zones.filter((z) => z.status?.vlanId !== undefined);
    assert.ok(placed.length >= 5, `the paper scenario placed its zones (${placed.length})`);
    const t = await zonectl(['get', 'zones', '-n', NS, ...hubArgs]);
    assert.equal(t.code, 0, t.err);
    const lines = t.out.trim().split('\n');
    assert.match(lines[0], /^NAME\s+STATE\s+VLAN\s+NETWORK\s+MARKING\s+INSTANCES$/);
    for (const z of placed) {
      const row = lines.find((l) => l.startsWith(`${z.metadata.name} `));
      assert.ok(row, `a row for ${z.metadata.name}:\n${t.out}`);
      assert.match(
        row,
        new RegExp(`\\bready\\s+${z.status?.vlanId}\\s+${z.status?.network}\\s+${z.status?.marking}\\b`),
      );
      for (const [provider, list] of Object.entries(z.status?.instances ?? {}))
        assert.ok(row.includes(`${provider}: ${Object.keys(list).join(' ')}`), `${provider}'s instances in: ${row}`);
    }
    const j = await zonectl(['get', 'zones', '-n', NS, '-o', 'json', ...hubArgs]);
    assert.equal(j.code, 0, j.err);
    const doc = JSON.parse(j.out) as ZonesDocument;
    assert.deepEqual(doc.state, listing3FromStatus(zones), 'the Listing 3 state is the statuses');
    // The paper's ULA prefix with the zone's VLAN as subnet ID (VLAN 1000 is 3e8 when no other zone holds it).
    const first = doc.state['755b94a1-2847-4bb8-b530-cfca97404f51'];
    assert.equal(first?.network, `fd3f:e79f:d35c:${(first?.vlan_id ?? -1).toString(16)}::/64`);
    const y = await zonectl(['get', 'zones', '-n', NS, '-o', 'yaml', ...hubArgs]);
    assert.equal(y.code, 0, y.err);
    assert.match(y.out, /^state:\n/);
    // -A, with the kubeconfig from KUBECONFIG: a NAMESPACE column.
    const all = await zonectl(['get', 'zones', '-A'], { ...process.env, KUBECONFIG: kubeconfig });
    assert.equal(all.code, 0, all.err);
    assert.match(all.out.split('\n')[0], /^NAMESPACE\s+NAME\s+STATE/);
    assert.ok(all.out.split('\n').some((l) => l.startsWith(`${NS} `)));
  });

  it('get providers shows the Table I facts and the capacity used and free', async () => {
    const catalogue = catalogueProviders(requireState().catalogue);
    const zones = (await listZones(env.hub, NS)).filter((z) => !isReleased(z));
    const usedCores = new Map<string, number>();
    for (const z of zones)
      for (const [p, list] of Object.entries(z.status?.instances ?? {}))
        for (const i of Object.values(list)) usedCores.set(p, (usedCores.get(p) ?? 0) + i.cores);
    // The operator reports allocations on its provider probe: wait until every report is current.
    const views = await pollUntil(
      'zonectl get providers to report the allocated cores',
      async () => {
        const r = await zonectl(['get', 'providers', '-o', 'json', ...hubArgs]);
        assert.equal(r.code, 0, r.err);
        const got = (JSON.parse(r.out) as { providers: ProviderView[] }).providers;
        return got.every((v) => v.used.cores === (usedCores.get(v.name) ?? 0)) ? got : undefined;
      },
      { timeoutMs: 60_000, everyMs: 1000 },
    );
    assert.deepEqual(views.map((v) => v.name).sort(), [...catalogue.keys()].sort());
    const pcs = (await env.hub.list<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS))).items;
    for (const v of views) {
      const want = catalogue.get(v.name);
      assert.ok(want);
      assert.equal(v.tier, want.tier);
      assert.equal(v.environment, want.environment);
      const total = pcs.find((pc) => (pc.spec.providerName ?? pc.metadata.name) === v.name)?.status?.capacity;
      assert.equal(v.capacity.cores, total?.cores);
      assert.equal(v.free.cores, v.capacity.cores - v.used.cores, `${v.name} free cores`);
    }
    const t = await zonectl(['get', 'providers', ...hubArgs]);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out.split('\n')[0], /^NAME\s+COUNTRY\s+TIER\s+ENVIRONMENT\s+RESOURCES\s+EQUIPMENT\s+CORES/);
    for (const v of views) {
      const row = t.out.split('\n').find((l) => l.startsWith(`${v.name} `));
      assert.ok(row, `a row for ${v.name}`);
      assert.ok(row.includes(`${v.used.cores} used / ${v.free.cores} free`), row);
    }
  });

  it('why shows the grouped reasons of a waiting zone, and --all one line per provider', async () => {
    const zone: ExecutionZone = {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ExecutionZone',
      metadata: { name: WAITING, namespace: NS },
      spec: {
        applicationId: WAITING,
        groups: [
          {
            name: 'huge',
            environment: 'container',
            platformType: 'cloud+fog',
            resourceType: 'CPU',
            count: 1,
            cores: 1000,
            memory: 1024,
            storage: 1024,
            image: 'busybox',
          },
        ],
      },
    };
    await apply(env.hub, zone);
    const z = await waitZoneObserved(env.hub, NS, WAITING);
    assert.equal(getCondition(z.status?.conditions, 'Placed')?.reason, 'NoMatchingProvider');
    const stored = z.status?.placement ?? [];
    assert.ok(stored.length > 0, 'the operator stored its reasons');

    const t = await zonectl(['why', WAITING, '-n', NS, ...hubArgs]);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, new RegExp(`^ExecutionZone ${NS}/${WAITING} \\(application id ${WAITING}\\): waiting`));
    assert.match(t.out, /^Placed\s+False\s+NoMatchingProvider\s+/m);
    assert.match(t.out, /^GROUP\s+PROVIDER\s+VERDICT\s+REASON$/m);
    for (const e of stored) assert.ok(t.out.includes(e.reason), `the stored reason "${e.reason}" is shown`);
    assert.match(t.out, /insufficient capacity: needs 1000 cores/);
    const j = JSON.parse((await zonectl(['why', WAITING, '-n', NS, '-o', 'json', ...hubArgs])).out) as WhyDocument;
    assert.deepEqual(
      j.reasons.map((r) => [r.group, r.provider, r.verdict, r.reason]),
      stored.map((r) => [r.group, r.provider, r.verdict, r.reason]),
    );

    const catalogue = catalogueProviders(requireState().catalogue);
    const a = await zonectl(['why', WAITING, '-n', NS, '--all', ...hubArgs]);
    assert.equal(a.code, 0, a.err);
    assert.match(a.out, /^group huge: waiting \(NoMatchingProvider\)$/m);
    for (const name of catalogue.keys())
      assert.match(a.out, new RegExp(`^${name}\\s+Skipped\\s+\\S`, 'm'), `a line for ${name}`);
    const aj = JSON.parse(
      (await zonectl(['why', WAITING, '-n', NS, '--all', '-o', 'json', ...hubArgs])).out,
    ) as WhyDocument;
    const entries = aj.groups?.[0]?.entries ?? [];
    assert.deepEqual(entries.map((e) => e.provider).sort(), [...catalogue.keys()].sort(), 'one entry per provider');
    assert.ok(entries.every((e) => e.verdict === 'Skipped'));
    assert.ok(
      entries.some((e) => /insufficient capacity|1000/.test(e.reason)),
      JSON.stringify(entries),
    );
  });

  it('why on a placed zone says it is ready; --all marks its provider Selected', async () => {
    const id = '755b94a1-2847-4bb8-b530-cfca97404f51';
    const t = await zonectl(['why', id, '-n', NS, ...hubArgs]);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /: ready; every group is placed and every instance Ready/);
    const a = JSON.parse((await zonectl(['why', id, '-n', NS, '--all', '-o', 'json', ...hubArgs])).out) as WhyDocument;
    const z = await getZone(env.hub, NS, id);
    for (const g of a.groups ?? []) {
      assert.equal(g.state, 'placed');
      assert.equal(g.compliant, true);
      assert.equal(g.provider, z.status?.allocation?.groups[g.group]?.provider);
      assert.deepEqual(
        g.entries.filter((e) => e.verdict === 'Selected').map((e) => e.provider),
        [g.provider],
      );
    }
  });

  it('plan --hub predicts the placement a real apply then gets, and writes nothing', async () => {
    const id = '33333333-4444-4555-8666-777777777777';
    const init = {
      type: 'INIT',
      application_id: id,
      privacy: { regions: [[2, 'EEA'], [1]] },
      environment: 'container',
      platform_type: 'cloud+fog',
      resource_type: 'CPU',
      'instance-count': 2,
      'instance-details': { cores: 1, memory: 512, storage: 1024, image: 'busybox' },
    };
    const dir = mkdtempSync(join(tmpdir(), 'zonectl-it-'));
    const file = join(dir, 'init.json');
    writeFileSync(file, JSON.stringify(init));
    const before = (await listZones(env.hub)).map((z) => `${z.metadata.namespace}/${z.metadata.name}`).sort();
    const r = await zonectl(['plan', '--hub', '-f', file, ...hubArgs]);
    assert.equal(r.code, 0, r.err);
    const plan = JSON.parse(r.out) as PlanHubResult;
    const outcome = plan.outcomes[0];
    assert.equal(plan.outcomes.length, 1);
    assert.ok(outcome.result === 'placed', JSON.stringify(outcome));
    assert.ok(plan.state[id], 'the Listing 3 entry of the planned zone');
    const tbl = await zonectl(['plan', '--hub', '-f', file, '-o', 'table', ...hubArgs]);
    assert.equal(tbl.code, 0, tbl.err);
    const row = `group init-1: ${outcome.instances.join(' ')} on ${outcome.provider}, VLAN ${outcome.vlanId}`;
    assert.match(tbl.out, new RegExp(`^0\\s+INIT\\s+${id}\\s+placed\\s+${row}$`, 'm'));
    const after = (await listZones(env.hub)).map((z) => `${z.metadata.namespace}/${z.metadata.name}`).sort();
    assert.deepEqual(after, before, 'plan --hub wrote nothing');

    const parsed = parseMessage(init, RegionCatalogue.builtin());
    assert.ok(parsed.ok && parsed.value.type === 'INIT');
    await apply(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ExecutionZone',
      metadata: { name: zoneName(id), namespace: NS },
      spec: initToZoneSpec(parsed.value),
    } satisfies ExecutionZone);
    const z = await waitZoneObserved(env.hub, NS, zoneName(id));
    assert.equal(getCondition(z.status?.conditions, 'Placed')?.status, 'True');
    const g = z.status?.allocation?.groups[outcome.group];
    assert.equal(g?.provider, outcome.provider, 'the provider zonectl predicted');
    assert.deepEqual(g?.instances, outcome.instances, 'the instance names zonectl predicted');
    assert.equal(z.status?.vlanId, outcome.vlanId, 'the VLAN zonectl predicted');
    assert.deepEqual(listing3FromStatus([z])[id], plan.state[id], 'the whole Listing 3 entry');
  });

  it('a zone that is not there exits 2 with a message naming it, and an unreadable INIT file too', async () => {
    const r = await zonectl(['why', 'no-such-zone', '-n', NS, ...hubArgs]);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.equal(r.err.trim(), `zonectl: ExecutionZone ${NS}/no-such-zone not found`);
    assertNoStack(r);
    const p = await zonectl(['plan', '--hub', '-f', '/nonexistent/init.json', ...hubArgs]);
    assert.equal(p.code, 2);
    assert.match(p.err, /\/nonexistent\/init\.json: cannot read: ENOENT/);
    assertNoStack(p);
    const c = await zonectl(['get', 'zones', '--context', 'nope', ...hubArgs]);
    assert.equal(c.code, 2);
    assert.match(c.err, /--context: no context "nope"/);
    assertNoStack(c);
  });

  it('works as a kubectl plugin: kubectl zonekeeper get zones', async () => {
    // What `npm install -g` does with package.json's bin: an executable of that name on PATH.
    chmodSync(PLUGIN, 0o755);
    const bin = mkdtempSync(join(tmpdir(), 'zonectl-plugin-'));
    symlinkSync(PLUGIN, join(bin, 'kubectl-zonekeeper'));
    const kubectl = findKubectl();
    const path = [bin, dirname(process.execPath), ...(kubectl ? [dirname(kubectl)] : [])].join(delimiter);
    const pluginEnv = { ...process.env, PATH: path, KUBECONFIG: kubeconfig };
    const want = await zonectl(['get', 'zones', '-n', NS, ...hubArgs]);
    const got = kubectl
      ? await runFile(kubectl, ['zonekeeper', 'get', 'zones', '-n', NS], pluginEnv)
      : await runFile('kubectl-zonekeeper', ['get', 'zones', '-n', NS], pluginEnv);
    assert.equal(got.code, 0, got.err);
    assert.equal(got.out, want.out, 'the plugin prints what zonectl prints');
    if (kubectl) {
      const listed = await runFile(kubectl, ['plugin', 'list'], pluginEnv);
      assert.match(listed.out, /kubectl-zonekeeper/);
    }
    const missing = await runFile(
      kubectl ?? 'kubectl-zonekeeper',
      [...(kubectl ? ['zonekeeper'] : []), 'why', 'nope', '-n', NS],
      pluginEnv,
    );
    assert.equal(missing.code, 2);
    assert.equal(missing.err.trim(), `kubectl zonekeeper: ExecutionZone ${NS}/nope not found`);
  });
});
