// spec.onViolation Replace with the P4 switch programmed through the
// sidecar, all real processes (as sidecar-network.test.ts): the switch
// holds the entries of both sets of instances while a group moves, and
// exactly those of the final placement once it has moved, also when the
// operator is SIGKILLed mid-move (after the move's commit, before its new
// pods exist: Fog2's uplink is held back) and restarted.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionZone, ProviderCluster } from '../../../src/core/api/types.js';
import { PROVIDER_CLUSTERS } from '../../../src/core/api/resources.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { markingFromDscp } from '../../../src/core/network/marking.js';
import { planP4Entries, type SwitchPortMap } from '../../../src/core/network/p4-entries.js';
import { loadAllocation } from '../../../src/core/zones/allocation.js';
import { buildNetworkPlan } from '../../../src/core/zones/federation.js';
import { resourcePath } from '../../../src/runtime/kube-client.js';
import { apply } from '../../../tools/harness/apply.js';
import { getZone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { requireState } from '../../../tools/testbed/state.js';
import {
  deleteAllZones,
  foreignZones,
  install,
  type Installed,
  leadingOperator,
  memberObjects,
  startOperator,
} from './operator-fixture.js';
import {
  asSwitchEntries,
  type NodeChild,
  readSwitch,
  startDataPlane,
  tlsDirOf,
  sortedEntries,
} from './p4-processes.js';

const NS = 'it-replace-switch';
const ID = '66666666-0000-4000-8000-000000000001';
const PORTS: SwitchPortMap = { trunkPort: 0, providerPorts: { Fog1: 1, Fog2: 2 }, routerAddresses: ['fd00::1'] };

const zone = (privacy: ExecutionZone['spec']['privacy'] = {}): ExecutionZone => ({
  apiVersion: 'zonekeeper.io/v1alpha1',
  kind: 'ExecutionZone',
  metadata: { name: 'moving', namespace: NS },
  spec: {
    applicationId: ID,
    privacy,
    onViolation: 'Replace',
    groups: [
      {
        name: 'a',
        environment: 'container',
        platformType: 'fog',
        resourceType: 'CPU',
        image: 'busybox',
        count: 2,
        cores: 1,
        memory: 128,
        storage: 256,
      },
    ],
  },
});

describe('operator: spec.onViolation Replace and the P4 switch, live', function () {
  this.timeout(400_000);
  let env: Installed;
  let op: OperatorProcess | undefined;
  let sw: NodeChild | undefined;
  let sidecar: NodeChild | undefined;
  let switchAddress = '';
  let sidecarAddress = '';
  let fog2Spec: ProviderCluster['spec'] | undefined;
  const logDir = (): string => join(requireState().dir, 'logs');
  const portsFile = (): string => join(requireState().dir, 'it-replace-switch-ports.json');
  const operatorOptions = () => ({
    sidecar: sidecarAddress,
    sidecarTlsDir: tlsDirOf('operator'),
    switchPorts: portsFile(),
  });
  const putFog2 = (spec: ProviderCluster['spec']) =>
    apply(env.hub, { apiVersion: 'zonekeeper.io/v1alpha1', kind: 'ProviderCluster', metadata: { name: 'fog2' }, spec });

  /** The entries the core plans for the zone's durable allocation as status holds it now. */
  const planned = async (): Promise<{ entries: string; instances: string[] }> => {
    const z = await getZone(env.hub, NS, 'moving');
    const a = z.status?.allocation ? loadAllocation(z.status.allocation).allocation : undefined;
    assert.ok(a && a.vlanId !== undefined && z.status?.marking && z.status.networkId !== undefined);
    const plan = planP4Entries(
      [buildNetworkPlan(a, { marking: markingFromDscp(parseInt(z.status.marking, 2)) }, z.status.networkId)],
      PORTS,
    );
    assert.deepEqual(plan.problems, []);
    return {
      entries: JSON.stringify(sortedEntries(asSwitchEntries(plan.zones.flatMap((x) => x.entries)))),
      instances: a.instances.map((i) => `${i.name}@${i.provider}`),
    };
  };
  /**
   * Waits until the zone's status plans `instances` and the switch holds
   * exactly their entries: the status may still describe the placement
   * before the edit just applied, whose entries the switch also holds.
   */
  const waitSwitch = async (what: string, instances: string[]): Promise<void> => {
    const want = JSON.stringify(instances);
    let last = '';
    await pollUntil(
      `${what} (planned ${want})`,
      async () => {
        const p = await planned();
        last = JSON.stringify(p.instances);
        return last === want && JSON.stringify(sortedEntries(await readSwitch(switchAddress))) === p.entries
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, everyMs: 250, detail: () => `the status last planned ${last}` },
    );
  };
  const pods = async (): Promise<string[]> =>
    (await memberObjects(env))
      .filter((o) => o.applicationId === ID && !o.deleting)
      .map((o) => `${o.instance}@${o.provider}`)
      .sort();

  before(async () => {
    env = await install();
    const foreign = await foreignZones(env.hub, [NS]);
    assert.deepEqual(
      foreign.map((z) => `${z.metadata.namespace}/${z.metadata.name}`),
      [],
      'zones of other namespaces would be programmed on this switch too',
    );
    fog2Spec = structuredClone(
      (await env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, 'fog2'))).spec,
    );
    ({ sw, switchAddress, sidecar, sidecarAddress } = await startDataPlane(logDir()));
    writeFileSync(portsFile(), JSON.stringify(PORTS));
    op = await leadingOperator(env, 'it-replace-switch', [NS], operatorOptions());
  });

  after(async () => {
    if (fog2Spec) await putFog2(fog2Spec).catch((e: unknown) => console.error(`[operator-it] Fog2: ${String(e)}`));
    if (env && op?.running)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[operator-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
    await sidecar?.kill('SIGTERM');
    await sw?.kill('SIGTERM');
  });

  it('holds both sets of entries mid-move, and after a SIGKILL and restart exactly those of the final placement', async () => {
    await apply(env.hub, zone());
    await waitZoneReady(env.hub, NS, 'moving', 120_000);
    await waitSwitch('the zone on Fog1 programmed', ['C1@Fog1', 'C2@Fog1']);

    // Fog2 without its uplink: the move is booked and programmed, its pods held back.
    const { network: _held, ...noUplink } = structuredClone(fog2Spec as ProviderCluster['spec']);
    await putFog2(noUplink);
    await apply(env.hub, zone({ countries: [{ action: 'DenySpecific', value: 'NO' }] }));
    await waitSwitch('both sets of instances programmed while the group moves', [
      'C1@Fog1',
      'C2@Fog1',
      'C3@Fog2',
      'C4@Fog2',
    ]);
    await op?.kill('SIGKILL');
    assert.deepEqual(await pods(), ['C1@Fog1', 'C2@Fog1'], 'killed mid-way: only the old pods');

    await putFog2(fog2Spec as ProviderCluster['spec']);
    op = startOperator(env, 'it-replace-switch', operatorOptions());
    const leading = op.waitLeading(180_000);
    await op.start();
    await leading;
    await pollUntil(
      'the move completed',
      async () => {
        const z = await getZone(env.hub, NS, 'moving');
        const c = getCondition(z.status?.conditions, 'Replacing');
        return c?.reason === 'Replaced' ? true : undefined;
      },
      { timeoutMs: 120_000, everyMs: 250 },
    );
    const z = await waitZoneReady(env.hub, NS, 'moving', 120_000);
    assert.equal(getCondition(z.status?.conditions, 'NetworkReady')?.reason, 'Programmed');
    await waitSwitch('the switch holds exactly the final placement', ['C3@Fog2', 'C4@Fog2']);
    await pollUntil(
      'the old pods deleted',
      async () => ((await pods()).every((p) => p.endsWith('@Fog2')) ? true : undefined),
      {
        timeoutMs: 60_000,
        everyMs: 250,
      },
    );
    assert.deepEqual(await pods(), ['C3@Fog2', 'C4@Fog2'], 'no pod lost, none twice');
  });
});
