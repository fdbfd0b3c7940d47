// The operator programming a P4 switch through the P4Runtime sidecar, all
// real processes: the software switch (src/switch), the sidecar
// (src/sidecar/main.ts) and the operator with --sidecar/--switch-ports,
// running as its ServiceAccount against the live federation. What the
// switch holds is read back with a P4Runtime wildcard read and compared
// with the core's plan (planP4Entries) for the zones' durable allocations.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Condition, ExecutionZone } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { FINALIZER } from '../../../src/core/api/resources.js';
import { markingFromDscp } from '../../../src/core/network/marking.js';
import { planP4Entries, type SwitchPortMap } from '../../../src/core/network/p4-entries.js';
import { loadAllocation } from '../../../src/core/zones/allocation.js';
import { buildNetworkPlan } from '../../../src/core/zones/federation.js';
import { apply, deleteIfExists } from '../../../tools/harness/apply.js';
import { getZone, waitReleaseDone, waitZoneGone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { paperScenario } from '../../../tools/harness/paper-scenario.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { requireState } from '../../../tools/testbed/state.js';
import {
  deleteAllZones,
  foreignZones,
  install,
  type Installed,
  leadingOperator,
  startOperator,
} from './operator-fixture.js';
import {
  asSwitchEntries,
  type NodeChild,
  operatorSidecarClient,
  readSwitch,
  startSidecar,
  startDataPlane,
  tlsDirOf,
  sortedEntries,
} from './p4-processes.js';

const NS = 'it-sidecar';

// PrivateCloud1 has no port and PublicCloud4's does not fit the program's
// 9-bit port fields: the two ways a port map can be wrong for a zone.
const PORTS: SwitchPortMap = {
  trunkPort: 0,
  providerPorts: {
    Fog1: 1,
    Fog2: 2,
    PrivateCloud2: 4,
    PublicCloud1: 5,
    PublicCloud2: 6,
    PublicCloud3: 7,
    PublicCloud4: 600,
  },
  routerAddresses: ['fd00::1'],
};

const PAPER = {
  z755: '755b94a1-2847-4bb8-b530-cfca97404f51', // Fog1
  z9ed: '9ed1d0da-14f0-4549-87de-6f447df0eb38', // PrivateCloud2
  z505: '5050f3c2-7a1e-4d9b-9c4e-8b1f2a6522ca', // PublicCloud2
  z830: '830428e1-5b6c-4f2a-a3d7-1c9e0b72aaed', // PublicCloud1
  zf88: 'f885e6b4-3d2a-4c81-b7f9-0e5a6d189c29', // PrivateCloud2
};
const LATE = 'a1b2c3d4-0000-4000-8000-000000000001';
const NO_PORT = 'a1b2c3d4-0000-4000-8000-000000000002';
const WIDE_PORT = 'a1b2c3d4-0000-4000-8000-000000000003';

/** One small group pinned to a country's providers of an environment. */
function pinnedZone(id: string, country: number, environment: 'container' | 'VM'): ExecutionZone {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name: id, namespace: NS },
    spec: {
      applicationId: id,
      privacy: { countries: [{ action: 'AllowSpecific', value: country }, { action: 'DenyAll' }] },
      groups: [
        {
          name: 'g',
          environment,
          platformType: 'cloud+fog',
          resourceType: 'CPU',
          count: 1,
          cores: 1,
          memory: 256,
          storage: 256,
          image: 'busybox',
        },
      ],
    },
  };
}

function cond(z: ExecutionZone, type: string): Condition | undefined {
  return getCondition(z.status?.conditions, type);
}

/** The switch entries the core plans for these zones, from the allocations their statuses hold. */
async function plannedFor(hub: Installed['hub'], names: readonly string[]): Promise<Map<string, string>> {
  const plans = [];
  for (const name of names) {
    const z = await getZone(hub, NS, name);
    const a = z.status?.allocation ? loadAllocation(z.status.allocation).allocation : undefined;
    assert.ok(
      a && a.vlanId !== undefined && z.status?.marking && z.status.networkId !== undefined,
      `${name} has a durable allocation with a VLAN`,
    );
    plans.push(buildNetworkPlan(a, { marking: markingFromDscp(parseInt(z.status.marking, 2)) }, z.status.networkId));
  }
  const plan = planP4Entries(plans, PORTS);
  assert.deepEqual(plan.problems, [], 'the core plans these zones without problems');
  return asSwitchEntries(plan.zones.flatMap((z) => z.entries));
}

