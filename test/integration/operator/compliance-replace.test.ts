// spec.onViolation Replace on the real test bed. A zone's group `a` runs
// on Fog1 (Norway); its rules are edited to deny Norway, so the operator
// places it again on Fog2 (Denmark), the only other fog provider:
//   - the new pods (new names) are Ready in Fog2 before any old pod in
//     Fog1 is deleted (sampled from the members throughout the move);
//   - with Fog2 full, the zone stays Compliant=False, Replacing=False
//     NoCompliantCapacity, and moves once another zone frees Fog2;
//   - an operator SIGKILLed after the move is committed but before the new
//     pods exist (Fog2's uplink is held back, so its pods wait) carries the
//     move on after restart: no pod lost, none twice, and the network the
//     switch is programmed from (status vpn, instances) is the final one.

import assert from 'node:assert/strict';
import type { Condition, ExecutionZone, PrivacyRules, ProviderCluster } from '../../../src/core/api/types.js';
import { PROVIDER_CLUSTERS } from '../../../src/core/api/resources.js';
import { LABELS, MANAGED_SELECTOR, PODS, podReady, type MemberPod } from '../../../src/clusters/member-objects.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { apply, deleteIfExists } from '../../../tools/harness/apply.js';
import { getZone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import {
  deleteAllZones,
  ensureNamespace,
  install,
  type Installed,
  memberObjects,
  resetNamespace,
  startOperator,
} from './operator-fixture.js';

const NS = 'it-replace';
const FOG2 = 'fog2';
const DENY_NORWAY: PrivacyRules = { countries: [{ action: 'DenySpecific', value: 'NO' }] };

interface ZoneEvent extends KubeObject {
  reason?: string;
  note?: string;
  regarding?: { name?: string };
}

function fogZone(name: string, id: string, count: number, cores: number, privacy: PrivacyRules = {}): ExecutionZone {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name, namespace: NS },
    spec: {
      applicationId: id,
      privacy,
      onViolation: 'Replace',
      groups: [
        {
          name: 'a',
          environment: 'container',
          platformType: 'fog',
          resourceType: 'CPU',
          image: 'busybox',
          count,
          cores,
          memory: 128,
          storage: 256,
        },
      ],
    },
  };
}

interface PodState {
  provider: string;
  instance: string;
  ready: boolean;
  deleting: boolean;
}

