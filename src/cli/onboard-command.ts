// `zonectl onboard PROVIDER --member-context NAME`: makes the member's
// least-privilege identity and the hub's kubeconfig Secret for it
// (member-onboarding.ts). The only zonectl command that writes: to the
// member (the manifest) and to the hub (one Secret in the operator's
// namespace). A zonectl command rather than a script: it needs no kubectl,
// jq or base64 on the admin's machine, it reads kubeconfigs as the other
// commands do, and the test bed onboards its members through the same code.

import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseDuration } from '../core/api/duration.js';
import { MIN_TOKEN_SECONDS } from '../clusters/token-schedule.js';
import type { MemberEndpoint } from '../clusters/member-kubeconfig.js';
import type { KubeObject } from '../runtime/kube-client.js';
import { parseArgs, UsageError } from './args.js';
import { HubError } from './cli-errors.js';

export interface OnboardOptions {
  provider: string;
  memberContext: string;
  memberKubeconfig?: string;
  /** The hub's kubeconfig and context, as the other hub commands take them. */
  kubeconfig?: string;
  context?: string;
  tokenSeconds: number;
  secret: string;
  namespace: string;
  manifest: string;
  /** The member API server's address as the operator reaches it, when not the context's. */
  server?: string;
}

export const DEFAULT_TOKEN_SECONDS = 24 * 3600;

/** deploy/member-rbac.yaml of the package zonectl runs from (dist/src/cli -> the package root). */
function defaultManifest(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'deploy', 'member-rbac.yaml');
}

/** A Kubernetes object name (RFC 1123 subdomain). */
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function parseOnboardArgs(argv: readonly string[], usage: string): OnboardOptions {
  const { flags, positional } = parseArgs(
    argv,
    {
      values: [
        'member-context',
        'member-kubeconfig',
        'kubeconfig',
        'context',
        'token-duration',
        'secret',
        'namespace',
        'manifest',
        'server',
      ],
      switches: [],
      short: { n: 'namespace' },
    },
    usage,
  );
  if (positional.length === 0)
    throw new UsageError(`onboard: name the provider (the ProviderCluster's name)\n${usage}`);
  if (positional.length > 1) throw new UsageError(`onboard: unexpected argument "${positional[1]}"\n${usage}`);
  const provider = positional[0];
  if (!NAME.test(provider))
    throw new UsageError(`onboard: provider "${provider}" is not a Kubernetes object name (lower case, digits, -)`);
  const memberContext = flags.get('member-context');
  if (memberContext === undefined) throw new UsageError(`onboard: --member-context NAME is required\n${usage}`);
  const duration = flags.get('token-duration');
  let tokenSeconds = DEFAULT_TOKEN_SECONDS;
  if (duration !== undefined) {
    const ms = parseDuration(duration);
    if (ms === undefined) throw new UsageError(`--token-duration: must be a duration like 24h, got "${duration}"`);
    tokenSeconds = Math.round(ms / 1000);
    if (tokenSeconds < MIN_TOKEN_SECONDS)
      throw new UsageError(`--token-duration: at least 10m (the TokenRequest API's minimum), got "${duration}"`);
  }
  const secret = flags.get('secret') ?? `member-${provider}-kubeconfig`;
  if (!NAME.test(secret)) throw new UsageError(`--secret: "${secret}" is not a Kubernetes object name`);
  const server = flags.get('server');
  if (server !== undefined && !/^https?:\/\/[^/]+/.test(server))
    throw new UsageError(`--server: must be a URL like https://member.example:6443, got "${server}"`);
  const o: OnboardOptions = {
    provider,
    memberContext,
    tokenSeconds,
    secret,
    namespace: flags.get('namespace') ?? 'zonekeeper-system',
    manifest: flags.get('manifest') ?? defaultManifest(),
  };
  for (const k of ['member-kubeconfig', 'kubeconfig', 'context'] as const) {
    const v = flags.get(k);
    if (v === undefined) continue;
    if (k === 'member-kubeconfig') o.memberKubeconfig = v;
    else o[k] = v;
  }
  if (server !== undefined) o.server = server;
  return o;
}

function readManifest(file: string): KubeObject[] {
  if (!existsSync(file))
    throw new HubError(`--manifest ${file}: no such file (pass the path of deploy/member-rbac.yaml)`);
  try {
    return yaml.loadAll(readFileSync(file, 'utf8')).filter((d): d is KubeObject => typeof d === 'object' && d !== null);
  } catch (e) {
    throw new HubError(`--manifest ${file}: not YAML (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`);
  }
}

/** The member's API server and CA from its context, embedded so the Secret works anywhere. */
function endpointOf(kc: KubeConfig, server: string | undefined): MemberEndpoint {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new HubError(`--member-context ${kc.getCurrentContext()}: names no cluster`);
  let caData = cluster.caData;
  if (!caData && cluster.caFile) {
    try {
      caData = readFileSync(cluster.caFile).toString('base64');
    } catch (e) {
      throw new HubError(`--member-context: cannot read its certificate-authority ${cluster.caFile} (${String(e)})`);
    }
  }
  return {
    server: server ?? cluster.server,
    ...(caData ? { caData } : {}),
    ...(cluster.tlsServerName ? { tlsServerName: cluster.tlsServerName } : {}),
    ...(cluster.skipTLSVerify ? { insecureSkipTlsVerify: true } : {}),
  };
}

export async function runOnboard(o: OnboardOptions): Promise<string> {
  const manifests = readManifest(o.manifest);
  const { loadKubeConfig } = await import('./hub.js');
  const { KubeClient } = await import('../runtime/kube-client.js');
  const { onboardMember, OnboardError } = await import('./member-onboarding.js');
  const memberKc = loadKubeConfig({
    context: o.memberContext,
    ...((o.memberKubeconfig ?? o.kubeconfig) ? { kubeconfig: o.memberKubeconfig ?? o.kubeconfig } : {}),
  });
  const hubKc = loadKubeConfig({
    ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.context ? { context: o.context } : {}),
  });
  if (memberKc.getCurrentCluster()?.server === hubKc.getCurrentCluster()?.server)
    throw new UsageError(
      `onboard: --member-context ${o.memberContext} and the hub context ${hubKc.getCurrentContext()} are the same API server; pass --context HUB`,
    );
  const member = await KubeClient.fromKubeConfig(memberKc);
  const hub = await KubeClient.fromKubeConfig(hubKc);
  try {
    const r = await onboardMember({
      provider: o.provider,
      member,
      endpoint: endpointOf(memberKc, o.server),
      hub,
      manifests,
      namespace: o.namespace,
      secretName: o.secret,
      tokenSeconds: o.tokenSeconds,
    });
    return [
      `member ${o.memberContext}: applied ${r.applied.length} objects (${r.applied.join(', ')})`,
      `member ${o.memberContext}: token of ${r.serviceAccount}, expires ${r.expires}; the operator renews it`,
      `hub ${hubKc.getCurrentContext()}: wrote kubeconfig Secret ${r.secret}`,
      `a ProviderCluster names it in spec.kubeconfigSecretRef.name; one named ${o.provider} without it uses member-${o.provider}-kubeconfig`,
      '',
    ].join('\n');
  } catch (e) {
    if (e instanceof OnboardError) throw new HubError(`onboard ${o.provider}: ${e.message}`);
    throw e;
  } finally {
    member.close();
    hub.close();
  }
}
