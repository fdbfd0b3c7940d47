// What one write of an ExecutionZone costs the hub's kube-apiserver, in CPU
// milliseconds per request (from /proc, not a timer), on a running test bed:
//   TESTBED_DIR=... node dist/bench/operator/hub-cost.js [--zones 150]
// The operator benchmark showed the hub API server as the largest extra
// cost of the operator over raw pod creation; this splits it by request,
// for zones whose status looks like what the operator writes (a Ready zone
// of 4 container instances with its placement explanation over 8
// providers). Phases, each over --zones fresh zones, one request at a time
// (4 in flight) so that other load shows up as little as possible:
//   create        the ExecutionZone
//   commit        the status write of the allocation commit (first status)
//   ready         the status write that makes the zone Ready (conditions change)
//   finalizer     a metadata update adding a finalizer to a zone with a full status
//   configmap     a ConfigMap create holding the allocation: what committing it
//                 to a core object instead of the zone's status would cost
// Run it, change the CRD or the status shape, run it again: the figures are
// comparable within one machine and load. `--omit placement,allocation`
// leaves those status fields out of both writes, to see what each costs.
// `--write put` sends each status write as a PUT of the whole object
// (managedFields left out, resourceVersion kept) instead of a merge patch.

import { benchZone } from '../support/bench-zone.js';
import type { ExecutionZone, ExecutionZoneStatus, PlacementExplanationEntry } from '../../src/core/api/types.js';
import { PAPER_GLOBAL_ID } from '../../src/core/network/ula.js';
import type { ZoneAllocation } from '../../src/core/zones/allocation.js';
import { EXECUTION_ZONES } from '../../src/core/api/resources.js';
import { NAMESPACES } from '../../src/clusters/member-objects.js';
import { allocationFields } from '../../src/controllers/zone-status.js';
import { setCondition } from '../../src/controllers/conditions.js';
import { mergePatchDiff } from '../../src/controllers/merge-patch.js';
import { adminClient } from '../../tools/harness/testbed-setup.js';
import { MERGE_PATCH, resourcePath, type ResourceRef } from '../../src/runtime/kube-client.js';
import { readState } from '../../tools/testbed/state.js';
import { numberArg, textArg } from '../support/args.js';
import { cpuSince, sampleCpu, testbedProcesses } from './cpu-account.js';
import { pool } from './pool.js';

const ZONES = numberArg('zones', 150);
// `--validation Ignore` sends fieldValidation=Ignore with every write (the server's default is Warn).
const VALIDATION = textArg('validation', '');
const WRITE = textArg('write', 'patch');
if (WRITE !== 'patch' && WRITE !== 'put') throw new Error(`--write: patch or put, not ${WRITE}`);
const OMIT = textArg('omit', '')
  .split(',')
  .filter((x) => x !== '') as (keyof ExecutionZoneStatus)[];
const NS = 'hubcost';
const CONFIG_MAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
const allocName = (id: string): string => `alloc-${id}`;
const query = VALIDATION ? { fieldValidation: VALIDATION } : undefined;
const PROVIDERS = ['Edge1', 'Edge2', 'Edge3', 'Edge4', 'Cloud1', 'Cloud2', 'Cloud3', 'Cloud4'];

function allocation(id: string, vlan: number): ZoneAllocation {
  const shape = {
    environment: 'container' as const,
    resourceType: 'CPU' as const,
    cores: 1,
    memory: 256,
    storage: 1024,
    image: 'busybox',
  };
  const names = ['C1', 'C2', 'C3', 'C4'];
  return {
    applicationId: id,
    vlanId: vlan,
    released: [],
    groups: { g1: { provider: 'Edge1', instances: names, ...shape } },
    instances: names.map((name, i) => ({
      name,
      provider: 'Edge1',
      group: 'g1',
      ...shape,
      address: `fd3f:e79f:d35c:${vlan.toString(16)}::1:${i + 1}`,
    })),
  };
}

function placement(): PlacementExplanationEntry[] {
  return PROVIDERS.map((provider, i) =>
    i === 0
      ? {
          group: 'g1',
          provider,
          verdict: 'Selected',
          reason: 'first fit in catalogue order; passes all privacy rules and has capacity',
        }
      : { group: 'g1', provider, verdict: 'Skipped', reason: 'eligible, but first-fit chose Edge1' },
  );
}