describe('operator: compliance drift, spec.onViolation Replace', function () {
  this.timeout(400_000);
  let env: Installed;
  let op: OperatorProcess;
  let fog2Spec: ProviderCluster['spec'] | undefined;

  const startLeading = async (): Promise<void> => {
    op = startOperator(env, 'it-replace');
    const leading = op.waitLeading(180_000);
    await op.start();
    await leading;
  };
  const fog2 = () => env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, FOG2));
  const putFog2 = (spec: ProviderCluster['spec']) =>
    apply(env.hub, { apiVersion: 'zonekeeper.io/v1alpha1', kind: 'ProviderCluster', metadata: { name: FOG2 }, spec });

  /** Every pod of the zone in Fog1 and Fog2, read from the members, with readiness. */
  const podStates = async (id: string): Promise<PodState[]> => {
    const out: PodState[] = [];
    for (const m of env.memberRecords.filter((r) => r.name === 'Fog1' || r.name === 'Fog2')) {
      const c = env.members.get(m.name) as KubeClient;
      const pods = (await c.list<MemberPod>(resourcePath(PODS), { labelSelector: MANAGED_SELECTOR })).items;
      for (const p of pods.filter((x) => x.metadata?.labels?.[LABELS.applicationId] === id))
        out.push({
          provider: m.name,
          instance: p.metadata?.labels?.[LABELS.instance] ?? '',
          ready: podReady(p),
          deleting: p.metadata?.deletionTimestamp !== undefined,
        });
    }
    return out;
  };

  /** Live pods of a zone, by provider. */
  const pods = async (id: string): Promise<Record<string, string[]>> => {
    const out: Record<string, string[]> = {};
    for (const o of await memberObjects(env))
      if (o.applicationId === id && !o.deleting) (out[o.provider] ??= []).push(o.instance);
    for (const list of Object.values(out)) list.sort();
    return out;
  };

  const condition = (name: string, type: string, status: Condition['status'], reason: string, timeoutMs = 90_000) =>
    pollUntil(
      `${NS}/${name}: ${type}=${status}/${reason}`,
      async () => {
        const z = await getZone(env.hub, NS, name);
        const c = getCondition(z.status?.conditions, type);
        return c?.status === status && c.reason === reason && c.observedGeneration === z.metadata.generation
          ? { zone: z, condition: c }
          : undefined;
      },
      { timeoutMs, everyMs: 250 },
    );

  const events = async (name: string, reason: string): Promise<ZoneEvent[]> =>
    (await env.hub.list<ZoneEvent>(`/apis/events.k8s.io/v1/namespaces/${NS}/events`)).items.filter(
      (e) => e.regarding?.name === name && e.reason === reason,
    );

  /** The end state of a completed move of `a` from Fog1 (C1, C2) to Fog2 (C3, C4). */
  async function expectMoved(z: ExecutionZone): Promise<void> {
    const r = await condition(z.metadata.name, 'Replacing', 'False', 'Replaced');
    assert.match(r.condition.message, /^moved group a from Fog1 to Fog2 \(C1 -> C3, C2 -> C4\)/);
    await condition(z.metadata.name, 'Compliant', 'True', 'Compliant');
    await pollUntil(
      `${z.metadata.name}: the old pods gone from Fog1`,
      async () => {
        const all = await podStates(z.spec.applicationId);
        return all.every((p) => p.provider === 'Fog2') ? all : undefined;
      },
      { timeoutMs: 60_000, everyMs: 250 },
    );
    assert.deepEqual(await pods(z.spec.applicationId), { Fog2: ['C3', 'C4'] }, 'no pod lost, none twice');
    const s = (await waitZoneReady(env.hub, NS, z.metadata.name, 90_000)).status;
    assert.equal(s?.allocation?.groups['a']?.provider, 'Fog2');
    assert.deepEqual(s?.allocation?.groups['a']?.instances, ['C3', 'C4']);
    assert.equal(s?.allocation?.groups['a']?.replacing, undefined);
    assert.deepEqual(s?.allocation?.released, ['C1', 'C2']);
    assert.deepEqual(
      s?.allocation?.instances.map((i) => i.name),
      ['C3', 'C4'],
    );
    // What the switch is programmed from: Fog2 alone, with exactly the new instances.
    assert.deepEqual(Object.keys(s?.instances ?? {}), ['Fog2']);
    assert.deepEqual(Object.keys(s?.instances?.['Fog2'] ?? {}).sort(), ['C3', 'C4']);
    assert.equal(s?.providers, 'Fog2');
    assert.equal(
      JSON.stringify(s?.vpn ?? []).includes('Fog1'),
      false,
      `no VPN link to Fog1: ${JSON.stringify(s?.vpn)}`,
    );
    assert.ok((await events(z.metadata.name, 'Replaced')).length >= 1);
  }

  before(async () => {
    env = await install();
    await ensureNamespace(env.hub, NS);
    await startLeading();
    await resetNamespace(env.hub, NS);
    fog2Spec = structuredClone((await fog2()).spec);
  });

  afterEach(async () => {
    if (fog2Spec) await putFog2(fog2Spec);
    await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[operator-it] cleanup: ${String(e)}`));
  });

  after(async () => {
    await op?.kill('SIGTERM');
  });

  it('a rule edit moves the group to Fog2: the new pods are Ready before any old pod goes', async () => {
    const z = fogZone('move', '55555555-0000-4000-8000-000000000001', 2, 1);
    await apply(env.hub, z);
    await waitZoneReady(env.hub, NS, z.metadata.name, 90_000);
    assert.deepEqual(await pods(z.spec.applicationId), { Fog1: ['C1', 'C2'] });

    // Sample the members throughout the move: an old pod missing or
    // deleting while a new one is not Ready would be break before make.
    let sampling = true;
    const broken: string[] = [];
    let samples = 0;
    const sampler = (async () => {
      while (sampling) {
        const all = await podStates(z.spec.applicationId);
        samples++;
        const old = ['C1', 'C2'].filter((n) =>
          all.some((p) => p.instance === n && p.provider === 'Fog1' && !p.deleting),
        );
        const newReady = ['C3', 'C4'].filter((n) =>
          all.some((p) => p.instance === n && p.provider === 'Fog2' && p.ready),
        );
        if (old.length < 2 && newReady.length < 2)
          broken.push(`old live: ${old.join(',') || '-'}; new Ready: ${newReady.join(',') || '-'}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await apply(env.hub, { ...z, spec: { ...z.spec, privacy: DENY_NORWAY } });
    try {
      await expectMoved(z);
    } finally {
      sampling = false;
      await sampler;
    }
    assert.ok(samples > 3, `the move was sampled (${samples} samples)`);
    assert.deepEqual(broken, [], 'make before break');
    assert.equal((await events(z.metadata.name, 'ReplacementStarted')).length, 1);
  });

  it('with no compliant room: Compliant=False, Replacing=False NoCompliantCapacity; moves once Fog2 frees', async () => {
    const z = fogZone('full', '55555555-0000-4000-8000-000000000002', 2, 3);
    // 12 of Fog2's 16 cores; the filler's rules keep it off Fog1.
    const filler = fogZone('filler', '55555555-0000-4000-8000-000000000003', 2, 6, DENY_NORWAY);
    await apply(env.hub, z);
    await apply(env.hub, filler);
    await waitZoneReady(env.hub, NS, z.metadata.name, 90_000);
    await waitZoneReady(env.hub, NS, filler.metadata.name, 90_000);
    assert.deepEqual(await pods(z.spec.applicationId), { Fog1: ['C1', 'C2'] });
    assert.deepEqual(await pods(filler.spec.applicationId), { Fog2: ['C1', 'C2'] });

    await apply(env.hub, { ...z, spec: { ...z.spec, privacy: DENY_NORWAY } });
    const stuck = await condition(z.metadata.name, 'Replacing', 'False', 'NoCompliantCapacity');
    assert.match(
      stuck.condition.message,
      /^group a on Fog1 \(C1, C2\): country 242 \(NO\) .*: no compliant provider has room for 2 instance\(s\) of group a: .*Fog2: insufficient capacity/,
    );
    const c = await condition(z.metadata.name, 'Compliant', 'False', 'RuleViolated');
    assert.match(c.condition.message, /spec\.onViolation is Replace: .*no compliant provider has room/);
    assert.equal(c.zone.status?.allocation?.groups['a']?.replacing, undefined, 'nothing booked');
    assert.deepEqual(await pods(z.spec.applicationId), { Fog1: ['C1', 'C2'] }, 'nothing deleted');
    assert.ok((await events(z.metadata.name, 'NoCompliantCapacity')).length >= 1);

    // Another zone goes: its capacity frees and the waiting move goes ahead without any edit of this zone.
    await deleteIfExists(env.hub, 'ExecutionZone', filler.metadata.name, NS);
    await expectMoved(z);
  });

  it('SIGKILL after the move is committed, before its pods exist: the restarted operator finishes it, nothing lost or twice', async () => {
    const z = fogZone('killed', '55555555-0000-4000-8000-000000000004', 2, 1);
    await apply(env.hub, z);
    await waitZoneReady(env.hub, NS, z.metadata.name, 90_000);
    // Fog2 without its uplink: the operator books the move, but holds its pods back.
    const { network: _held, ...noUplink } = structuredClone(fog2Spec as ProviderCluster['spec']);
    await putFog2(noUplink);
    await apply(env.hub, { ...z, spec: { ...z.spec, privacy: DENY_NORWAY } });
    const booked = await pollUntil(
      `${z.metadata.name}: the move committed to status`,
      async () => {
        const s = (await getZone(env.hub, NS, z.metadata.name)).status;
        return s?.allocation?.groups['a']?.replacing;
      },
      { timeoutMs: 60_000, everyMs: 100 },
    );
    assert.deepEqual(booked, { provider: 'Fog2', instances: { C1: 'C3', C2: 'C4' } });
    await op.kill('SIGKILL');
    assert.deepEqual(await pods(z.spec.applicationId), { Fog1: ['C1', 'C2'] }, 'killed mid-way: only the old pods');

    await putFog2(fog2Spec as ProviderCluster['spec']);
    await startLeading();
    await expectMoved(z);
  });
});
