// `zonectl plan` end to end at internet scale: generates the workloads
// (plan-workload.ts), runs the real CLI in a fresh process per run and
// reads its wall time, CPU time and peak resident memory from
// /usr/bin/time. Cases: 10,000 providers x 10,000 INITs over 3,000 zones;
// 1,000 providers x 10,000 INITs where most zones wait; 10,000 providers x
// 10,000 INITs over 8,000 zones, more than the 4,094 VLANs of 1-4094.
//
//   node dist/bench/placement/plan-bench.js [--runs N] [--dir DIR]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberArg, textArg } from '../support/args.js';
import { stats, type Stats } from '../support/stats.js';
import { type WorkloadOptions, writeWorkload } from './plan-workload.js';

interface Case {
  name: string;
  workload: WorkloadOptions;
  flags: string[];
}

const CASES: Case[] = [
  {
    name: '10,000 providers x 10,000 INITs, 3,000 zones',
    workload: { providers: 10000, inits: 10000, zones: 3000, seed: 1, size: 'small' },
    flags: [],
  },
  {
    name: '1,000 providers x 10,000 INITs, 10,000 zones (most wait)',
    workload: { providers: 1000, inits: 10000, zones: 10000, seed: 1, size: 'large' },
    flags: [],
  },
  {
    name: '10,000 providers x 10,000 INITs, 8,000 zones, VLANs 1-4094',
    workload: { providers: 10000, inits: 10000, zones: 8000, seed: 1, size: 'small' },
    flags: ['--vlan-range', '1-4094'],
  },
];

interface Run {
  wall: number;
  cpu: number;
  rssMiB: number;
  outBytes: number;
  code: number | null;
  outcomes: Record<string, number>;
}

function runOnce(zonectl: string, files: { providers: string; messages: string }, flags: string[], dir: string): Run {
  const out = join(dir, 'out.json');
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %U %S %M',
      '-o',
      join(dir, 'time.txt'),
      'sh',
      '-c',
      `exec "${process.execPath}" "${zonectl}" plan --providers "${files.providers}" --messages "${files.messages}" ${flags.join(' ')} > "${out}"`,
    ],
    { encoding: 'utf8' },
  );
  const [wall, user, sys, rssKiB] = readFileSync(join(dir, 'time.txt'), 'utf8')
    .trim()
    .split('\n')
    .pop()!
    .split(' ')
    .map(Number);
  const outcomes: Record<string, number> = {};
  for (const o of (JSON.parse(readFileSync(out, 'utf8')) as { outcomes: { result: string; reason?: string }[] })
    .outcomes) {
    const k = o.result === 'waiting' ? `waiting (${(o.reason ?? '').split(':')[0]})` : o.result;
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  }
  return { wall, cpu: user + sys, rssMiB: rssKiB / 1024, outBytes: statSync(out).size, code: r.status, outcomes };
}

function main(): void {
  const runs = numberArg('runs', 3);
  const dir = textArg('dir', '') || mkdtempSync(join(tmpdir(), 'plan-bench-'));
  const zonectl = join(process.cwd(), 'dist/src/cli/zonectl.js');
  const fmt = (s: Stats, d = 1) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
  console.log(
    `zonectl plan end to end, ${runs} runs per case; load average at start ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  console.log('case | wall s | CPU s (user+sys) | peak RSS MiB | output MB | exit | outcomes');
  for (const c of CASES) {
    const files = writeWorkload(dir, c.workload);
    const results = Array.from({ length: runs }, () => runOnce(zonectl, files, c.flags, dir));
    const last = results[results.length - 1];
    console.log(
      `${c.name} | ${fmt(stats(results.map((r) => r.wall)))} | ${fmt(stats(results.map((r) => r.cpu)))} | ${fmt(stats(results.map((r) => r.rssMiB)), 0)} | ${(last.outBytes / 1e6).toFixed(1)} | ${last.code} | ${JSON.stringify(last.outcomes)}`,
    );
  }
  if (!textArg('dir', '')) rmSync(dir, { recursive: true, force: true });
}

main();
