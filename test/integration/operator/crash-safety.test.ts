// Crash safety: a churn of zones while the operator is killed with
// SIGKILL at random moments and restarted, then every invariant checked
// from the outside (hub statuses and member objects).

import assert from 'node:assert/strict';
import type { ZoneRelease } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { ZONE_RELEASES } from '../../../src/core/api/resources.js';
import { isReleased, listZones } from '../../../tools/harness/hub-reads.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { resourcePath } from '../../../src/runtime/kube-client.js';
import { requireState } from '../../../tools/testbed/state.js';
import { churn, rng } from './churn.js';
import { catalogueProviders, checkInvariants } from './invariants.js';
import {
  deleteAllZones,
  resetNamespace,
  ensureNamespace,
  install,
  type Installed,
  memberObjects,
  startOperator,
} from './operator-fixture.js';

const NS = 'it-churn';
const KILLS = Number(process.env['ZK_CRASH_KILLS'] ?? 20);
const ZONES = Number(process.env['ZK_CRASH_ZONES'] ?? 50);

describe('operator: crash safety under SIGKILL', function () {
  this.timeout(900_000);
  let env: Installed;
  let op: OperatorProcess;

  before(async () => {
    env = await install();
    await ensureNamespace(env.hub, NS);
  });

  after(async () => {
    if (!op?.running) {
      op = startOperator(env, 'it-churn');
      await op.start();
    }
    await deleteAllZones(env.hub, NS, 180_000).catch((e: unknown) =>
      console.error(`[operator-it] cleanup: ${String(e)}`),
    );
    await op.kill('SIGTERM');
  });

  it(`keeps VLANs, addresses and capacity unique and leaves no orphans through ${ZONES} zones of churn and ${KILLS} SIGKILLs`, async () => {
    // The same identity on every restart: the new process renews its own
    // lease at once instead of waiting 15 s for it to expire.
    op = startOperator(env, 'it-churn');
    await op.start();
    await resetNamespace(env.hub, NS);
    const pick = rng(42);
    let kills = 0;
    let driving = true;
    const driver = churn(env.hub, NS, {
      zones: ZONES,
      seed: 7,
      salt: 1,
      pauseMs: () => 150 + Math.floor(pick() * 300),
    }).finally(() => (driving = false));
    while (driving || kills < KILLS) {
      await new Promise((r) => setTimeout(r, 300 + Math.floor(pick() * 1500)));
      await op.kill('SIGKILL');
      kills++;
      op = startOperator(env, 'it-churn');
      await op.start();
    }
    const counts = await driver;
    console.error(`[operator-it] churn: ${JSON.stringify(counts)}, ${kills} SIGKILLs`);
    assert.ok(kills >= KILLS);
    assert.ok(counts.created >= ZONES);

    // Converge: every release final, every zone Ready or waiting with a reason.
    await pollUntil(
      'every ZoneRelease final',
      async () => {
        const rels = (await env.hub.list<ZoneRelease>(resourcePath(ZONE_RELEASES, NS))).items;
        return rels.every((r) => r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed') ? true : undefined;
      },
      { timeoutMs: 180_000, everyMs: 500 },
    );
    await pollUntil(
      'every zone settled',
      async () => {
        const zones = await listZones(env.hub, NS);
        const settled = zones.every(
          (z) =>
            z.metadata.deletionTimestamp === undefined &&
            z.status?.observedGeneration === z.metadata.generation &&
            (isReleased(z) ||
              getCondition(z.status?.conditions, 'Ready')?.status === 'True' ||
              getCondition(z.status?.conditions, 'Placed')?.reason === 'NoMatchingProvider'),
        );
        return settled ? true : undefined;
      },
      { timeoutMs: 180_000, everyMs: 500 },
    );
    const providers = catalogueProviders(requireState().catalogue);
    let problems: string[] = [];
    await pollUntil(
      'the invariants',
      async () => {
        const zones = await listZones(env.hub, NS);
        const objects = await memberObjects(env);
        problems = checkInvariants(zones, objects, providers);
        return problems.length === 0 && objects.every((o) => !o.deleting) ? true : undefined;
      },
      { timeoutMs: 120_000, everyMs: 1000 },
    ).catch(() => undefined);
    assert.deepEqual(problems, []);
    const zones = await listZones(env.hub, NS);
    const released = zones.filter(isReleased).length;
    const waiting = zones.filter(
      (z) => getCondition(z.status?.conditions, 'Placed')?.reason === 'NoMatchingProvider',
    ).length;
    console.error(
      `[operator-it] after churn: ${zones.length} zones, ${zones.filter((z) => getCondition(z.status?.conditions, 'Ready')?.status === 'True').length} Ready, ${released} released whole, ${waiting} waiting for capacity, ${(await memberObjects(env)).length} member objects`,
    );
  });
});
