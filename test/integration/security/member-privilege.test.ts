// The operator's identity in a member cluster, attacked: everything a zone
// does is allowed, and nothing else is. Each request impersonates the
// member ServiceAccount against a real member API server that holds
// deploy/member-rbac.yaml (RBAC plus the zonekeeper-member-scope
// ValidatingAdmissionPolicy).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ensureNamespace, ForeignNamespaceError } from '../../../src/clusters/member-actuator.js';
import {
  NAMESPACES,
  PODS,
  VIRTUAL_MACHINES,
  desiredNamespace,
  desiredAttachment,
  desiredPod,
  desiredVm,
  NETWORK_ATTACHMENTS,
  type ZoneIdentity,
} from '../../../src/clusters/member-objects.js';
import type { InstanceAllocation } from '../../../src/core/zones/allocation.js';
import { tokenRequestPath } from '../../../src/clusters/token-request.js';
import { hubClient } from '../../../src/runtime/hub-connection.js';
import { type KubeClient, type KubeObject, KubeError, resourcePath } from '../../../src/runtime/kube-client.js';
import { apply, deleteIfExists, readManifests } from '../../../tools/harness/apply.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { standalonePlan } from '../../../tools/harness/zone-plan.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import type { ClusterRecord } from '../../../tools/testbed/state.js';
import { containerMember, vmMember } from '../support/members.js';

const MEMBER_USER = 'system:serviceaccount:zonekeeper-system:zonekeeper-member';
const SECRETS = { group: '', version: 'v1', plural: 'secrets', namespaced: true };

/** The HTTP status a request ends with, and the API server's message. */
async function outcome(call: () => Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call();
    return { code: 200, message: '' };
  } catch (err) {
    if (err instanceof KubeError) return { code: err.code, message: err.message };
    throw err;
  }
}

const instance = (name: string, environment: 'container' | 'VM'): InstanceAllocation => ({
  name,
  provider: 'test',
  group: 'g1',
  address: 'fd00::2',
  environment,
  resourceType: 'CPU',
  cores: 1,
  memory: 64,
  storage: 64,
  image: 'busybox',
});

interface Sides {
  admin: KubeClient;
  operator: KubeClient;
}

async function sides(member: ClusterRecord): Promise<Sides> {
  const admin = await hubClient({ kubeconfig: member.kubeconfig });
  for (const obj of readManifests(join(repoRoot(), 'deploy', 'member-rbac.yaml'))) await apply(admin, obj);
  const operator = await hubClient({ kubeconfig: member.kubeconfig, as: MEMBER_USER });
  // The policy is in force once the API server has loaded it: a dry run goes
  // through admission and changes nothing.
  await pollUntil(
    `the member-scope policy in force on ${member.name}`,
    async () => {
      const r = await outcome(() =>
        operator.request('POST', resourcePath(PODS, 'default'), {
          query: { dryRun: 'All' },
          body: inNamespace(desiredPod(zone('probe'), instance('C1', 'container'), standalonePlan('probe')), 'default'),
        }),
      );
      return r.code === 403 && /namespaces zonekeeper owns/.test(r.message);
    },
    { timeoutMs: 30_000, everyMs: 250 },
  );
  return { admin, operator };
}

/** The same object, aimed at another namespace (the API server refuses a body whose namespace differs from the path's). */
const inNamespace = <T extends KubeObject>(o: T, namespace: string): T => ({
  ...o,
  metadata: { ...o.metadata, namespace },
});

const zone = (id: string): ZoneIdentity => ({ applicationId: id, namespace: 'tenant-a', name: `zone-${id}` });

