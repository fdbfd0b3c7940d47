// metav1.Condition handling: the list is a map keyed by type, and
// lastTransitionTime moves only when the status flips (so "Ready since"
// means something). Reasons are CamelCase, messages are for people.

import type { Condition } from '../core/api/types.js';

export type ConditionStatus = Condition['status'];

export function setCondition(list: Condition[], c: Omit<Condition, 'lastTransitionTime'>, now: string): Condition[] {
  const old = list.find((x) => x.type === c.type);
  const next: Condition = { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now };
  const rank = (t: string) => (ORDER.includes(t) ? ORDER.indexOf(t) : ORDER.length);
  return [...list.filter((x) => x.type !== c.type), next].sort(
    (a, b) => rank(a.type) - rank(b.type) || (a.type < b.type ? -1 : 1),
  );
}

export function getCondition(list: readonly Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((c) => c.type === type);
}

export function isTrue(list: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(list, type)?.status === 'True';
}

/** Summary first, then the phases in the order they happen. */
const ORDER = [
  'Ready',
  'Placed',
  'Provisioned',
  'NetworkAttached',
  'NetworkReady',
  'Degraded',
  'Compliant',
  'Released',
  'Reachable',
  'Succeeded',
  'Failed',
];

/** Messages are capped by the API (32 KiB); long explanations are cut. */
export function capMessage(s: string, max = 4000): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
