// What each instance a `completed` ZoneRelease names is doing, read from
// its member: a pod's phase from the member's informer cache; a VM's from
// its VirtualMachineInstance (read from the member: the VM object says
// only that it stopped, its instance whether the guest succeeded). The
// judgement itself is completion-trigger.ts.

import { finishedAs } from '../clusters/instance-outcome.js';
import { type MemberPod, type MemberVm, RUN_STRATEGY } from '../clusters/member-objects.js';
import type { ExecutionZone } from '../core/api/types.js';
import { errorText } from '../runtime/logger.js';
import type { InstanceProgress } from './completion-trigger.js';
import type { MemberAccess, ZoneObject } from './member-access.js';
import type { ScopedInstance } from './release-scope.js';

export async function readCompletion(
  members: Pick<MemberAccess, 'get' | 'synced'>,
  zone: ExecutionZone,
  scope: readonly ScopedInstance[],
): Promise<InstanceProgress[]> {
  const id = zone.spec.applicationId.toLowerCase();
  const byProvider = new Map<string, ScopedInstance[]>();
  for (const i of scope) byProvider.set(i.provider, [...(byProvider.get(i.provider) ?? []), i]);
  const read = await Promise.all(
    [...byProvider].map(async ([provider, named]): Promise<InstanceProgress[]> => {
      const unknown = (detail: string) =>
        named.map((i): InstanceProgress => ({ provider, name: i.name, state: 'unknown', detail }));
      const look = members.get(provider);
      if (!look.ok) return unknown(`${provider} cannot be read: ${look.reason}`);
      if (!members.synced(provider)) return unknown(`${provider}'s cache has not listed yet`);
      const have = look.member.zoneObjects(id);
      let vmis: Map<string, string> | { error: string } = new Map();
      if (named.some((i) => (have.get(i.name)?.vm ?? i.name.startsWith('V')) && look.member.vmInstancePhases)) {
        try {
          vmis = (await look.member.vmInstancePhases?.(id)) ?? new Map<string, string>();
        } catch (err) {
          vmis = { error: errorText(err) };
        }
      }
      return named.map((i) => {
        const recorded = zone.status?.instances?.[provider]?.[i.name]?.phase;
        const state = progressOf(have.get(i.name), vmis, i.name, recorded);
        return { provider, name: i.name, ...state };
      });
    }),
  );
  const order = new Map(scope.map((i, n) => [`${i.provider}/${i.name}`, n]));
  return read
    .flat()
    .sort((a, b) => (order.get(`${a.provider}/${a.name}`) ?? 0) - (order.get(`${b.provider}/${b.name}`) ?? 0));
}

type Judged = Pick<InstanceProgress, 'state' | 'detail'>;

function progressOf(
  o: ZoneObject | undefined,
  vmis: Map<string, string> | { error: string },
  name: string,
  recorded: string | undefined,
): Judged {
  if (!o) {
    // Finished earlier, and its object was removed since (the zone reconciler does not make it again).
    if (recorded === 'Succeeded') return { state: 'succeeded', detail: 'Succeeded; its object was removed since' };
    if (recorded === 'Failed') return { state: 'failed', detail: 'Failed; its object was removed since' };
    return { state: 'running', detail: 'not created yet' };
  }
  if (o.obj.metadata?.deletionTimestamp) return { state: 'running', detail: 'being deleted' };
  if (!o.vm) return podProgress(o.obj as MemberPod);
  return vmProgress(o.obj as MemberVm, vmis, name);
}

function podProgress(p: MemberPod): Judged {
  const phase = p.status?.phase ?? 'Pending';
  if (phase === 'Succeeded') return { state: 'succeeded', detail: 'pod Succeeded' };
  if (phase === 'Failed') return { state: 'failed', detail: `pod Failed${exitText(p)}` };
  return { state: 'running', detail: `pod ${phase}` };
}

function vmProgress(v: MemberVm, vmis: Map<string, string> | { error: string }, name: string): Judged {
  if (!(vmis instanceof Map))
    return { state: 'unknown', detail: `its VirtualMachineInstance cannot be read: ${vmis.error}` };
  const phase = vmis.get(name);
  if (phase === 'Succeeded') return { state: 'succeeded', detail: 'VM instance Succeeded' };
  if (phase === 'Failed') {
    // KubeVirt starts it again under RerunOnFailure: not the end of it.
    if (v.spec?.['runStrategy'] === RUN_STRATEGY.OnFailure)
      return { state: 'running', detail: 'VM instance Failed; run again (RerunOnFailure)' };
    return { state: 'failed', detail: 'VM instance Failed' };
  }
  // Stopped under Once or RerunOnFailure with no instance left to say how: it ran and ended.
  if (phase === undefined && finishedAs(v, true) === 'Stopped')
    return { state: 'succeeded', detail: 'VM Stopped, no instance left' };
  return { state: 'running', detail: `VM ${v.status?.printableStatus ?? 'Provisioning'}` };
}

function exitText(p: MemberPod): string {
  const statuses = (p.status as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses ?? [];
  const codes = statuses.flatMap((c) => (c.state?.terminated ? [c.state.terminated.exitCode] : []));
  return codes.length > 0 ? `, exit code ${codes.join(', ')}` : '';
}

interface ContainerStatus {
  state?: { terminated?: { exitCode?: number } };
}
