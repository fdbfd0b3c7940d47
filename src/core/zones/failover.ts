// Failover on member outage (spec.failover): a zone's groups on a member
// that has been unreachable for longer than the zone tolerates are placed
// again on other providers, as new groups would be, under the zone's
// current rules. Pure: it changes the federation's in-memory allocation and
// ledger; the operator commits the result to the zone's status before it
// creates anything (execution-zone-failover.ts).
//
// A moved instance is a new instance: a new name (names are never reused)
// and a new address. The lost one is released, so its name can never be
// live again anywhere: that name is the fencing token the members are
// checked against. When the old member returns, every pass of the zone
// reconciler and the orphan collector delete any object whose (provider,
// instance) the allocation does not list as live, and nothing creates one.

import type { FailoverPolicy, InstanceMove } from '../api/types.js';
import { instanceDemand } from '../placement/capacity-ledger.js';
import { placeGroup } from '../placement/place-group.js';
import { instanceAddress } from '../network/ula.js';
import { nextInstanceNumber } from './allocation.js';
import type { Federation } from './federation.js';

/** When each provider became unreachable (ms since the epoch); absent: reachable. */
export type UnreachableSince = (provider: string) => number | undefined;

export interface FailoverDue {
  /** Providers hosting live instances of the zone that are past the toleration, in name order. */
  due: string[];
  /** The soonest a provider not yet due will be, in ms from now; absent when none is waiting. */
  nextInMs?: number;
}

/** Which of the providers a zone's live instances run on are due for failover at `now`. */
export function failoverDue(
  policy: FailoverPolicy | undefined,
  hosting: Iterable<string>,
  since: UnreachableSince,
  now: number,
): FailoverDue {
  const out: FailoverDue = { due: [] };
  if (!policy) return out;
  const tolerance = policy.afterSeconds * 1000;
  for (const provider of [...new Set(hosting)].sort()) {
    const t = since(provider);
    if (t === undefined) continue;
    const left = t + tolerance - now;
    if (left <= 0) out.due.push(provider);
    else out.nextInMs = Math.min(out.nextInMs ?? left, left);
  }
  return out;
}

export interface FailoverResult {
  /** What moved, in group order then instance order. */
  moved: InstanceMove[];
  /** Groups on the lost provider that no other provider can take now, with why; they stay where they were. */
  stuck: { group: string; reason: string }[];
  /** Replace moves towards the lost provider, dropped: the group and the new instances released. */
  abandoned?: { group: string; provider: string; instances: string[] }[];
}

/**
 * Moves every group of the zone that has live instances on `lost` to
 * another provider. Each group moves whole or not at all: a group that fits
 * nowhere keeps its allocation (and its capacity on the lost provider), and
 * is tried again on the next call. A group's placement is searched for
 * before anything of it changes, so nothing is half-moved.
 */
export function failOver(f: Federation, applicationId: string, lost: string): FailoverResult {
  const result: FailoverResult = { moved: [], stuck: [] };
  const a = f.allocation(applicationId);
  const zone = f.compiled(applicationId);
  // Only off a member that is out: a reachable one keeps its instances.
  if (!a || f.catalogue.get(lost)?.ready !== false) return result;
  for (const [name, group] of Object.entries(a.groups)) {
    // A Replace in flight (spec.onViolation) decides first: its new
    // instances are on `replacing.provider`, its old ones on `provider`.
    const moving = group.replacing;
    if (moving && moving.provider === lost) {
      // The move's target is lost: drop the move; the old instances serve on.
      const r = f.abandonReplacement(applicationId, name);
      if (r.ok)
        (result.abandoned ??= []).push({ group: name, provider: lost, instances: Object.values(moving.instances) });
      continue;
    }
    if (group.provider !== lost) continue;
    if (moving) {
      // The old instances are lost and their replacements already booked
      // elsewhere: the move completes now (make before break no longer
      // applies to instances that cannot serve), and nothing is placed twice.
      if (f.completeReplacement(applicationId, name).ok) {
        const moves = Object.entries(moving.instances).map(([instance, replacement]) => ({
          instance,
          from: lost,
          replacement,
          to: moving.provider,
        }));
        group.moves = [...(group.moves ?? []), ...moves];
        result.moved.push(...moves);
      }
      continue;
    }
    const live = a.instances.filter((i) => i.group === name);
    if (live.length === 0) continue;
    const compiled = zone?.groups.find((g) => g.spec.name === name);
    if (!compiled || a.vlanId === undefined) {
      // Rules that no longer compile (a PrivacyRegion they name is gone) cannot show a new provider complies.
      result.stuck.push({
        group: name,
        reason: "the zone's rules do not resolve, so no provider can be shown to comply",
      });
      continue;
    }
    const decision = placeGroup(
      { ...compiled.request, count: live.length },
      {
        catalogue: f.catalogue,
        ledger: f.ledger,
        strategy: f.strategy,
        zoneProviders: new Set(a.instances.filter((i) => i.provider !== lost).map((i) => i.provider)),
      },
    );
    if (!decision.placed) {
      result.stuck.push({
        group: name,
        reason: decision.explanation.map((e) => `${e.provider}: ${e.reason}`).join('; '),
      });
      continue;
    }
    const to = decision.provider.name;
    const letter = group.environment === 'VM' ? 'V' : 'C';
    let n = nextInstanceNumber(a, letter);
    const moves: InstanceMove[] = [];
    const gone = new Set(live);
    for (const i of live) {
      f.ledger.release(i.provider, instanceDemand(i));
      const replacement = `${letter}${n}`;
      const address = instanceAddress(f.globalId, a.vlanId, group.environment, n);
      n++;
      a.instances.push({ ...i, name: replacement, provider: to, address });
      a.released.push(i.name);
      group.instances.push(replacement);
      moves.push({ instance: i.name, from: lost, replacement, to });
    }
    f.ledger.reserve(to, decision.demand);
    a.instances = a.instances.filter((i) => !gone.has(i));
    group.provider = to;
    group.moves = [...(group.moves ?? []), ...moves];
    result.moved.push(...moves);
  }
  return result;
}

/** Every move the allocation records, oldest first within each group, groups in name order. */
export function movesOf(groups: Record<string, { moves?: InstanceMove[] }>): InstanceMove[] {
  return Object.keys(groups)
    .sort()
    .flatMap((g) => groups[g].moves ?? []);
}
