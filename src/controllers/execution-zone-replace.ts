// spec.onViolation Replace in the zone reconciler: a placed group that no
// longer complies is placed again on a compliant provider, make before
// break. Each step changes the allocation under the placement lock and
// commits it to status before anything happens in a member:
//
//   1. replaceGroup books the group's new instances (new names) on a
//      compliant provider: committed as groups.<g>.replacing (old -> new);
//      provisionMembers of the same pass creates them, programNetwork links
//      the new provider and adds their switch entries.
//   2. once every new instance is Ready (as the zone's Ready judges it),
//      completeReplacement releases the old ones: committed, then
//      provisionMembers deletes them and programNetwork drops their entries.
//
// An operator killed anywhere in between finds the move in status (the
// placement state restores it) and carries on: nothing is created that
// status does not name, and nothing is deleted that status still holds.

import { formatFieldErrors } from '../core/errors.js';
import type { ComplianceViolation } from '../core/zones/compliance.js';
import { describeViolation } from '../core/zones/compliance.js';
import type { ReplaceFact } from './execution-zone-conditions.js';
import { commitAllocation, type ReleaseContext, type ReleasePass } from './execution-zone-release.js';
import { ZoneReason as R } from '../core/api/conditions.js';

/** One move of this pass, for Events and messages. */
export interface Move {
  group: string;
  from: string;
  to: string;
  /** Old -> new instance name. */
  instances: Record<string, string>;
}

export interface ReplaceOutcome {
  /** Moves booked by this pass (committed). */
  started: Move[];
  /** Moves completed by this pass (committed): their old instances are released. */
  completed: Move[];
  /** Moves still waiting for their new instances, with how many are Ready. */
  moving: (Move & { ready: number })[];
  /** Non-compliant groups no compliant provider has room for: the violation and why. */
  stuck: { violation: ComplianceViolation; message: string }[];
  /** What the Replacing condition says. */
  fact: ReplaceFact;
}

/** Is this instance Ready in its member (the zone's Ready logic, read from the member caches)? */
export type InstanceReady = (provider: string, instance: string) => boolean;

const applicationId = (p: ReleasePass): string => p.zone.spec.applicationId.toLowerCase();

export const describeMove = (m: Move): string =>
  `group ${m.group} from ${m.from} to ${m.to} (${Object.entries(m.instances)
    .map(([o, n]) => `${o} -> ${n}`)
    .join(', ')})`;

/**
 * Completes the moves whose new instances are all Ready, then books a move
 * for every violation of a group on the provider it is placed on (a group
 * already moving is not moved twice), and commits the allocation once when
 * either changed it. A failed commit throws: the placement state is marked
 * stale and rebuilt from status, so nothing of this pass's moves is used.
 */
export async function replaceNonCompliant(
  c: ReleaseContext,
  p: ReleasePass,
  violations: readonly ComplianceViolation[],
  ready: InstanceReady,
): Promise<ReplaceOutcome> {
  const id = applicationId(p);
  return c.state.withLock(async (f) => {
    const out: ReplaceOutcome = {
      started: [],
      completed: [],
      moving: [],
      stuck: [],
      fact: { moving: false, reason: R.NoViolation, message: '' },
    };
    const a = f.allocation(id);
    if (!a) return out;
    for (const [group, ga] of Object.entries(a.groups)) {
      const move = ga.replacing;
      if (!move) continue;
      const m: Move = { group, from: ga.provider, to: move.provider, instances: { ...move.instances } };
      const live = new Set(a.instances.map((i) => i.name));
      // A new instance a ZoneRelease took meanwhile is not waited for.
      const news = Object.values(move.instances).filter((n) => live.has(n));
      const readyNow = news.filter((n) => ready(move.provider, n)).length;
      if (readyNow < news.length) {
        out.moving.push({ ...m, ready: readyNow });
        continue;
      }
      const r = f.completeReplacement(id, group);
      if (!r.ok) throw new Error(`replacement of group ${group} not completed: ${formatFieldErrors(r.errors)}`);
      out.completed.push(m);
    }
    for (const v of violations) {
      const ga = a.groups[v.group];
      // Violations on the provider a group moves to wait for the move to end: one move at a time.
      if (!ga || ga.replacing || v.provider !== ga.provider) continue;
      const r = f.replaceGroup(id, v.group);
      if (r.ok) out.started.push({ group: v.group, from: r.from, to: r.provider, instances: r.instances });
      else out.stuck.push({ violation: v, message: r.message });
    }
    out.fact = replaceFact(out);
    if (out.started.length === 0 && out.completed.length === 0) return out;
    await commitAllocation(c, f, p, a, 'replacement');
    return out;
  });
}

/** The Replacing condition: True while a move waits for its new instances; else why nothing moves. */
function replaceFact(o: Omit<ReplaceOutcome, 'fact'>): ReplaceFact {
  const stuck = o.stuck.map(
    (s) => `${describeViolation(s.violation)}: ${s.message}; retried when capacity frees or the catalogue changes`,
  );
  const moving = [
    ...o.started.map((m) => ({ ...m, ready: 0 })),
    ...o.moving.filter((m) => !o.completed.some((x) => x.group === m.group)),
  ];
  if (moving.length > 0) {
    const lines = moving.map(
      (m) =>
        `${describeMove(m)}: ${m.ready}/${Object.keys(m.instances).length} new instance(s) Ready; the old ones are released once all are`,
    );
    return { moving: true, reason: R.Replacing, message: [...lines, ...stuck].join('; ') };
  }
  if (stuck.length > 0) return { moving: false, reason: R.NoCompliantCapacity, message: stuck.join('; ') };
  if (o.completed.length > 0)
    return {
      moving: false,
      reason: R.Replaced,
      message: `moved ${o.completed.map(describeMove).join('; ')}: the new instances are Ready and the old ones released`,
    };
  return { moving: false, reason: R.NoViolation, message: 'every placed group complies: nothing to move' };
}
