// One client per member cluster, in the shape of cluster-api's
// clustercache: built from the kubeconfig Secret the ProviderCluster
// names, health-probed on an interval with a failure threshold, rebuilt
// when the Secret's resourceVersion changes, dropped when the provider
// goes. A member that does not answer is a normal state ("not
// reachable"), reported to the reconcilers, not an exception storm.
//
// A member whose Secret holds a short-lived ServiceAccount token has it
// renewed before it expires (member-credential-renewal.ts); the renewed
// Secret is then picked up like any other change of it.
//
// Each member also runs informers on the objects zonekeeper made there
// (label app.kubernetes.io/managed-by=zonekeeper), so a pod turning Ready
// requeues its zone without polling.

import { keyOf } from '../core/api/resources.js';
import { Informer } from '../runtime/informer.js';
import { KubeClient, KubeError, isNotFound, resourcePath } from '../runtime/kube-client.js';
import { type Logger, errorText } from '../runtime/logger.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import type { CredentialRenewal, RenewalOutcome } from './member-credential-renewal.js';
import { LABELS, MANAGED_SELECTOR, type MemberPod, type MemberVm, PODS, VIRTUAL_MACHINES } from './member-objects.js';

export interface SecretRef {
  name: string;
  key?: string;
}

interface Secret {
  metadata?: { resourceVersion?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface Member {
  provider: string;
  client: KubeClient;
  vms: boolean;
  pods: Informer<MemberPod>;
  virtualMachines?: Informer<MemberVm>;
  /** Namespaces known to exist (saves a POST per reconcile). */
  namespaces: Set<string>;
  /** The zone NetworkAttachmentDefinitions known to exist, as `namespace/name` -> spec.config (saves a GET per reconcile). */
  attachments: Map<string, string>;
}

export type MemberLookup = { ok: true; member: Member } | { ok: false; reason: string };

interface Entry {
  provider: string;
  secret: SecretRef;
  secretVersion: string;
  /** The kubeconfig text the member client was built from. */
  kubeconfig?: string;
  member?: Member;
  reachable: boolean;
  failures: number;
  lastError?: string;
  /** The member answered 401 to the kubeconfig's credential: expired or revoked, not a network fault. */
  credentialExpired?: boolean;
  probing?: Promise<void>;
}

/** What the last look at a member found. */
export interface MemberSync {
  reachable: boolean;
  reason?: string;
  /** The member refuses the credential (401): it expired or was revoked. */
  credentialExpired?: boolean;
  /** A renewal of the member's token was tried in this pass. */
  renewal?: RenewalOutcome;
}

export interface MemberClusterCacheOptions {
  hub: KubeClient;
  /** The operator's namespace, where the kubeconfig Secrets are. */
  namespace: string;
  logger: Logger;
  metrics?: OperatorMetrics;
  /** Consecutive failed probes before a member counts as unreachable. */
  failureThreshold?: number;
  probeTimeoutMs?: number;
  /** A zone's key (`namespace/name`) whose member objects changed. */
  onZoneObjectChanged?: (zoneKey: string) => void;
  /** A member became reachable or unreachable. */
  onHealthChanged?: (provider: string, reachable: boolean) => void;
  /** Renews short-lived member tokens; without it none is renewed. */
  renewal?: CredentialRenewal;
}

export class MemberClusterCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: MemberClusterCacheOptions) {}

  /** What the zone reconciler asks: a member it may use now, or why not. */
  get(provider: string): MemberLookup {
    const e = this.entries.get(provider);
    if (!e) return { ok: false, reason: `no client for ${provider} yet (its ProviderCluster was not reconciled)` };
    if (!e.member) return { ok: false, reason: e.lastError ?? `${provider}: kubeconfig not loaded` };
    if (!e.reachable)
      return { ok: false, reason: `${provider} is not reachable: ${e.lastError ?? 'health probe failing'}` };
    return { ok: true, member: e.member };
  }

