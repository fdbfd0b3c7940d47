// Leader election against an in-memory Lease (resourceVersion checked as
// the API server does) on a fake clock: how long a standby takes to replace
// a leader that died, in the worst phase of their retry timers.
import { strict as assert } from 'node:assert';
import { KubeError, type KubeClient } from '../../../src/runtime/kube-client.js';
import { LeaderElector } from '../../../src/runtime/leader-election.js';
import { silentLogger } from '../../../src/runtime/logger.js';
import { FakeClock } from './fake-clock.js';

interface StoredLease {
  metadata: { resourceVersion?: string };
  spec: { holderIdentity?: string; renewTime?: string };
}

/** Just the three calls the elector makes. */
class LeaseServer {
  lease: StoredLease | undefined;
  private rv = 0;
  renewals: { holder: string; at: number }[] = [];
  constructor(private readonly clock: FakeClock) {}

  client(): KubeClient {
    const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
    const fake = {
      get: async () => {
        if (!this.lease) throw new KubeError(404, 'NotFound', 'no lease');
        return copy(this.lease);
      },
      create: async (_path: string, body: StoredLease) => {
        if (this.lease) throw new KubeError(409, 'AlreadyExists', 'exists');
        this.store(body);
        return copy(this.lease);
      },
      replace: async (_path: string, body: StoredLease) => {
        if (body.metadata.resourceVersion !== this.lease?.metadata.resourceVersion)
          throw new KubeError(409, 'Conflict', 'stale resourceVersion');
        this.store(body);
        return copy(this.lease);
      },
    };
    return fake as unknown as KubeClient;
  }

  private store(body: StoredLease): void {
    this.lease = {
      ...(JSON.parse(JSON.stringify(body)) as StoredLease),
      metadata: { ...body.metadata, resourceVersion: String(++this.rv) },
    };
    this.renewals.push({ holder: body.spec.holderIdentity ?? '', at: this.clock.now() });
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

async function advance(clock: FakeClock, ms: number, step = 5): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

function elector(server: LeaseServer, clock: FakeClock, identity: string, events: string[]): LeaderElector {
  return new LeaderElector({
    client: server.client(),
    namespace: 'zonekeeper-system',
    name: 'zonekeeper-operator',
    identity,
    clock,
    logger: silentLogger,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    onStartedLeading: (term) => events.push(`${identity} leads (term ${term}) at ${clock.now()}`),
    onStoppedLeading: () => events.push(`${identity} stopped at ${clock.now()}`),
  });
}

/** Candidates a and b on one Lease; a has run its first round (and leads). */
async function leaderAndStandby(): Promise<{
  clock: FakeClock;
  server: LeaseServer;
  events: string[];
  a: LeaderElector;
  b: LeaderElector;
}> {
  const clock = new FakeClock();
  const server = new LeaseServer(clock);
  const events: string[] = [];
  const a = elector(server, clock, 'a', events);
  const b = elector(server, clock, 'b', events);
  void a.run();
  await flush();
  return { clock, server, events, a, b };
}

describe('leader election (coordination.k8s.io Lease)', () => {
  it('replaces a dead leader within leaseDuration + retryPeriod of its last renewal, even when the standby ticks just before each renewal', async () => {
    const { clock, server, events, a, b } = await leaderAndStandby();
    assert.ok(a.isLeader, 'the first candidate takes a free lease at once');
    // b starts 1,995 ms later, so it observes each of a's renewals almost a retry period late.
    await advance(clock, 1_995);
    void b.run();
    await advance(clock, 8_000);
    assert.equal(b.isLeader, false, 'the standby waits while the leader renews');
    a.stop(); // a dies: no more renewals
    const lastRenewal = server.renewals.filter((r) => r.holder === 'a').at(-1)?.at as number;
    await advance(clock, 20_000);
    assert.ok(b.isLeader, `b took over (${events.join('; ')})`);
    const took = server.renewals.find((r) => r.holder === 'b')?.at as number;
    const after = took - lastRenewal;
    assert.ok(after >= 15_000, `not before the lease ran out on b's clock (${after} ms)`);
    assert.ok(after <= 15_000 + 2_000 + 10, `within leaseDuration + retryPeriod of the last renewal, took ${after} ms`);
    assert.equal(
      (server.lease?.spec as { leaseTransitions?: number }).leaseTransitions,
      1,
      'one leader change: the term went up by one',
    );
    b.stop();
  });

  it('never lets the standby take a lease the leader keeps renewing', async () => {
    const { clock, server, a, b } = await leaderAndStandby();
    await advance(clock, 1_000);
    void b.run();
    await advance(clock, 60_000);
    assert.ok(a.isLeader);
    assert.equal(b.isLeader, false);
    assert.deepEqual(
      server.renewals.filter((r) => r.holder === 'b'),
      [],
    );
    a.stop();
    b.stop();
  });
});
