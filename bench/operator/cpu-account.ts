// CPU time of every process of the test bed and the operator, grouped by
// role, so each phase of the benchmark says where its work went. On a
// shared 2-core machine wall-clock times swing with other people's load;
// CPU seconds per phase swing much less and show what the operator costs
// the API servers beside what it costs itself.

import { readFileSync } from 'node:fs';
import type { TestbedState } from '../../tools/testbed/state.js';

// USER_HZ: 100 on every Linux the project runs on (sysconf(_SC_CLK_TCK)).
const TICKS_PER_SECOND = 100;

export interface CpuProcess {
  group: string;
  pid: number;
}

export function testbedProcesses(state: TestbedState): CpuProcess[] {
  const out: CpuProcess[] = [];
  if (state.etcd.process.pid) out.push({ group: 'etcd', pid: state.etcd.process.pid });
  for (const c of state.clusters) {
    for (const p of c.processes) {
      if (!p.pid) continue;
      const where = c.role === 'hub' ? 'hub' : 'members';
      out.push({ group: p.role === 'kube-apiserver' ? `apiserver (${where})` : p.role, pid: p.pid });
    }
  }
  return out;
}

function ticks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return 0;
  }
}

export type CpuSample = Map<string, number>;

/** CPU seconds so far, by group; `self` is this process. */
export function sampleCpu(procs: readonly CpuProcess[]): CpuSample {
  const out: CpuSample = new Map();
  for (const p of procs) out.set(p.group, (out.get(p.group) ?? 0) + ticks(p.pid) / TICKS_PER_SECOND);
  const u = process.cpuUsage();
  out.set('bench client', (u.user + u.system) / 1e6);
  return out;
}

export function cpuSince(before: CpuSample, after: CpuSample): Record<string, number> {
  const out: Record<string, number> = {};
  let total = 0;
  for (const [g, v] of after) {
    const d = Math.round((v - (before.get(g) ?? 0)) * 100) / 100;
    out[g] = d;
    total += d;
  }
  out['total'] = Math.round(total * 100) / 100;
  return out;
}