  isReachable(provider: string): boolean {
    return this.entries.get(provider)?.reachable ?? false;
  }

  lastError(provider: string): string | undefined {
    return this.entries.get(provider)?.lastError;
  }

  providers(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Makes sure a member client exists for the Secret and probes it once.
   * Called by the ProviderCluster reconciler on every pass, so a changed
   * Secret is picked up within one resync.
   */
  async sync(provider: string, ref: SecretRef, vms: boolean): Promise<MemberSync> {
    let e = this.entries.get(provider);
    if (!e || e.secret.name !== ref.name || (e.secret.key ?? 'kubeconfig') !== (ref.key ?? 'kubeconfig')) {
      if (e) this.dropMember(e);
      e = { provider, secret: ref, secretVersion: '', reachable: false, failures: 0 };
      this.entries.set(provider, e);
    }
    const loaded = await this.loadSecret(e, vms);
    if (!loaded) {
      this.setReachable(e, false);
      return { reachable: false, reason: e.lastError };
    }
    await this.probe(e);
    if (e.reachable) {
      const renewal = await this.renew(e);
      return renewal ? { reachable: true, renewal } : { reachable: true };
    }
    return { reachable: false, reason: e.lastError, credentialExpired: e.credentialExpired === true };
  }

  /** Only a member that answers can be asked for a token, and only with the credential it accepted. */
  private async renew(e: Entry): Promise<RenewalOutcome | undefined> {
    const renewal = this.options.renewal;
    if (!renewal || !e.member || e.kubeconfig === undefined) return undefined;
    return renewal.renewIfDue({
      provider: e.provider,
      secretName: e.secret.name,
      key: e.secret.key ?? 'kubeconfig',
      secretVersion: e.secretVersion,
      kubeconfig: e.kubeconfig,
      client: e.member.client,
    });
  }

  private async loadSecret(e: Entry, vms: boolean): Promise<boolean> {
    let secret: Secret;
    try {
      secret = await this.options.hub.get<Secret>(
        resourcePath(
          { group: '', version: 'v1', plural: 'secrets', namespaced: true },
          this.options.namespace,
          e.secret.name,
        ),
      );
    } catch (err) {
      e.lastError = isNotFound(err)
        ? `kubeconfig Secret ${this.options.namespace}/${e.secret.name} not found`
        : `cannot read kubeconfig Secret ${this.options.namespace}/${e.secret.name}: ${errorText(err)}`;
      return e.member !== undefined;
    }
    const version = secret.metadata?.resourceVersion ?? '';
    if (e.member && version === e.secretVersion) return true;
    const key = e.secret.key ?? 'kubeconfig';
    const b64 = secret.data?.[key];
    const text = b64 !== undefined ? Buffer.from(b64, 'base64').toString('utf8') : secret.stringData?.[key];
    if (!text) {
      e.lastError = `kubeconfig Secret ${this.options.namespace}/${e.secret.name} has no key "${key}"`;
      return false;
    }
    let client: KubeClient;
    try {
      client = await KubeClient.fromKubeconfigText(text);
    } catch (err) {
      e.lastError = `kubeconfig in Secret ${this.options.namespace}/${e.secret.name} is not usable: ${errorText(err)}`;
      return false;
    }
    if (e.member) {
      this.options.logger.info('member kubeconfig changed; rebuilding its client', { provider: e.provider });
      this.dropMember(e);
    }
    this.options.metrics?.observeClient(client);
    e.secretVersion = version;
    e.kubeconfig = text;
    e.member = this.buildMember(e.provider, client, vms);
    e.failures = 0;
    return true;
  }

  private buildMember(provider: string, client: KubeClient, vms: boolean): Member {
    const log = this.options.logger.child({ member: provider });
    const toZone = (o: MemberPod | MemberVm) => {
      const ns = o.metadata?.labels?.[LABELS.zoneNamespace];
      const name = o.metadata?.labels?.[LABELS.zoneName];
      if (ns && name) this.options.onZoneObjectChanged?.(keyOf({ metadata: { namespace: ns, name } }));
    };
    const handlers = { add: toZone, update: toZone, delete: toZone };
    const health = (resource: string) => (e: string) => {
      if (e !== 'connect' && e !== 'relist')
        this.options.metrics?.watchRestarts.inc({ resource: `${provider}/${resource}`, cause: e });
    };
    const pods = new Informer<MemberPod>({
      client,
      path: resourcePath(PODS),
      labelSelector: MANAGED_SELECTOR,
      logger: log,
      onHealth: health('pods'),
    }).on(handlers);
    const member: Member = { provider, client, vms, pods, namespaces: new Set(), attachments: new Map() };
    pods.start();
    if (vms) {
      member.virtualMachines = new Informer<MemberVm>({
        client,
        path: resourcePath(VIRTUAL_MACHINES),
        labelSelector: MANAGED_SELECTOR,
        logger: log,
        onHealth: health('virtualmachines'),
      }).on(handlers);
      member.virtualMachines.start();
    }
    return member;
  }

  private dropMember(e: Entry): void {
    e.member?.pods.stop();
    e.member?.virtualMachines?.stop();
    e.member?.client.close();
    e.member = undefined;
    e.secretVersion = '';
    e.kubeconfig = undefined;
  }

  private async probe(e: Entry): Promise<void> {
    if (!e.member) return;
    if (e.probing) return e.probing;
    const m = e.member;
    e.probing = (async () => {
      try {
        await m.client.request('GET', '/readyz', { timeoutMs: this.options.probeTimeoutMs ?? 3000 });
        e.failures = 0;
        e.lastError = undefined;
        e.credentialExpired = false;
        this.setReachable(e, true);
      } catch (err) {
        e.failures++;
        // A 401 is the member's answer, not a lost packet: no second probe will
        // change it, so the member counts as unreachable at once.
        e.credentialExpired = err instanceof KubeError && err.code === 401;
        e.lastError = e.credentialExpired
          ? `the member refuses the credential in kubeconfig Secret ${this.options.namespace}/${e.secret.name} (401 Unauthorized): it expired or was revoked; write a fresh one into the Secret`
          : `health probe failed: ${errorText(err)}`;
        if (e.credentialExpired || e.failures >= (this.options.failureThreshold ?? 2) || !e.reachable)
          this.setReachable(e, false);
      } finally {
        e.probing = undefined;
      }
    })();
    return e.probing;
  }

  private setReachable(e: Entry, reachable: boolean): void {
    this.options.metrics?.memberHealth.set({ provider: e.provider }, reachable ? 1 : 0);
    if (e.reachable === reachable) return;
    e.reachable = reachable;
    this.options.logger.info(reachable ? 'member cluster reachable' : 'member cluster not reachable', {
      provider: e.provider,
      error: e.lastError,
    });
    if (reachable) {
      // The informers backed off while it was down; relist now rather than in 30 s.
      e.member?.pods.resync();
      e.member?.virtualMachines?.resync();
      e.member?.namespaces.clear();
      e.member?.attachments.clear();
    }
    this.options.onHealthChanged?.(e.provider, reachable);
  }

  /** The member's informers have listed once (a zone's view of it is complete). */
  synced(provider: string): boolean {
    const m = this.entries.get(provider)?.member;
    return !!m && m.pods.hasSynced && (!m.vms || (m.virtualMachines?.hasSynced ?? false));
  }

  remove(provider: string): void {
    const e = this.entries.get(provider);
    if (!e) return;
    this.dropMember(e);
    this.entries.delete(provider);
    this.options.renewal?.forget(provider);
    this.options.metrics?.memberHealth.remove({ provider });
  }

  close(): void {
    for (const p of [...this.entries.keys()]) this.remove(p);
  }
}
