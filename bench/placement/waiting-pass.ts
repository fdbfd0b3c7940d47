// The operator's CPU per waiting zone, per reconcile pass, as far as the
// core decides it: what the ExecutionZone controller calls on every pass
// of a zone that waits for capacity (Federation.reconcile, then the
// explanation it writes to the status and the Event). Runs against a
// given build, so that two builds (before and after a change) are
// measured side by side in one run:
//
//   node dist/bench/placement/waiting-pass.js --dist DIR [--dist DIR2] [--explain-flag true|false ...] [--runs N]
//
// --explain-flag says how that build's controller calls reconcile (the
// older controller asked for the per-provider explanation: true).

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stats } from '../support/stats.js';
import { providersYaml } from './plan-workload.js';
import yaml from 'js-yaml';

interface Core {
  Federation: new (o: { providers: unknown[] }) => {
    reconcile(
      spec: unknown,
      explain?: boolean,
    ): { groups: { placed: boolean; explanation?: { provider: string; reason: string }[] }[] };
  };
  providerFromManifest: (m: unknown) => { provider?: unknown };
  formatExplanation: (e: unknown[]) => string[];
}

async function load(dist: string): Promise<Core> {
  const at = <T>(p: string): Promise<T> => import(pathToFileURL(resolve(dist, p)).href) as Promise<T>;
  const [fed, prov, place] = await Promise.all([
    at<Pick<Core, 'Federation'>>('src/core/zones/federation.js'),
    at<Pick<Core, 'providerFromManifest'>>('src/core/catalogue/provider.js'),
    at<Pick<Core, 'formatExplanation'>>('src/core/placement/place-group.js'),
  ]);
  return {
    Federation: fed.Federation,
    providerFromManifest: prov.providerFromManifest,
    formatExplanation: place.formatExplanation,
  };
}

function arg(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}`) out.push(process.argv[i + 1]);
  });
  return out;
}

/** A zone in the EEA asking for more than any provider has free: it waits on every pass. */
const WAITING = {
  applicationId: '00000000-0000-4000-8000-00000000beef',
  privacy: { regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }] },
  groups: [
    {
      name: 'big',
      environment: 'VM',
      platformType: 'cloud',
      resourceType: 'CPU',
      count: 2,
      cores: 48,
      memory: 1024,
      storage: 1024,
      image: 'img',
    },
  ],
};

async function main(): Promise<void> {
  const dists = arg('dist');
  const flags = arg('explain-flag').map((f) => f === 'true');
  const runs = Number(arg('runs')[0] ?? 5);
  const builds = await Promise.all(dists.map(load));
  console.log(
    'providers | build | reconcile flag | CPU ms per waiting pass, median (min–max) | explanation lines | status entries',
  );
  for (const n of [1000, 10000]) {
    const manifests = yaml.loadAll(providersYaml(n, 1));
    const rows = builds.map((core, b) => {
      const providers = manifests.map((m) => core.providerFromManifest(m).provider);
      const f = new core.Federation({ providers });
      const pass = () => {
        const out = f.reconcile(WAITING, flags[b] ?? false);
        const g = out.groups[0];
        if (g.placed) throw new Error('the zone must wait');
        // What explain() and placedCondition() read: the status entries and the Event text.
        return {
          lines: core.formatExplanation(g.explanation ?? []).join('; ').length,
          entries: g.explanation?.length ?? 0,
        };
      };
      return { b, pass, times: [] as number[], last: pass() };
    });
    for (let r = 0; r < runs; r++) {
      for (const row of rows) {
        const passes = n >= 10000 ? 50 : 200;
        const t0 = process.cpuUsage();
        for (let i = 0; i < passes; i++) row.last = row.pass();
        const d = process.cpuUsage(t0);
        row.times.push((d.user + d.system) / 1000 / passes);
      }
    }
    for (const row of rows) {
      const s = stats(row.times);
      console.log(
        `${n} | ${dists[row.b]} | ${flags[row.b] ?? false} | ${s.median.toFixed(3)} (${s.min.toFixed(3)}–${s.max.toFixed(3)}) | ${row.last.lines} characters | ${row.last.entries}`,
      );
    }
  }
}

await main();