function status(id: string, vlan: number, ready: boolean): ExecutionZoneStatus {
  const now = new Date().toISOString();
  const phase = ready ? 'Running' : 'Creating';
  const s: ExecutionZoneStatus = {
    ...allocationFields(
      allocation(id, vlan),
      { bits: '000000', dscp: 0, tos: 0 },
      PAPER_GLOBAL_ID,
      () => phase,
      PROVIDERS,
    ),
    placement: placement(),
    observedGeneration: 1,
  };
  let c = setCondition(
    [],
    {
      type: 'Placed',
      status: 'True',
      reason: 'Placed',
      message: `1 group(s) on Edge1, VLAN ${vlan}`,
      observedGeneration: 1,
    },
    now,
  );
  if (ready) {
    c = setCondition(
      c,
      {
        type: 'Provisioned',
        status: 'True',
        reason: 'Provisioned',
        message: '4 instance(s) exist in the member clusters',
        observedGeneration: 1,
      },
      now,
    );
    c = setCondition(
      c,
      {
        type: 'NetworkReady',
        status: 'True',
        reason: 'PlanOnly',
        message: `VLAN ${vlan}, plan only`,
        observedGeneration: 1,
      },
      now,
    );
    c = setCondition(
      c,
      {
        type: 'Degraded',
        status: 'False',
        reason: 'AsExpected',
        message: 'every member cluster of the zone answers',
        observedGeneration: 1,
      },
      now,
    );
    c = setCondition(
      c,
      { type: 'Ready', status: 'True', reason: 'Ready', message: '4 instance(s) ready', observedGeneration: 1 },
      now,
    );
  }
  s.conditions = c;
  for (const k of OMIT) delete s[k];
  return s;
}

async function main(): Promise<void> {
  const state = readState();
  if (!state) throw new Error('no test bed: start one (node dist/tools/testbed/cli.js up) with the same TESTBED_DIR');
  const hubRecord = state.clusters.find((c) => c.role === 'hub');
  if (!hubRecord) throw new Error('the test bed has no hub');
  const hub = await adminClient(hubRecord);
  const apiserver = testbedProcesses(state).filter((p) => p.group === 'apiserver (hub)');
  await hub
    .create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })
    .catch(() => undefined);
  const salt = Date.now() % 1_000_000;
  const ids = Array.from(
    { length: ZONES },
    (_, i) => `dddddddd-0000-4000-8000-${(salt * 1000 + i).toString(16).padStart(12, '0')}`,
  );
  const path = (id: string, sub?: string) => resourcePath(EXECUTION_ZONES, NS, id, sub);
  const zones = new Map<string, ExecutionZone>();
  const phase = async (name: string, fn: (id: string, i: number) => Promise<void>): Promise<void> => {
    const before = sampleCpu(apiserver);
    await pool(
      ids.map((id, i) => [id, i] as const),
      4,
      async ([id, i]) => {
        await fn(id, i);
      },
    );
    const cpu = cpuSince(before, sampleCpu(apiserver))['apiserver (hub)'] ?? 0;
    process.stdout.write(
      `${name.padEnd(10)} ${((cpu * 1000) / ZONES).toFixed(1)} ms hub CPU per request (${ZONES} requests)\n`,
    );
  };
  await phase('create', async (id) => {
    const z = benchZone(id, NS, 4);
    zones.set(id, await hub.create(resourcePath(EXECUTION_ZONES, NS), z));
  });
  const writeStatus = async (id: string, s: ExecutionZoneStatus): Promise<void> => {
    const z = zones.get(id) as ExecutionZone;
    if (WRITE === 'put') {
      const { managedFields: _, ...metadata } = z.metadata as ExecutionZone['metadata'] & { managedFields?: unknown };
      zones.set(
        id,
        await hub.request<ExecutionZone>('PUT', path(id, 'status'), { body: { ...z, metadata, status: s }, query }),
      );
      return;
    }
    const diff = mergePatchDiff(z.status ?? {}, s);
    zones.set(
      id,
      await hub.request<ExecutionZone>('PATCH', path(id, 'status'), {
        body: { metadata: { resourceVersion: z.metadata.resourceVersion }, status: diff },
        contentType: MERGE_PATCH,
        query,
      }),
    );
  };
  await phase('commit', (id, i) => writeStatus(id, status(id, 1000 + i, false)));
  await phase('ready', (id, i) => writeStatus(id, status(id, 1000 + i, true)));
  await phase('finalizer', async (id) => {
    const z = zones.get(id) as ExecutionZone;
    zones.set(
      id,
      await hub.mergePatch(path(id), {
        metadata: {
          resourceVersion: z.metadata.resourceVersion,
          finalizers: [...(z.metadata.finalizers ?? []), 'example.com/hub-cost'],
        },
      }),
    );
  });
  await phase('configmap', async (id, i) => {
    await hub.create(resourcePath(CONFIG_MAPS, NS), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: allocName(id), namespace: NS },
      data: { allocation: JSON.stringify(status(id, 1000 + i, false).allocation) },
    });
  });
  const bytes = JSON.stringify(await hub.get(path(ids[0]))).length;
  process.stdout.write(`one Ready zone as stored, managedFields included: ${bytes} bytes of JSON\n`);
  // Clean up: drop every finalizer, then delete the namespace's zones.
  await pool(ids, 4, async (id) => {
    await hub.mergePatch(path(id), { metadata: { finalizers: null } });
    await hub.delete(path(id));
    await hub.delete(resourcePath(CONFIG_MAPS, NS, allocName(id)));
  });
  hub.close();
}

await main();