describe('security: the member identity', function () {
  this.timeout(120_000);
  const cleanup: [KubeClient, string][] = [];
  after(async () => {
    for (const [admin, ns] of cleanup) await deleteIfExists(admin, 'Namespace', ns);
  });

  describe('in a container member', () => {
    let s: Sides;
    before(async () => {
      s = await sides(containerMember());
    });

    it('runs a zone: its namespace, a pod in it, and their deletion', async () => {
      const z = zone(`sec${Date.now().toString(36)}`);
      const ns = desiredNamespace(z, false);
      cleanup.push([s.admin, ns.metadata.name]);
      await s.operator.create(resourcePath(NAMESPACES), ns);
      await pollUntil('the namespace default ServiceAccount', async () => {
        const r = await outcome(() =>
          s.operator.create(
            resourcePath(PODS, ns.metadata.name),
            desiredPod(z, instance('C1', 'container'), standalonePlan('probe')),
          ),
        );
        return r.code === 200 || (r.code !== 403 ? assert.fail(r.message) : undefined);
      });
      assert.equal((await outcome(() => s.operator.delete(resourcePath(PODS, ns.metadata.name, 'c1')))).code, 200);
      assert.equal(
        (await outcome(() => s.operator.delete(resourcePath(NAMESPACES, undefined, ns.metadata.name)))).code,
        200,
      );
    });

    it('cannot create a pod in kube-system', async () => {
      const r = await outcome(() =>
        s.operator.create(
          resourcePath(PODS, 'kube-system'),
          inNamespace(desiredPod(zone('x1'), instance('C1', 'container'), standalonePlan('probe')), 'kube-system'),
        ),
      );
      assert.equal(r.code, 403, r.message);
      assert.match(r.message, /namespaces zonekeeper owns/);
    });

    it('writes a zone attachment in a zone namespace (get, list, create, update, delete), but not elsewhere, and cannot watch them', async () => {
      const z = zone(`sec${Date.now().toString(36)}n`);
      const ns = desiredNamespace(z, false);
      cleanup.push([s.admin, ns.metadata.name]);
      await s.operator.create(resourcePath(NAMESPACES), ns);
      const nad = desiredAttachment(z, standalonePlan('probe'), 'eth1');
      const path = resourcePath(NETWORK_ATTACHMENTS, ns.metadata.name, nad.metadata.name);
      assert.equal(
        (await outcome(() => s.operator.create(resourcePath(NETWORK_ATTACHMENTS, ns.metadata.name), nad))).code,
        200,
      );
      const got = await s.operator.get<KubeObject>(path);
      const moved = desiredAttachment(z, standalonePlan('probe'), 'bond0');
      const put = await outcome(() =>
        s.operator.replace(path, {
          ...moved,
          metadata: { ...moved.metadata, resourceVersion: got.metadata?.resourceVersion },
        }),
      );
      assert.equal(put.code, 200, put.message);
      assert.equal((await outcome(() => s.operator.list(resourcePath(NETWORK_ATTACHMENTS)))).code, 200);
      const watch = await outcome(() =>
        s.operator.request('GET', resourcePath(NETWORK_ATTACHMENTS), { query: { watch: 'true', timeoutSeconds: 1 } }),
      );
      assert.equal(watch.code, 403, 'no watch: nothing waits on attachments');
      assert.equal((await outcome(() => s.operator.delete(path))).code, 200);
      const elsewhere = await outcome(() =>
        s.operator.create(resourcePath(NETWORK_ATTACHMENTS, 'default'), {
          ...nad,
          metadata: { ...nad.metadata, namespace: 'default' },
        }),
      );
      assert.equal(elsewhere.code, 403, elsewhere.message);
      assert.match(elsewhere.message, /namespaces zonekeeper owns/);
    });

    it('cannot create a namespace that is not a zone namespace, nor one without a Pod Security level', async () => {
      const plain = await outcome(() =>
        s.operator.create(resourcePath(NAMESPACES), {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'attacker-ns' },
        }),
      );
      assert.equal(plain.code, 403, plain.message);
      const ns = desiredNamespace(zone('x2'), false);
      delete ns.metadata.labels?.['pod-security.kubernetes.io/enforce'];
      const unlabelled = await outcome(() => s.operator.create(resourcePath(NAMESPACES), ns));
      assert.equal(unlabelled.code, 403, unlabelled.message);
      assert.match(unlabelled.message, /Pod Security level/);
    });

    it('cannot create a privileged, host-network or unconfined pod even in a zone namespace', async () => {
      const z = zone(`sec${Date.now().toString(36)}p`);
      const ns = desiredNamespace(z, false);
      cleanup.push([s.admin, ns.metadata.name]);
      await s.operator.create(resourcePath(NAMESPACES), ns);
      const base = desiredPod(z, instance('C1', 'container'), standalonePlan('probe'));
      const spec = base.spec as NonNullable<typeof base.spec>;
      const container = spec.containers[0] as Record<string, unknown>;
      const variants: [string, KubeObject & { spec: unknown }][] = [
        [
          'privileged',
          {
            ...base,
            spec: {
              ...spec,
              containers: [{ ...container, securityContext: { privileged: true, allowPrivilegeEscalation: true } }],
            },
          },
        ],
        ['hostNetwork', { ...base, spec: { ...spec, hostNetwork: true } }],
        ['hostPath', { ...base, spec: { ...spec, volumes: [{ name: 'root', hostPath: { path: '/' } }] } }],
        [
          'no securityContext',
          { ...base, spec: { ...spec, containers: [{ ...container, securityContext: undefined }] } },
        ],
      ];
      for (const [what, pod] of variants) {
        const r = await outcome(() => s.operator.create(resourcePath(PODS, ns.metadata.name), pod));
        assert.equal(r.code, 403, `${what}: ${r.message}`);
      }
    });

    it('cannot delete a namespace zonekeeper does not own', async () => {
      const name = `victim-${Date.now().toString(36)}`;
      cleanup.push([s.admin, name]);
      await s.admin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      const r = await outcome(() => s.operator.delete(resourcePath(NAMESPACES, undefined, name)));
      assert.equal(r.code, 403, r.message);
      assert.equal((await outcome(() => s.admin.get(resourcePath(NAMESPACES, undefined, name)))).code, 200);
    });

    it("never adopts a namespace of a zone's name that zonekeeper did not make", async () => {
      const z = zone(`sec${Date.now().toString(36)}f`);
      const name = desiredNamespace(z, false).metadata.name;
      cleanup.push([s.admin, name]);
      await s.admin.create(resourcePath(NAMESPACES), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      const member = { client: s.operator, vms: false, namespaces: new Set<string>() };
      await assert.rejects(
        ensureNamespace(member, z),
        (err: Error) => err instanceof ForeignNamespaceError && /refusing to adopt/.test(err.message),
      );
      assert.equal(member.namespaces.size, 0);
      const own = zone(`sec${Date.now().toString(36)}o`);
      cleanup.push([s.admin, desiredNamespace(own, false).metadata.name]);
      await ensureNamespace(member, own);
      await ensureNamespace({ ...member, namespaces: new Set<string>() }, own);
      assert.deepEqual([...member.namespaces], [desiredNamespace(own, false).metadata.name]);
    });

    it('asks the TokenRequest API for a token of its own ServiceAccount, and of no other', async () => {
      const ask = (namespace: string, name: string) =>
        outcome(() =>
          s.operator.create(tokenRequestPath(namespace, name), {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            spec: { expirationSeconds: 600 },
          }),
        );
      const own = await ask('zonekeeper-system', 'zonekeeper-member');
      assert.equal(own.code, 200, own.message);
      for (const [namespace, name] of [
        ['kube-system', 'default'],
        ['kube-system', 'namespace-controller'],
        ['zonekeeper-system', 'default'],
        ['default', 'default'],
      ] as const) {
        const r = await ask(namespace, name);
        assert.equal(r.code, 403, `a token of ${namespace}/${name}: ${r.message}`);
      }
    });

    it('cannot read Secrets', async () => {
      assert.equal((await outcome(() => s.operator.list(resourcePath(SECRETS, 'kube-system')))).code, 403);
      assert.equal((await outcome(() => s.operator.list(resourcePath(SECRETS, 'zonekeeper-system')))).code, 403);
    });
  });

  describe('in a VM member', () => {
    let s: Sides;
    before(async () => {
      s = await sides(vmMember());
    });

    it('runs a VM zone in a namespace of its own, and cannot put a VirtualMachine anywhere else', async () => {
      const z = zone(`sec${Date.now().toString(36)}v`);
      const ns = desiredNamespace(z, true);
      cleanup.push([s.admin, ns.metadata.name]);
      await s.operator.create(resourcePath(NAMESPACES), ns);
      assert.equal(
        (
          await outcome(() =>
            s.operator.create(
              resourcePath(VIRTUAL_MACHINES, ns.metadata.name),
              desiredVm(z, instance('V1', 'VM'), standalonePlan('probe')),
            ),
          )
        ).code,
        200,
      );
      const elsewhere = await outcome(() =>
        s.operator.create(
          resourcePath(VIRTUAL_MACHINES, 'default'),
          inNamespace(desiredVm(z, instance('V2', 'VM'), standalonePlan('probe')), 'default'),
        ),
      );
      assert.equal(elsewhere.code, 403, elsewhere.message);
      assert.equal(
        (await outcome(() => s.operator.delete(resourcePath(VIRTUAL_MACHINES, ns.metadata.name, 'v1')))).code,
        200,
      );
    });
  });
});
