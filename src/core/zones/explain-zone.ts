// Why a zone is where it is, or nowhere, one line per provider of the
// catalogue (`zonectl why --all`). A group that waits is placed again on
// the federation the hub holds, with the explanation the operator's
// placement gives when asked for every provider; a placed group is checked
// against every provider's shape and its rules as they read now, so a
// provider its zone no longer allows shows up as the reason it is not
// compliant. Pure: the caller builds the federation (hub-federation.ts).

import type { ExecutionZoneSpec, PlacementExplanationEntry } from '../api/types.js';
import type { FieldError } from '../errors.js';
import { Catalogue } from '../placement/catalogue.js';
import { evaluateAll } from '../privacy/evaluate.js';
import type { Federation } from './federation.js';
import { compileZone } from './zone-spec.js';

export interface GroupExplanation {
  group: string;
  /** Placed before this look (on `provider`), placed by it (`placedNow`), or waiting. */
  state: 'placed' | 'placedNow' | 'waiting';
  provider?: string;
  /** Why it waits (NoMatchingProvider, NoFreeVlan: …). */
  reason?: string;
  /** False when a placed group's provider no longer passes the zone's rules. */
  compliant?: boolean;
  entries: PlacementExplanationEntry[];
}

export interface ZoneExplanation {
  applicationId: string;
  /** The spec does not compile or conflicts with the allocation: nothing else was looked at. */
  errors?: FieldError[];
  groups: GroupExplanation[];
}

/**
 * Every group of `spec` against every provider. Changes `federation`: a
 * waiting group that fits now is placed on it, as the operator's next pass
 * would; callers pass a federation of their own.
 */
export function explainEveryProvider(federation: Federation, spec: ExecutionZoneSpec): ZoneExplanation {
  const { zone, errors } = compileZone(spec, federation.regions);
  const applicationId = typeof spec?.applicationId === 'string' ? spec.applicationId.toLowerCase() : '';
  if (!zone) return { applicationId, errors, groups: [] };
  const before = federation.allocation(zone.applicationId);
  const placed = new Map<string, GroupExplanation>();
  for (const g of zone.groups) {
    const at = before?.groups[g.spec.name]?.provider;
    if (at === undefined) continue;
    let compliant = true;
    const entries = federation.catalogue.providers.map((p): PlacementExplanationEntry => {
      const why = Catalogue.shapeMismatch(p, g.request);
      const verdict = why === undefined ? evaluateAll(g.request.privacy, p) : undefined;
      const problem = why ?? (verdict && !verdict.pass ? verdict.reason : undefined);
      if (p.name !== at)
        return {
          group: g.spec.name,
          provider: p.name,
          verdict: 'Skipped',
          reason: problem ?? 'passes the rules; the group is placed on another provider',
        };
      if (problem !== undefined) compliant = false;
      return {
        group: g.spec.name,
        provider: p.name,
        verdict: 'Selected',
        reason: problem === undefined ? 'placed here; passes all privacy rules' : `placed here, but now ${problem}`,
      };
    });
    placed.set(g.spec.name, { group: g.spec.name, state: 'placed', provider: at, compliant, entries });
  }
  const outcome = federation.reconcile(spec, true);
  if (outcome.errors) return { applicationId, errors: outcome.errors, groups: [] };
  const groups = outcome.groups.map(
    (o): GroupExplanation =>
      placed.get(o.group) ?? {
        group: o.group,
        state: o.placed ? 'placedNow' : 'waiting',
        ...(o.provider !== undefined ? { provider: o.provider } : {}),
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
        entries: o.explanation ?? [],
      },
  );
  return { applicationId, groups };
}
