// Issue 18, the trust boundary: a zone that leaves the hub without its
// finalizer having run (an admin removed it, or the operator was down) must
// not leave entries on the switch that the next zone on its VLAN collides
// with. Real processes: the software switch, the sidecar and the operator
// (one VLAN only, so every new zone gets the VLAN of the one before).
// What the switch holds is read back with a P4Runtime wildcard read.

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
import { getZone, waitZoneGone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { requireState } from '../../../tools/testbed/state.js';
import {
  deleteAllZones,
  foreignZones,
  install,
  type Installed,
  leadingOperator,
  startOperator,
} from '../operator/operator-fixture.js';
import {
  asSwitchEntries,
  type NodeChild,
  operatorSidecarClient,
  readSwitch,
  startSidecar,
  startDataPlane,
  tlsDirOf,
  sortedEntries,
} from '../operator/p4-processes.js';

const NS = 'it-switch-orphans';
const VLAN = 3000;
const PORTS: SwitchPortMap = {
  trunkPort: 0,
  providerPorts: { Fog1: 1, Fog2: 2, PrivateCloud2: 4, PublicCloud1: 5, PublicCloud2: 6, PublicCloud3: 7 },
  routerAddresses: ['fd00::1'],
};
const ZONES = {
  a: 'a1b2c3d4-0018-4000-8000-00000000000a',
  b: 'a1b2c3d4-0018-4000-8000-00000000000b',
  c: 'a1b2c3d4-0018-4000-8000-00000000000c',
  d: 'a1b2c3d4-0018-4000-8000-00000000000d',
};

/** One small container group on Fog1 (country 242). */
function fogZone(id: string): ExecutionZone {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name: id, namespace: NS },
    spec: {
      applicationId: id,
      privacy: { countries: [{ action: 'AllowSpecific', value: 242 }, { action: 'DenyAll' }] },
      groups: [
        {
          name: 'g',
          environment: 'container',
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

const cond = (z: ExecutionZone, type: string): Condition | undefined => getCondition(z.status?.conditions, type);

/** The switch entries the core plans for a zone, from the allocation its status holds. */
function plannedFor(z: ExecutionZone): [string, string][] {
  const a = z.status?.allocation ? loadAllocation(z.status.allocation).allocation : undefined;
  assert.ok(a && a.vlanId !== undefined && z.status?.marking && z.status.networkId !== undefined);
  const plan = planP4Entries(
    [buildNetworkPlan(a, { marking: markingFromDscp(parseInt(z.status.marking, 2)) }, z.status.networkId)],
    PORTS,
  );
  assert.deepEqual(plan.problems, []);
  return sortedEntries(asSwitchEntries(plan.zones.flatMap((x) => x.entries)));
}

describe('security: switch entries of zones that left without their finalizer', function () {
  this.timeout(400_000);
  let env: Installed;
  let op: OperatorProcess | undefined;
  let sw: NodeChild | undefined;
  let sidecar: NodeChild | undefined;
  let switchAddress = '';
  let sidecarAddress = '';
  const logDir = (): string => join(requireState().dir, 'logs');
  const portsFile = (): string => join(requireState().dir, 'it-switch-orphans-ports.json');
  const operatorOptions = () => ({
    sidecar: sidecarAddress,
    sidecarTlsDir: tlsDirOf('operator'),
    switchPorts: portsFile(),
    extraEnv: { ZONEKEEPER_VLAN_RANGE: `${VLAN}-${VLAN}` },
  });

  /** The zone is Ready on the one VLAN, and the switch holds exactly its entries and the sidecar only it. */
  const onlyZoneOnSwitch = async (id: string, what: string): Promise<void> => {
    const z = await waitZoneReady(env.hub, NS, id, 120_000);
    assert.equal(z.status?.vlanId, VLAN, `${what}: the zone got the VLAN`);
    assert.equal(cond(z, 'NetworkReady')?.reason, 'Programmed', cond(z, 'NetworkReady')?.message);
    const want = JSON.stringify(plannedFor(z));
    await pollUntil(
      `${what}: the switch holds exactly the zone's entries`,
      async () => (JSON.stringify(sortedEntries(await readSwitch(switchAddress))) === want ? true : undefined),
      { timeoutMs: 30_000, everyMs: 250 },
    );
    const client = operatorSidecarClient(sidecarAddress);
    try {
      const held = (await client.getZoneStatus()).zones ?? [];
      assert.deepEqual(
        held.map((s) => [s.zone, s.vlan_id, s.programmed]),
        [[id, VLAN, true]],
        `${what}: the sidecar holds only that zone`,
      );
    } finally {
      client.close();
    }
  };

  /** As cluster admin: the finalizer goes (the finalizer guard lets admins), and with it the deleting object. */
  const stripFinalizer = async (id: string): Promise<void> => {
    await env.hub.mergePatch(`/apis/zonekeeper.io/v1alpha1/namespaces/${NS}/executionzones/${id}`, {
      metadata: { finalizers: null },
    });
  };

  before(async () => {
    env = await install();
    const foreign = await foreignZones(env.hub, [NS]);
    assert.deepEqual(
      foreign.map((z) => `${z.metadata.namespace}/${z.metadata.name}`),
      [],
      'zones of other namespaces would take the one VLAN',
    );
    ({ sw, switchAddress, sidecar, sidecarAddress } = await startDataPlane(logDir()));
    writeFileSync(portsFile(), JSON.stringify(PORTS));
    op = await leadingOperator(env, 'it-switch-orphans', [NS], operatorOptions());
  });

  after(async () => {
    if (sidecar && !sidecar.running && switchAddress)
      sidecar = (await startSidecar(logDir(), switchAddress, sidecarAddress).catch(() => undefined))?.proc;
    if (env && op?.running)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[orphans-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
    await sidecar?.kill('SIGTERM');
    await sw?.kill('SIGTERM');
  });

  it('removes the entries of a Ready zone whose finalizer an admin removed, and programs the next zone on its VLAN', async () => {
    await apply(env.hub, fogZone(ZONES.a));
    await onlyZoneOnSwitch(ZONES.a, 'zone a');
    // Paused, the operator cannot put its finalizer back between the admin's two requests.
    const pid = op?.pid;
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGSTOP');
    try {
      await stripFinalizer(ZONES.a);
      await deleteIfExists(env.hub, 'ExecutionZone', ZONES.a, NS);
      await waitZoneGone(env.hub, NS, ZONES.a, 10_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await apply(env.hub, fogZone(ZONES.b));
    // Without the collector, b would get the VLAN and be refused: "the key is already owned by zone a".
    await onlyZoneOnSwitch(ZONES.b, 'zone b after a vanished');
  });

  it('holds the VLAN of a zone deleted while the sidecar is down until the restarted sidecar removed its entries, though an admin removed its finalizer meanwhile', async () => {
    await sidecar?.kill('SIGKILL');
    await deleteIfExists(env.hub, 'ExecutionZone', ZONES.b, NS);
    await new Promise((r) => setTimeout(r, 6000));
    const held = await getZone(env.hub, NS, ZONES.b);
    assert.ok(held.metadata.finalizers?.includes(FINALIZER), 'the finalizer stays while the switch may hold b');
    await apply(env.hub, fogZone(ZONES.c));
    await pollUntil(
      'zone c waits for the VLAN b holds',
      async () => (cond(await getZone(env.hub, NS, ZONES.c), 'Placed')?.reason === 'NoFreeVlan' ? true : undefined),
      { timeoutMs: 30_000, everyMs: 250 },
    );
    await stripFinalizer(ZONES.b);
    await waitZoneGone(env.hub, NS, ZONES.b, 10_000);
    const waiting = await pollUntil(
      'zone c says the VLAN is draining',
      async () => {
        const z = await getZone(env.hub, NS, ZONES.c);
        return /1 still draining/.test(cond(z, 'Placed')?.message ?? '') ? z : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
    assert.equal(cond(waiting, 'Placed')?.reason, 'NoFreeVlan');
    assert.equal(waiting.status?.vlanId, undefined);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await getZone(env.hub, NS, ZONES.c)).status?.vlanId, undefined, 'not while the sidecar is down');
    assert.ok((await readSwitch(switchAddress)).size > 0, "b's entries are still on the switch");
    sidecar = (await startSidecar(logDir(), switchAddress, sidecarAddress)).proc;
    await onlyZoneOnSwitch(ZONES.c, 'zone c once b is removed');
  });

  it('collects, on an operator restart, a zone the sidecar still holds that vanished while the operator was down', async () => {
    await op?.kill('SIGKILL');
    await stripFinalizer(ZONES.c);
    await deleteIfExists(env.hub, 'ExecutionZone', ZONES.c, NS);
    await waitZoneGone(env.hub, NS, ZONES.c, 10_000);
    await apply(env.hub, fogZone(ZONES.d));
    // The same identity: it renews its own lease at once.
    op = startOperator(env, 'it-switch-orphans', operatorOptions());
    const leading = op.waitLeading();
    await op.start();
    await leading;
    await onlyZoneOnSwitch(ZONES.d, 'zone d after the restart');
  });
});
