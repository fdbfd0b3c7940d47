// Whether an instance's application has ended for good: a pod whose
// restartPolicy is OnFailure or Never in phase Succeeded or Failed (the
// kubelet starts none of its containers again), a VM under runStrategy
// Once or RerunOnFailure that KubeVirt reports Stopped. Such an instance
// is finished, not broken: it is never created again (that would run its
// job twice) and it does not make its zone unready.

import type { RestartPolicy } from '../core/api/types.js';
import { type MemberPod, type MemberVm, RUN_STRATEGY } from './member-objects.js';

/** How a finished instance ended; a VM object alone says only that it stopped. */
export type FinishedAs = 'Succeeded' | 'Failed' | 'Stopped';

const ENDING_STRATEGIES = new Set([RUN_STRATEGY.OnFailure, RUN_STRATEGY.Never]);
const ENDING_POLICIES = new Set<unknown>(['OnFailure', 'Never'] satisfies RestartPolicy[]);

/** How the instance ended, or undefined while it runs, starts, or will be started again. */
export function finishedAs(o: MemberPod | MemberVm, vm: boolean): FinishedAs | undefined {
  if (o.metadata?.deletionTimestamp) return undefined;
  if (vm) {
    const v = o as MemberVm;
    const strategy = v.spec?.['runStrategy'];
    return ENDING_STRATEGIES.has(String(strategy)) && v.status?.printableStatus === 'Stopped' ? 'Stopped' : undefined;
  }
  const p = o as MemberPod;
  if (!ENDING_POLICIES.has(p.spec?.['restartPolicy'])) return undefined;
  const phase = p.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' ? phase : undefined;
}

/** Instance phases (as the zone's status.instances records them) that mean the instance ended. */
export const FINISHED_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Stopped']);
