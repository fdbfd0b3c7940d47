// A group's restart policy, with its default: the paper's INIT messages
// name none, and their instances run until released.

import type { ExecutionZoneSpec, RestartPolicy } from '../api/types.js';

/** The policy of the zone's group `group`; Always when unset or when the group left the spec. */
export function restartPolicyOf(spec: ExecutionZoneSpec, group: string): RestartPolicy {
  return spec.groups.find((g) => g.name === group)?.restartPolicy ?? 'Always';
}
