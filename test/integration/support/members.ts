// Picks members of the running test bed by what they offer, so the tests
// hold for any catalogue, not only the paper's.

import { memberClusters, requireState, type ClusterRecord } from '../../../tools/testbed/state.js';

export function member(what: string, pick: (c: ClusterRecord) => boolean): ClusterRecord {
  const hit = memberClusters(requireState()).find(pick);
  if (!hit) throw new Error(`the test bed's catalogue has no member that ${what}`);
  return hit;
}

export const containerMember = (): ClusterRecord =>
  member('runs containers', (c) => c.provider?.environment === 'container');
export const vmMember = (): ClusterRecord => member('runs VMs', (c) => c.provider?.environment === 'VM');
export const gpuMember = (): ClusterRecord =>
  member('offers GPUs', (c) => c.provider?.resourceTypes.includes('GPU') === true);

/** Two different members, for isolation tests. */
export function twoMembers(): [ClusterRecord, ClusterRecord] {
  const all = memberClusters(requireState());
  if (all.length < 2) throw new Error('the isolation tests need at least two members');
  return [all[0], all[1]];
}
