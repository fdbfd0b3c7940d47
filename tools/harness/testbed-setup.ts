// Puts zonekeeper onto a running test bed the way an admin installs it:
// the CRDs and the hub RBAC from crds/ and deploy/, each member onboarded
// as `zonectl onboard` does it (the member RBAC, and a kubeconfig Secret
// holding a TokenRequest token of the member's zonekeeper-member
// ServiceAccount), and the catalogue's
// ProviderClusters. The operator itself then runs as the
// zonekeeper-operator ServiceAccount (impersonated through the kubeconfig's
// `as`), so what it can do is exactly what deploy/ grants.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { hubCluster, memberClusters, type ClusterRecord, type TestbedState } from '../testbed/state.js';
import { repoRoot } from '../testbed/paths.js';
import { KubeClient, KubeError } from '../../src/runtime/kube-client.js';
import { onboardMember } from '../../src/cli/member-onboarding.js';
import { DEFAULT_TOKEN_SECONDS } from '../../src/cli/onboard-command.js';
import { apply, readManifestDir, readManifests } from './apply.js';

export const OPERATOR_NAMESPACE = 'zonekeeper-system';
export const OPERATOR_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:zonekeeper-operator`;

export type Log = (m: string) => void;

interface KubeconfigDoc {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users: { name: string; user: Record<string, string> }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
}

export async function adminClient(c: ClusterRecord): Promise<KubeClient> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  return KubeClient.fromKubeConfig(kc);
}

async function waitEstablished(hub: KubeClient, names: string[]): Promise<void> {
  const end = Date.now() + 60_000;
  for (const name of names) {
    for (;;) {
      const crd = await hub.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
      );
      if ((crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > end) throw new Error(`CRD ${name} not established in 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // Established is not yet servable: the first LISTs answer 429 "storage is
  // (re)initializing", and a create can still answer 503 "Resource kind …
  // not found" after a LIST works. A dry-run create of an empty object is
  // refused by validation (422) once the kind is served: that is the answer
  // waited for.
  for (const name of names) {
    const [plural, ...group] = name.split('.');
    const crd = await hub.get<{ spec: { names: { kind: string }; scope: string } }>(
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
    );
    const base = `/apis/${group.join('.')}/v1alpha1`;
    const collection = crd.spec.scope === 'Namespaced' ? `${base}/namespaces/default/${plural}` : `${base}/${plural}`;
    for (;;) {
      try {
        await hub.list(`${base}/${plural}`);
        await hub.request('POST', collection, {
          query: { dryRun: 'All' },
          body: {
            apiVersion: `${group.join('.')}/v1alpha1`,
            kind: crd.spec.names.kind,
            metadata: { name: 'zk-servable' },
          },
        });
        break;
      } catch (err) {
        if (err instanceof KubeError && ![404, 429, 503].includes(err.code)) break;
        if (Date.now() > end) throw new Error(`CRD ${name} not servable in 60 s: ${String(err)}`, { cause: err });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}

/** The member's identity and its kubeconfig Secret on the hub, made as `zonectl onboard` makes them. */
async function onboard(member: ClusterRecord, admin: KubeClient, hub: KubeClient): Promise<void> {
  const admKc = yaml.load(readFileSync(member.kubeconfig, 'utf8')) as KubeconfigDoc;
  const cluster = admKc.clusters[0]?.cluster;
  if (!cluster) throw new Error(`${member.kubeconfig}: no cluster`);
  await onboardMember({
    provider: member.id,
    member: admin,
    endpoint: {
      server: cluster.server,
      ...(cluster['certificate-authority-data'] ? { caData: cluster['certificate-authority-data'] } : {}),
    },
    hub,
    manifests: readManifests(join(repoRoot(), 'deploy', 'member-rbac.yaml')),
    namespace: OPERATOR_NAMESPACE,
    secretName: `member-${member.id}-kubeconfig`,
    // Each install (once per mocha run) makes fresh ones; a running operator renews them.
    tokenSeconds: DEFAULT_TOKEN_SECONDS,
  });
}

export interface InstallResult {
  hub: KubeClient;
  /** Kubeconfig for the operator: the hub admin's certificate, impersonating the operator's ServiceAccount. */
  operatorKubeconfig: string;
}

export async function installOnTestbed(
  state: TestbedState,
  opts: { catalogue?: string; log?: Log; dir?: string } = {},
): Promise<InstallResult> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const root = repoRoot();
  const hubRec = hubCluster(state);
  const hub = await adminClient(hubRec);
  const crds = readManifestDir(join(root, 'crds'));
  for (const crd of crds) await apply(hub, crd);
  await waitEstablished(
    hub,
    crds.map((c) => c.metadata?.name ?? ''),
  );
  await apply(hub, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: OPERATOR_NAMESPACE } });
  for (const obj of readManifestDir(join(root, 'deploy', 'hub'))) await apply(hub, obj);
  for (const obj of readManifestDir(join(root, 'deploy', 'regions'))) await apply(hub, obj);
  log(`hub: CRDs (${crds.length}), RBAC and regions applied`);
  await Promise.all(
    memberClusters(state).map(async (m) => {
      const admin = await adminClient(m);
      try {
        await onboard(m, admin, hub);
      } finally {
        admin.close();
      }
    }),
  );
  log(`members: onboarded, ${memberClusters(state).length} kubeconfig Secrets written with TokenRequest tokens`);
  const catalogue = opts.catalogue ?? state.catalogue;
  for (const pc of readManifests(catalogue)) if (pc.kind === 'ProviderCluster') await apply(hub, pc);
  log(`catalogue: ProviderClusters from ${catalogue} applied`);
  const admKc = yaml.load(readFileSync(hubRec.kubeconfig, 'utf8')) as KubeconfigDoc;
  admKc.users = admKc.users.map((u) => ({ ...u, user: { ...u.user, as: OPERATOR_USER } }));
  const operatorKubeconfig = join(opts.dir ?? state.dir, 'kubeconfigs', 'zonekeeper-operator.kubeconfig');
  writeFileSync(operatorKubeconfig, yaml.dump(admKc, { lineWidth: -1 }), { mode: 0o600 });
  return { hub, operatorKubeconfig };
}
