import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { SidecarClient } from '../../../../src/sidecar/sidecar-client.js';
import { serveSidecarApi } from '../../../../src/sidecar/sidecar-server.js';
import {
  sidecarNetworkProgrammer,
  type SidecarNetworkProgrammer,
  type SidecarNetworkProgrammerOptions,
} from '../../../../src/controllers/network/sidecar-network-programmer.js';
import { Sidecar } from '../../../../src/sidecar/sidecar.js';
import { SoftwareSwitch } from '../../../../src/switch/p4runtime-server.js';
import { planP4Entries, type PlannedEntry } from '../../../../src/core/network/p4-entries.js';
import { PAPER_PLANS, PORTS, syntheticPlan } from '../../p4/paper-zone-plans.js';
import { DEVICE_CONFIG, P4INFO } from '../../switch/switch-harness.js';

/** Polls `cond` every 20 ms for up to 10 s. */
async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** A software switch, a sidecar on it serving its API, and the programmer on that API, once the sidecar has synced. */
async function withLiveStack(
  o: SidecarNetworkProgrammerOptions,
  fn: (s: { sw: SoftwareSwitch; sidecar: Sidecar; np: SidecarNetworkProgrammer }) => Promise<void>,
): Promise<void> {
  const sw = new SoftwareSwitch({ deviceId: 1n });
  const port = await sw.start('127.0.0.1:0');
  const sidecar = new Sidecar({
    switches: [{ address: `127.0.0.1:${port}`, deviceId: '1' }],
    p4info: P4INFO,
    deviceConfig: DEVICE_CONFIG,
    election: { term: 1n, ordinal: 0n },
    log: () => {},
  });
  sidecar.start();
  const api = await serveSidecarApi(sidecar, '127.0.0.1:0');
  const np = sidecarNetworkProgrammer(`127.0.0.1:${api.port}`, PORTS, o);
  try {
    await until(() => sidecar.connections[0]?.synced === true);
    await fn({ sw, sidecar, np });
  } finally {
    np.close();
    api.server.forceShutdown();
    sidecar.stop();
    sw.stop();
  }
}

/** Listens to the programmer's onChange, then programs the first paper zone (which must succeed). */
async function programListening(
  np: SidecarNetworkProgrammer,
): Promise<{ heard: (string[] | 'all')[]; plan: NonNullable<(typeof PAPER_PLANS)[number]> }> {
  const heard: (string[] | 'all')[] = [];
  np.onChange?.((ids) => heard.push(ids));
  const plan = PAPER_PLANS[0];
  assert.ok(plan);
  assert.equal((await np.program(plan)).ok, true);
  return { heard, plan };
}

