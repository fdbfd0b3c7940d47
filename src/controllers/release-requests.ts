// Releases asked of the zone reconciler. A ZoneRelease does not write its
// zone's status: it asks here, enqueues the zone, and the zone's own
// reconciler (the one owner of ExecutionZone status) takes the instances
// out of the durable allocation and answers here; the answer enqueues the
// release, whose next pass writes its own status. Held in memory by the
// leader's placement state: a new leader starts empty, and a release still
// Releasing asks again (the zone reconciler recognises work already done).

export interface ReleaseAsk {
  /** Key of the ZoneRelease asking. */
  release: string;
  /** Its name, for the zone's Released condition. */
  releaseName: string;
  /** Key of the ExecutionZone. */
  zone: string;
  /** The instances to release, by provider; undefined releases the whole zone. */
  instances?: Record<string, string[]>;
}

export type ReleaseOutcome = { ok: true; released: Record<string, string[]> } | { ok: false; message: string };

export class ReleaseRequests {
  private readonly asks = new Map<string, Map<string, ReleaseAsk>>();
  private readonly outcomes = new Map<string, ReleaseOutcome>();

  /** Idempotent: asking again replaces the earlier ask of the same release. */
  ask(a: ReleaseAsk): void {
    let byRelease = this.asks.get(a.zone);
    if (!byRelease) this.asks.set(a.zone, (byRelease = new Map<string, ReleaseAsk>()));
    byRelease.set(a.release, a);
  }

  /** The asks waiting for a zone, in the order they came. */
  pending(zoneKey: string): ReleaseAsk[] {
    return [...(this.asks.get(zoneKey)?.values() ?? [])];
  }

  settle(a: ReleaseAsk, outcome: ReleaseOutcome): void {
    const byRelease = this.asks.get(a.zone);
    byRelease?.delete(a.release);
    if (byRelease?.size === 0) this.asks.delete(a.zone);
    this.outcomes.set(a.release, outcome);
  }

  outcome(releaseKey: string): ReleaseOutcome | undefined {
    return this.outcomes.get(releaseKey);
  }

  /** The release wrote its final status: its answer is no longer needed. */
  forget(releaseKey: string): void {
    this.outcomes.delete(releaseKey);
    for (const [zone, byRelease] of this.asks) {
      byRelease.delete(releaseKey);
      if (byRelease.size === 0) this.asks.delete(zone);
    }
  }

  /** The zone is gone: nobody will answer its asks. */
  dropZone(zoneKey: string): void {
    this.asks.delete(zoneKey);
  }
}
