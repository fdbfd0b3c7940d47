// What every operator integration test needs: zonekeeper installed on the
// running test bed (CRDs, deploy/ RBAC, member tokens, the catalogue), a
// hub client, operator processes that run as the zonekeeper-operator
// ServiceAccount, and readers for what the members actually hold.

import { join } from 'node:path';
import type { ExecutionZone } from '../../../src/core/api/types.js';
import { LABELS, MANAGED_SELECTOR, PODS, VIRTUAL_MACHINES } from '../../../src/clusters/member-objects.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { apply, deleteIfExists } from '../../../tools/harness/apply.js';
import { listZones } from '../../../tools/harness/hub-reads.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { OperatorProcess, type OperatorProcessOptions } from '../../../tools/harness/operator-process.js';
import { adminClient, installOnTestbed } from '../../../tools/harness/testbed-setup.js';
import { memberClusters, requireState, type ClusterRecord } from '../../../tools/testbed/state.js';
import { EXECUTION_ZONES } from '../../../src/core/api/resources.js';

export interface Installed {
  hub: KubeClient;
  operatorKubeconfig: string;
  members: Map<string, KubeClient>;
  memberRecords: ClusterRecord[];
}

let installed: Promise<Installed> | undefined;

/** Installs once per mocha run (every file calls it in its before hook). */
export function install(): Promise<Installed> {
  installed ??= (async () => {
    const state = requireState();
    const r = await installOnTestbed(state, { log: (m) => console.error(`[operator-it] ${m}`) });
    const members = new Map<string, KubeClient>();
    for (const m of memberClusters(state)) members.set(m.name, await adminClient(m));
    return { ...r, members, memberRecords: memberClusters(state) };
  })();
  return installed;
}

export function startOperator(
  env: Installed,
  identity: string,
  o: Partial<OperatorProcessOptions> = {},
): OperatorProcess {
  const state = requireState();
  return new OperatorProcess({
    kubeconfig: env.operatorKubeconfig,
    identity,
    logFile: join(state.dir, 'logs', `operator-${identity}.log`),
    ...o,
  });
}

/**
 * An operator that holds the lease, over `namespaces` that exist and hold no
 * zone of an earlier run (resetNamespace). A start that fails kills the
 * process, so no after hook has to.
 */
export async function leadingOperator(
  env: Installed,
  identity: string,
  namespaces: readonly string[],
  o: Partial<OperatorProcessOptions> = {},
): Promise<OperatorProcess> {
  for (const ns of namespaces) await ensureNamespace(env.hub, ns);
  const op = startOperator(env, identity, o);
  try {
    const leading = op.waitLeading();
    await op.start();
    await leading;
    for (const ns of namespaces) await resetNamespace(env.hub, ns);
    return op;
  } catch (e) {
    await op.kill('SIGTERM').catch(() => undefined);
    throw e;
  }
}

export async function ensureNamespace(hub: KubeClient, name: string): Promise<void> {
  await apply(hub, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export interface MemberObject {
  provider: string;
  applicationId: string;
  instance: string;
  name: string;
  namespace: string;
  vm: boolean;
  deleting: boolean;
}

/** Every pod and VM zonekeeper made, read from the members themselves. */
export async function memberObjects(env: Installed): Promise<MemberObject[]> {
  const out: MemberObject[] = [];
  for (const m of env.memberRecords) {
    const c = env.members.get(m.name) as KubeClient;
    const lists: [KubeObject[], boolean][] = [
      [(await c.list<KubeObject>(resourcePath(PODS), { labelSelector: MANAGED_SELECTOR })).items, false],
    ];
    if (m.provider?.environment === 'VM')
      lists.push([
        (await c.list<KubeObject>(resourcePath(VIRTUAL_MACHINES), { labelSelector: MANAGED_SELECTOR })).items,
        true,
      ]);
    for (const [items, vm] of lists) {
      for (const o of items) {
        out.push({
          provider: m.name,
          applicationId: o.metadata?.labels?.[LABELS.applicationId] ?? '',
          instance: o.metadata?.labels?.[LABELS.instance] ?? '',
          name: o.metadata?.name ?? '',
          namespace: o.metadata?.namespace ?? '',
          vm,
          deleting: o.metadata?.deletionTimestamp !== undefined,
        });
      }
    }
  }
  return out;
}

/** Deletes every zone of the namespace and waits until they (and their finalizers) are gone. */
export async function deleteAllZones(hub: KubeClient, namespace: string, timeoutMs = 120_000): Promise<void> {
  for (const z of await listZones(hub, namespace))
    await deleteIfExists(hub, 'ExecutionZone', z.metadata.name, namespace);
  await pollUntil(
    `every ExecutionZone in ${namespace} gone`,
    async () => ((await listZones(hub, namespace)).length === 0 ? true : undefined),
    { timeoutMs: timeoutMs, everyMs: 250 },
  );
}

/** Leftovers of an earlier run (needs a running operator for the zones' finalizers). */
export async function resetNamespace(hub: KubeClient, namespace: string): Promise<void> {
  await deleteAllZones(hub, namespace);
  const rels = await hub.list<KubeObject>(
    resourcePath({ group: 'zonekeeper.io', version: 'v1alpha1', plural: 'zonereleases', namespaced: true }, namespace),
  );
  for (const r of rels.items) await deleteIfExists(hub, 'ZoneRelease', r.metadata?.name ?? '', namespace);
}

/** Zones in the hub that no test of this suite made (they would take VLANs). */
export async function foreignZones(hub: KubeClient, mine: readonly string[]): Promise<ExecutionZone[]> {
  return (await hub.list<ExecutionZone>(resourcePath(EXECUTION_ZONES))).items.filter(
    (z) => !mine.includes(z.metadata.namespace ?? ''),
  );
}
