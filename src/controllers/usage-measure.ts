// One reading for a `usage` or `stall` trigger: the release's scoped
// instances (release-scope.ts), each looked up in what its member says
// (clusters/member-usage.ts), then judged (usage-trigger.ts). A member
// that cannot be read leaves its instances without figures, which the
// judgement takes as no evidence.

import type { ZoneUsage } from '../clusters/member-usage.js';
import type { ExecutionZone, ReleaseObservation, ZoneReleaseSpec } from '../core/api/types.js';
import { releaseScope } from './release-scope.js';
import {
  judgeWatch,
  type InstanceUsage,
  type UsageReading,
  type WatchRule,
  type WatchVerdict,
} from './usage-trigger.js';

/** A member's view of one zone's pods and their metrics; throws when the member cannot be read. */
export type ZoneUsageRead = (provider: string, applicationId: string) => Promise<ZoneUsage>;

export async function readScopedUsage(
  read: ZoneUsageRead,
  spec: ZoneReleaseSpec,
  zone: ExecutionZone,
  now: () => number,
): Promise<UsageReading> {
  const scope = releaseScope(spec, zone).instances;
  const providers = [...new Set(scope.map((i) => i.provider))].sort();
  const problems: string[] = [];
  const byProvider = new Map<string, ZoneUsage>();
  await Promise.all(
    providers.map(async (p) => {
      try {
        const usage = await read(p, zone.spec.applicationId);
        byProvider.set(p, usage);
        if (usage.metricsError) problems.push(`${p}: metrics.k8s.io: ${usage.metricsError}`);
      } catch (e) {
        problems.push(`${p}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
  );
  const instances = scope.map((i): InstanceUsage => {
    const m = byProvider.get(i.provider)?.instances.get(i.name);
    return {
      name: i.name,
      ...(m?.cpu !== undefined ? { cpu: m.cpu } : {}),
      ...(m?.memory !== undefined ? { memory: m.memory } : {}),
      ...(m ? { restarts: m.restarts } : {}),
    };
  });
  problems.sort();
  return { instances, problems, readAtMs: now() };
}

/** Reads and judges; without a reader (no member access) the reading is an error, never a verdict. */
export async function measureWatch(
  read: ZoneUsageRead | undefined,
  rule: WatchRule,
  spec: ZoneReleaseSpec,
  zone: ExecutionZone,
  previous: ReleaseObservation | undefined,
  now: () => number,
  maxGapMs: number,
): Promise<WatchVerdict> {
  const reading = read ? await readScopedUsage(read, spec, zone, now) : { error: 'the operator reads no member' };
  return judgeWatch(rule, previous, reading, now(), maxGapMs);
}