describe('operator: the P4 switch programmed through the sidecar, live', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess | undefined;
  let sw: NodeChild | undefined;
  let sidecar: NodeChild | undefined;
  let switchAddress = '';
  let sidecarAddress = '';
  const logDir = (): string => join(requireState().dir, 'logs');
  const restartSidecar = async (): Promise<void> => {
    sidecar = (await startSidecar(logDir(), switchAddress, sidecarAddress)).proc;
  };
  const expectSwitch = async (zones: readonly string[], what: string): Promise<void> => {
    const want = sortedEntries(await plannedFor(env.hub, zones));
    assert.ok(want.length > 0);
    assert.deepEqual(sortedEntries(await readSwitch(switchAddress)), want, what);
  };
  const waitSwitch = async (zones: readonly string[], what: string): Promise<void> => {
    const want = JSON.stringify(sortedEntries(await plannedFor(env.hub, zones)));
    await pollUntil(
      what,
      async () => (JSON.stringify(sortedEntries(await readSwitch(switchAddress))) === want ? true : undefined),
      { timeoutMs: 60_000, everyMs: 250 },
    );
  };

  before(async () => {
    env = await install();
    const foreign = await foreignZones(env.hub, [NS]);
    assert.deepEqual(
      foreign.map((z) => `${z.metadata.namespace}/${z.metadata.name}`),
      [],
      'zones of other namespaces would be programmed on this switch too',
    );
    ({ sw, switchAddress, sidecar, sidecarAddress } = await startDataPlane(logDir()));
    const portsFile = join(requireState().dir, 'it-sidecar-switch-ports.json');
    writeFileSync(portsFile, JSON.stringify(PORTS));
    op = await leadingOperator(env, 'it-sidecar', [NS], {
      sidecar: sidecarAddress,
      sidecarTlsDir: tlsDirOf('operator'),
      switchPorts: portsFile,
    });
  });

  after(async () => {
    // Zone finalizers need the operator and the sidecar to confirm removal.
    if (sidecar && !sidecar.running && switchAddress)
      await restartSidecar().catch((e: unknown) => console.error(`[operator-it] sidecar restart: ${String(e)}`));
    if (env && op?.running)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[operator-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
    await sidecar?.kill('SIGTERM');
    await sw?.kill('SIGTERM');
  });

  it('programs the paper zones: NetworkReady=True, and the switch holds exactly the entries the core plans', async () => {
    const steps = paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NS).filter(
      (s) => s.kind === 'zone' && s.index < 5,
    );
    for (const step of steps) if (step.kind === 'zone') await apply(env.hub, step.zone);
    for (const id of Object.values(PAPER)) {
      const z = await waitZoneReady(env.hub, NS, id, 120_000);
      assert.equal(cond(z, 'NetworkReady')?.status, 'True');
      assert.equal(cond(z, 'NetworkReady')?.reason, 'Programmed', cond(z, 'NetworkReady')?.message);
    }
    await expectSwitch(Object.values(PAPER), 'switch entries after the paper zones');
  });

  it('holds a new zone at NetworkReady=False while the sidecar is down, and programs it once it is back', async () => {
    await sidecar?.kill('SIGKILL');
    // A zone that was Ready does not stay Ready while nobody can vouch for its entries.
    // The operator asks the sidecar every 5 s; its answer failing brings every zone back into the queue.
    const early = Object.values(PAPER)[0];
    const t0 = Date.now();
    const stale = await pollUntil(
      'a Ready paper zone reports the sidecar gone',
      async () => {
        const z = await getZone(env.hub, NS, early);
        return cond(z, 'NetworkReady')?.reason === 'SidecarUnavailable' ? z : undefined;
      },
      { timeoutMs: 12_000, everyMs: 250 },
    );
    console.error(
      `[operator-it] a Ready zone reported the sidecar gone ${((Date.now() - t0) / 1000).toFixed(1)} s after the SIGKILL`,
    );
    assert.equal(cond(stale, 'Ready')?.status, 'False');
    await apply(env.hub, pinnedZone(LATE, 242, 'container'));
    const down = await pollUntil(
      'the late zone provisioned, its network not',
      async () => {
        const z = await getZone(env.hub, NS, LATE);
        return cond(z, 'Provisioned')?.status === 'True' && cond(z, 'NetworkReady')?.status === 'False' ? z : undefined;
      },
      { timeoutMs: 60_000, everyMs: 250 },
    );
    assert.equal(cond(down, 'NetworkReady')?.reason, 'SidecarUnavailable');
    assert.match(
      cond(down, 'NetworkReady')?.message ?? '',
      new RegExp(`sidecar ${sidecarAddress.replace(/\./g, '\\.')} not reachable \\(UNAVAILABLE`),
    );
    assert.equal(cond(down, 'Ready')?.status, 'False');
    assert.equal(cond(down, 'Ready')?.reason, 'SidecarUnavailable');
    await restartSidecar();
    const up = await waitZoneReady(env.hub, NS, LATE, 60_000);
    assert.equal(cond(up, 'NetworkReady')?.reason, 'Programmed');
    assert.equal(up.status?.providers, 'Fog1');
    assert.equal(
      cond(await waitZoneReady(env.hub, NS, early, 60_000), 'NetworkReady')?.reason,
      'Programmed',
      'and the early zone is Ready again',
    );
    // The restarted sidecar started empty; the operator gave it back the zones it had.
    const client = operatorSidecarClient(sidecarAddress);
    try {
      const known = await pollUntil(
        'the sidecar knows every zone again',
        async () => {
          const zs = (await client.getZoneStatus()).zones ?? [];
          return zs.length === 6 && zs.every((z) => z.programmed) ? zs : undefined;
        },
        { timeoutMs: 30_000, everyMs: 250 },
      );
      assert.deepEqual(known.map((z) => z.zone).sort(), [...Object.values(PAPER), LATE].sort());
    } finally {
      client.close();
    }
    await expectSwitch([...Object.values(PAPER), LATE], 'switch entries after the sidecar restart');
  });

  it('names a provider without a switch port, and a port the switch cannot hold, in NetworkReady=False', async () => {
    await apply(env.hub, pinnedZone(NO_PORT, 242, 'VM'));
    await apply(env.hub, pinnedZone(WIDE_PORT, 262, 'VM'));
    const noPort = await pollUntil('NetworkReady of the zone on PrivateCloud1', async () => {
      const z = await getZone(env.hub, NS, NO_PORT);
      return cond(z, 'NetworkReady')?.reason === 'PlanProblem' ? z : undefined;
    });
    assert.equal(noPort.status?.providers, 'PrivateCloud1');
    assert.equal(cond(noPort, 'NetworkReady')?.status, 'False');
    assert.match(cond(noPort, 'NetworkReady')?.message ?? '', /provider PrivateCloud1 has no switch port/);
    const wide = await pollUntil('NetworkReady of the zone on PublicCloud4', async () => {
      const z = await getZone(env.hub, NS, WIDE_PORT);
      return cond(z, 'NetworkReady')?.reason === 'EntriesRejected' ? z : undefined;
    });
    assert.equal(wide.status?.providers, 'PublicCloud4');
    assert.equal(cond(wide, 'NetworkReady')?.status, 'False');
    assert.match(
      cond(wide, 'NetworkReady')?.message ?? '',
      /INVALID_ARGUMENT: desired state rejected, nothing written: .*600 does not fit in 9 bits/,
    );
    // Instances running does not make them Ready: traffic would be dropped.
    for (const id of [NO_PORT, WIDE_PORT]) {
      const z = await pollUntil(`${id} provisioned`, async () => {
        const x = await getZone(env.hub, NS, id);
        return cond(x, 'Provisioned')?.status === 'True' ? x : undefined;
      });
      assert.equal(cond(z, 'Ready')?.status, 'False', `${id}: ${cond(z, 'Ready')?.message}`);
    }
    await expectSwitch([...Object.values(PAPER), LATE], 'nothing of the two zones is on the switch');
    for (const id of [NO_PORT, WIDE_PORT]) await deleteIfExists(env.hub, 'ExecutionZone', id, NS);
    for (const id of [NO_PORT, WIDE_PORT]) await waitZoneGone(env.hub, NS, id, 120_000);
  });

  it("keeps the finalizer while the sidecar cannot confirm removal, then removes only that zone's entries", async () => {
    await sidecar?.kill('SIGKILL');
    await deleteIfExists(env.hub, 'ExecutionZone', PAPER.z830, NS);
    // Several cleanup retries (every second) go by without the sidecar.
    await new Promise((r) => setTimeout(r, 6000));
    const held = await getZone(env.hub, NS, PAPER.z830);
    assert.ok(held.metadata.deletionTimestamp, 'deletion has started');
    assert.ok(
      held.metadata.finalizers?.includes(FINALIZER),
      'the finalizer stays while the switch may still hold the zone',
    );
    await expectSwitch([...Object.values(PAPER), LATE], 'the switch still holds every zone');
    await restartSidecar();
    await waitZoneGone(env.hub, NS, PAPER.z830, 60_000);
    await expectSwitch(
      [PAPER.z755, PAPER.z9ed, PAPER.z505, PAPER.zf88, LATE],
      "only the deleted zone's entries are gone",
    );
  });

  it('prunes the entries of a zone deleted while the operator and the sidecar were both down, once the others are programmed again', async () => {
    await op?.kill('SIGKILL');
    await sidecar?.kill('SIGKILL');
    // The finalizer holds the zone until an operator removes it; the restarted
    // sidecar will not know its entries, so removal cannot name them.
    await deleteIfExists(env.hub, 'ExecutionZone', PAPER.zf88, NS);
    await restartSidecar();
    // The same identity: it renews its own lease at once.
    op = startOperator(env, 'it-sidecar', {
      sidecar: sidecarAddress,
      sidecarTlsDir: tlsDirOf('operator'),
      switchPorts: join(requireState().dir, 'it-sidecar-switch-ports.json'),
    });
    const leading = op.waitLeading();
    await op.start();
    await leading;
    await waitZoneGone(env.hub, NS, PAPER.zf88, 60_000);
    const rest = [PAPER.z755, PAPER.z9ed, PAPER.z505, LATE];
    await waitSwitch(rest, "the deleted zone's entries pruned after SetDesiredComplete, every other zone's back");
    const client = operatorSidecarClient(sidecarAddress);
    try {
      assert.equal((await client.getZoneStatus()).desired_complete, true);
    } finally {
      client.close();
    }
    for (const id of rest)
      assert.equal(cond(await waitZoneReady(env.hub, NS, id, 60_000), 'NetworkReady')?.reason, 'Programmed');
  });

  it('removes the entries of a zone released whole by a ZoneRelease, and of a deleted zone, leaving the others', async () => {
    const before = await plannedFor(env.hub, [PAPER.z505]);
    await apply(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name: 'release-5050', namespace: NS },
      spec: { zoneRef: { name: PAPER.z505 }, trigger: { immediate: true } },
    });
    const r = await waitReleaseDone(env.hub, NS, 'release-5050');
    assert.equal(r.status?.phase, 'Succeeded');
    await waitSwitch([PAPER.z755, PAPER.z9ed, LATE], "the released zone's entries gone, the others intact");
    const onSwitch = await readSwitch(switchAddress);
    assert.deepEqual(
      [...before.keys()].filter((k) => onSwitch.has(k)),
      [],
    );
    const released = await getZone(env.hub, NS, PAPER.z505);
    assert.equal(cond(released, 'NetworkReady')?.reason, 'Released');
    await deleteIfExists(env.hub, 'ExecutionZone', PAPER.z9ed, NS);
    await waitZoneGone(env.hub, NS, PAPER.z9ed, 60_000);
    await expectSwitch([PAPER.z755, LATE], "the deleted zone's entries gone, the others intact");
  });
});