describe('sidecar as the operator NetworkProgrammer', function () {
  this.timeout(20_000);

  it('programs a zone plan, reports NetworkReady from the sidecar, and removes the zone', async () => {
    await withLiveStack({}, async ({ sw, np }) => {
      const plan = PAPER_PLANS[0];
      assert.ok(plan);
      const r = await np.program(plan);
      assert.equal(r.ok, true, r.message);
      assert.ok((sw.tables?.entryCount() ?? 0) > 0);
      const bad = await np.program({
        ...plan,
        applicationId: 'other',
        instances: plan.instances.slice(0, 1).map((i) => ({ ...i, provider: 'Nowhere' })),
      });
      assert.equal(bad.ok, false);
      assert.match(bad.message, /Nowhere has no switch port/);
      await np.remove(plan.applicationId);
      assert.equal(sw.tables?.entryCount(), 0);
    });
  });

  it('tells the operator when a zone stops being programmed (its switch went away)', async () => {
    await withLiveStack({ resyncIntervalMs: 0 }, async ({ sw, sidecar, np }) => {
      const { heard, plan } = await programListening(np);
      await np.resync();
      assert.deepEqual(heard, [], 'nothing changed: nothing to tell');
      sw.stop();
      await until(() => !sidecar.connections[0]?.connected);
      await np.resync();
      assert.deepEqual(heard, [[plan.applicationId.toLowerCase()]], 'the zone whose entries are no longer assured');
      await np.resync();
      assert.equal(heard.length, 1, 'said once, not on every check');
    });
  });

  it('tells the operator once when the sidecar stops answering, and once when it is back', async () => {
    // A stand-in client: an in-process gRPC server keeps serving an open
    // connection after forceShutdown, so "the sidecar is gone" is staged here.
    let up = true;
    const unavailable = Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED'), {
      code: grpc.status.UNAVAILABLE,
      details: 'connect ECONNREFUSED',
      metadata: new grpc.Metadata(),
    });
    const fake = {
      setZoneEntries: async (zone: string) => ({ zone, programmed: true, reason: 'Programmed', message: '' }),
      getZoneStatus: async () => {
        if (!up) throw unavailable;
        return { zones: [{ zone: PAPER_PLANS[0]?.applicationId.toLowerCase(), programmed: true }] };
      },
      close: () => undefined,
    };
    const np = sidecarNetworkProgrammer('sidecar:50051', PORTS, {
      resyncIntervalMs: 0,
      client: fake as unknown as SidecarClient,
    });
    const { heard } = await programListening(np);
    await np.resync();
    up = false;
    await assert.rejects(np.resync(), /UNAVAILABLE/);
    await assert.rejects(np.resync(), /UNAVAILABLE/);
    assert.deepEqual(heard, ['all'], 'every zone is due again, once');
    up = true;
    await np.resync();
    await np.resync();
    assert.deepEqual(heard, ['all', 'all'], 'and once more when it is back');
    np.close();
  });

  it("makes the sidecar of a new leader primary on the switch, and the old leader's a backup", async () => {
    const sw = new SoftwareSwitch({ deviceId: 1n });
    const port = await sw.start('127.0.0.1:0');
    const running: (() => void)[] = [];
    // A replica's sidecar as its flags leave it before its operator leads: term 0, its own ordinal.
    const sidecarAt = async (ordinal: bigint): Promise<{ sidecar: Sidecar; port: number }> => {
      const sidecar = new Sidecar({
        switches: [{ address: `127.0.0.1:${port}`, deviceId: '1' }],
        p4info: P4INFO,
        deviceConfig: DEVICE_CONFIG,
        election: { term: 0n, ordinal },
        log: () => {},
      });
      sidecar.start();
      const api = await serveSidecarApi(sidecar, '127.0.0.1:0');
      running.push(() => {
        api.server.forceShutdown();
        sidecar.stop();
      });
      await until(() => sidecar.connections[0]?.connected === true);
      return { sidecar, port: api.port };
    };
    const primary = (r: { sidecar: Sidecar }): boolean => r.sidecar.connections[0]?.primary === true;
    try {
      const [p1, p2] = [PAPER_PLANS[0], PAPER_PLANS[1]];
      assert.ok(p1 && p2);
      const a = await sidecarAt(7n);
      const b = await sidecarAt(9n);
      const npA = sidecarNetworkProgrammer(`127.0.0.1:${a.port}`, PORTS, { resyncIntervalMs: 0 });
      const npB = sidecarNetworkProgrammer(`127.0.0.1:${b.port}`, PORTS, { resyncIntervalMs: 0 });
      running.push(() => {
        npA.close();
        npB.close();
      });
      assert.ok(primary(b) && !primary(a), 'before anyone leads, the higher ordinal wins');
      npA.lead?.(0);
      await until(() => primary(a) && a.sidecar.connections[0]?.synced === true);
      assert.ok(primary(a) && !primary(b), 'the leader (term 0) outbids every sidecar still at term 0');
      assert.equal((await npA.program(p1)).ok, true);
      // Leadership moves (leaseTransitions 1): the new leader's sidecar takes over, the old one is refused.
      npB.lead?.(1);
      await until(() => primary(b) && b.sidecar.connections[0]?.synced === true);
      assert.ok(primary(b) && !primary(a));
      const stale = await npA.program(p2);
      assert.equal(stale.ok, false);
      assert.equal(stale.reason, 'NotPrimary');
      assert.equal((await npB.program(p2)).ok, true, 'the new leader programs');
    } finally {
      for (const stop of running.reverse()) stop();
      sw.stop();
    }
  });

  it('tells the sidecar the leader term on every check once it leads, so a restarted sidecar outbids again', async () => {
    // A stand-in client (see above: an in-process server cannot be restarted under a live client).
    const elections: string[] = [];
    const fake = {
      setElection: async (term: bigint, ordinal: bigint) => {
        elections.push(`${term}:${ordinal}`);
      },
      getZoneStatus: async () => ({ zones: [] }),
      close: () => undefined,
    };
    const np = sidecarNetworkProgrammer('sidecar:50051', PORTS, {
      resyncIntervalMs: 0,
      client: fake as unknown as SidecarClient,
    });
    await np.resync();
    assert.deepEqual(elections, [], "not leading: the sidecar keeps its flags' election id");
    np.lead?.(4);
    await np.resync();
    await np.resync();
    assert.deepEqual(elections, ['5:0', '5:0', '5:0'], 'at once, then on every check: (leaseTransitions + 1, 0)');
    np.close();
  });

  it('declares the desired state complete once every wanted zone is settled; the sidecar then prunes what no zone owns', async () => {
    await withLiveStack({ resyncIntervalMs: 0 }, async ({ sw, sidecar, np }) => {
      const [a, b, gone] = [PAPER_PLANS[0], PAPER_PLANS[1], PAPER_PLANS[2]];
      assert.ok(a && b && gone);
      const entriesOf = (plan: typeof a): PlannedEntry[] => planP4Entries([plan], PORTS).zones[0]?.entries ?? [];
      // A zone deleted while the operator and the sidecar were both down: its entries
      // are on the switch, and the restarted sidecar no longer knows whose they are.
      await sidecar.setZoneEntries(gone.applicationId.toLowerCase(), 1, entriesOf(gone));
      sidecar.desired.remove(gone.applicationId.toLowerCase());
      const left = entriesOf(gone).length;
      let wanted: string[] | undefined = undefined; // read through lead() before it is set below
      np.lead?.(0, () => wanted);
      await np.resync();
      assert.equal(sidecar.desiredComplete(), false, 'the leader does not know its zones yet');
      wanted = [a.applicationId, b.applicationId];
      assert.equal((await np.program(a)).ok, true);
      await np.resync();
      assert.equal(sidecar.desiredComplete(), false, 'not while a wanted zone has not been programmed');
      assert.equal(sw.tables?.entryCount(), entriesOf(a).length + left);
      assert.equal((await np.program(b)).ok, true);
      await np.resync();
      assert.equal(sidecar.desiredComplete(), true);
      await until(() => sw.tables?.entryCount() === entriesOf(a).length + entriesOf(b).length);
      assert.equal(
        sw.tables?.entryCount(),
        entriesOf(a).length + entriesOf(b).length,
        "the unowned entries are pruned, the zones' stay",
      );
      assert.ok((await np.program(a)).ok, 'the zones are still programmed');
    });
  });

  it("collects switch orphans once the leader knows the hub's zones: a zone no ExecutionZone owns is removed, its VLAN reported before and its removal after", async () => {
    await withLiveStack({ resyncIntervalMs: 0 }, async ({ sw, sidecar, np }) => {
      const [kept, orphan] = [PAPER_PLANS[0], PAPER_PLANS[1]];
      assert.ok(kept && orphan);
      const id = (plan: typeof kept): string => plan.applicationId.toLowerCase();
      const entriesOf = (plan: typeof kept): number => planP4Entries([plan], PORTS).zones[0]?.entries.length ?? 0;
      // A status may spell the id in capitals: the sidecar keys the zone lower-cased all the same.
      assert.equal((await np.program({ ...kept, applicationId: kept.applicationId.toUpperCase() })).ok, true);
      assert.equal((await np.program(orphan)).ok, true);
      assert.equal(sidecar.zoneStatus(id(kept)).reason, 'Programmed');
      assert.equal(sidecar.zoneStatus(id(orphan)).vlanId, orphan.vlanId, 'the sidecar keeps the VLAN it was told');
      const hub: { live?: Set<string> } = {};
      const draining = new Map<string, number>();
      const heard: string[] = [];
      np.lead?.(0, () => undefined, {
        zones: () => (hub.live ? { live: hub.live, draining } : undefined),
        orphaned: (zone, vlan) => {
          heard.push(`orphaned ${zone} ${vlan}`);
          draining.set(zone, vlan);
        },
        removed: (zone, isOrphan) => {
          heard.push(`removed ${zone} ${isOrphan}`);
          draining.delete(zone);
        },
      });
      await np.resync();
      assert.deepEqual(heard, [], 'nothing is collected while the leader does not know its zones');
      // The hub holds only `kept`.
      hub.live = new Set([id(kept)]);
      await np.resync();
      assert.deepEqual(heard, [`orphaned ${id(orphan)} ${orphan.vlanId}`, `removed ${id(orphan)} true`]);
      assert.equal(sidecar.zoneStatus(id(orphan)).reason, 'NotFound');
      assert.equal(sw.tables?.entryCount(), entriesOf(kept), "only the live zone's entries stay on the switch");
      assert.equal((await np.program(kept)).ok, true, 'the live zone is still programmed');
      await np.resync();
      assert.equal(heard.length, 2, 'collected once');
    });
  });

  it('keeps retrying an orphan until every switch confirms it gone, and frees the VLAN of a vanished zone whose id a new zone took once the sidecar no longer holds it on that VLAN', async () => {
    const deletes: string[] = [];
    let confirm = false;
    const statuses = [
      { zone: 'gone', vlan_id: 1001 },
      { zone: 'reused', vlan_id: 1003 },
    ];
    const fake = {
      setElection: async () => undefined,
      getZoneStatus: async () => ({ zones: statuses, desired_complete: true }),
      deleteZone: async (zone: string) => {
        deletes.push(zone);
        return confirm ? { removed: true } : { removed: false, message: 'switch 1 not connected' };
      },
      close: () => undefined,
    };
    const np = sidecarNetworkProgrammer('sidecar:50051', PORTS, {
      resyncIntervalMs: 0,
      client: fake as unknown as SidecarClient,
    });
    const removed: string[] = [];
    // "reused": a vanished zone (VLAN 1002) whose application id a new, live zone took (VLAN 1003).
    const draining = new Map([['reused', 1002]]);
    np.lead?.(0, () => undefined, {
      zones: () => ({ live: new Set(['reused']), draining }),
      orphaned: () => undefined,
      removed: (zone) => {
        removed.push(zone);
        draining.delete(zone);
      },
    });
    await np.resync();
    assert.deepEqual(deletes, ['gone'], 'the live id is never deleted');
    assert.deepEqual(removed, ['reused'], 'the sidecar holds "reused" on another VLAN: its old one is free');
    statuses.shift(); // A DeleteZone that is not confirmed takes the zone out of the sidecar's list all the same.
    await np.resync();
    assert.deepEqual(deletes, ['gone', 'gone'], 'retried though no longer listed');
    confirm = true;
    await np.resync();
    assert.deepEqual(removed.slice(1), ['gone']);
    await np.resync();
    assert.deepEqual(deletes, ['gone', 'gone', 'gone'], 'not asked again once confirmed');
    np.close();
  });

  it('hands concurrent zones over together in SetZones calls, and refuses only the zone the switch cannot hold', async () => {
    await withLiveStack({ resyncIntervalMs: 0 }, async ({ sw, sidecar }) => {
      // A provider port of 600 does not fit the program's 9-bit ports: that zone's entries are refused.
      const ports = { ...PORTS, providerPorts: { ...PORTS.providerPorts, Wide: 600 } };
      const plans = Array.from({ length: 40 }, (_, i) => syntheticPlan(300 + i, i === 17 ? 'Wide' : 'Fog1', 2));
      const calls: string[] = [];
      const api = await serveSidecarApi(sidecar, '127.0.0.1:0');
      const real = new SidecarClient(`127.0.0.1:${api.port}`);
      const counting = {
        setZoneEntries: (zone: string, g: number, e: PlannedEntry[]) => {
          calls.push('one');
          return real.setZoneEntries(zone, g, e);
        },
        setZones: (zs: { zone: string; generation: number; entries: PlannedEntry[] }[]) => {
          calls.push(`many:${zs.length}`);
          return real.setZones(zs);
        },
        getZoneStatus: (z?: string) => real.getZoneStatus(z),
        deleteZone: (z: string) => real.deleteZone(z),
        close: () => real.close(),
      };
      const np = sidecarNetworkProgrammer(`127.0.0.1:${api.port}`, ports, {
        resyncIntervalMs: 0,
        client: counting as unknown as SidecarClient,
      });
      try {
        const results = await Promise.all(plans.map((p) => np.program(p)));
        const bad = results[17];
        assert.equal(bad?.ok, false);
        assert.equal(bad?.reason, 'EntriesRejected');
        assert.match(bad?.message ?? '', /600 does not fit in 9 bits/);
        assert.deepEqual(
          results.filter((r, i) => i !== 17 && !r.ok),
          [],
          'every other zone is programmed',
        );
        assert.ok(calls.length < plans.length, `fewer calls than zones: ${calls.join(' ')}`);
        assert.ok(
          calls.some((c) => c.startsWith('many:')),
          calls.join(' '),
        );
        const good = plans
          .filter((_, i) => i !== 17)
          .reduce((n, p) => n + (planP4Entries([p], ports).zones[0]?.entries.length ?? 0), 0);
        assert.equal(sw.tables?.entryCount(), good);
      } finally {
        np.close();
        api.server.forceShutdown();
      }
    });
  });
});
