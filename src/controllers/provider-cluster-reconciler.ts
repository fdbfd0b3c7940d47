// The ProviderCluster reconciler: turns a catalogue entry into a Provider
// for placement, keeps a client to its member cluster (from the
// kubeconfig Secret it names), probes it, and reports Reachable / Ready.
// Capacity is the spec's, or the sum of the member's node allocatable when
// the spec gives none. An unreachable member stays in the catalogue but
// takes no new placements, and its zones are requeued (they turn Degraded).
//
//   fetch -> gone? undo its provider : syncMember, readCapacity,
//   updateCatalogue -> conditions from the facts -> one status write

import { EventAction, EventReason, ProviderConditionType as T, ProviderReason as R } from '../core/api/conditions.js';
import type { ProviderConditionType, ProviderReason } from '../core/api/conditions.js';
import { parseQuantity } from '../core/api/quantity.js';
import { API_GROUP_VERSION, KINDS } from '../core/api/resources.js';
import type { Capacity, Condition, ProviderCluster, ProviderClusterStatus } from '../core/api/types.js';
import { providerFromManifest, type Provider } from '../core/catalogue/provider.js';
import { formatFieldErrors } from '../core/errors.js';
import { FPGA_RESOURCE, GPU_RESOURCE } from '../clusters/member-objects.js';
import type { Clock } from '../runtime/clock.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { EventSink } from '../runtime/events.js';
import { errorText, type Logger } from '../runtime/logger.js';
import { capMessage, isTrue, setCondition } from './conditions.js';
import type { MemberClients, NodeAllocatable } from './member-access.js';
import type { HubObjects } from './object-store.js';
import {
  done,
  foldResults,
  requeueAfter,
  retry,
  runPhase,
  toReconcileResult,
  type PhaseResult,
} from './phase-result.js';
import type { PlacementState } from './placement-state.js';

export interface ProviderClusterReconcilerDeps {
  providers: HubObjects<ProviderCluster>;
  state: PlacementState;
  members: MemberClients;
  events: EventSink;
  logger: Logger;
  clock: Clock;
  /** The catalogue changed (a provider joined, left, changed or flipped readiness). */
  onCatalogueChanged: (provider: string, readyNow: boolean) => void;
  probeIntervalMs?: number;
}

/**
 * Since when the member has been unreachable: the Reachable=False
 * condition's lastTransitionTime when it already says so (writeStatus keeps
 * that time while the status stays False), or now, when this pass turns it.
 */
export function unreachableSince(object: ProviderCluster, now: number): number {
  const c = object.status?.conditions?.find((x) => x.type === T.Reachable);
  const t = c?.status === 'False' ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(t) ? Math.min(t, now) : now;
}

interface Pass {
  key: string;
  object: ProviderCluster;
  providerName: string;
  reachable: boolean;
  unreachableReason?: string;
  credentialExpired?: boolean;
  capacity?: Capacity;
  /** The catalogue entry, or why the spec makes none. */
  provider?: Provider;
  invalid?: string;
}

export class ProviderClusterReconciler {
  /** object name -> provider name, to undo a provider whose object vanished. */
  private readonly names = new Map<string, string>();
  /** Keys reconciled at least once: the manager waits for all before it rebuilds. */
  readonly reconciled = new Set<string>();
  private readonly providers: HubObjects<ProviderCluster>;
  private readonly state: PlacementState;
  private readonly members: MemberClients;
  private readonly events: EventSink;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly onCatalogueChanged: (provider: string, readyNow: boolean) => void;
  private readonly probeIntervalMs: number;

  constructor(deps: ProviderClusterReconcilerDeps) {
    this.providers = deps.providers;
    this.state = deps.state;
    this.members = deps.members;
    this.events = deps.events;
    this.logger = deps.logger;
    this.clock = deps.clock;
    this.onCatalogueChanged = deps.onCatalogueChanged;
    this.probeIntervalMs = deps.probeIntervalMs ?? 5000;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    try {
      const object = this.providers.current(key);
      if (!object) return toReconcileResult(this.forgetProvider(key));
      const p: Pass = { key, object, providerName: object.spec.providerName ?? object.metadata.name, reachable: false };
      const results: PhaseResult[] = [];
      const phases = [() => this.syncMember(p), () => this.readCapacity(p), () => this.updateCatalogue(p)];
      for (const phase of phases) {
        const r = await runPhase(phase);
        results.push(r);
        if (r.kind === 'error') break;
      }
      results.push(await this.writeStatus(p), requeueAfter(this.probeIntervalMs, 'probe'));
      return toReconcileResult(foldResults(results));
    } finally {
      this.reconciled.add(key);
    }
  }

  private forgetProvider(key: string): PhaseResult {
    const name = this.names.get(key);
    if (!name) return done;
    this.names.delete(key);
    this.members.remove(name);
    this.state.removeProvider(name);
    this.onCatalogueChanged(name, false);
    return done;
  }

  private async syncMember(p: Pass): Promise<PhaseResult> {
    const ref = p.object.spec.kubeconfigSecretRef ?? { name: `member-${p.object.metadata.name}-kubeconfig` };
    const sync = await this.members.sync(p.providerName, ref, p.object.spec.environment === 'VM');
    p.reachable = sync.reachable;
    if (sync.reason !== undefined) p.unreachableReason = sync.reason;
    p.credentialExpired = sync.credentialExpired === true;
    // A conflict is not news: the Secret changed under the renewal, and the next pass reads it.
    if (sync.renewal && sync.renewal.result !== 'conflict') {
      const ok = sync.renewal.result === 'renewed';
      const { name, uid } = p.object.metadata;
      this.events.emit(
        { apiVersion: API_GROUP_VERSION, kind: KINDS.providerCluster, name, uid },
        ok ? 'Normal' : 'Warning',
        ok ? EventReason.CredentialRenewed : EventReason.CredentialRenewalFailed,
        EventAction.RenewCredential,
        sync.renewal.message,
      );
    }
    return done;
  }

  private async readCapacity(p: Pass): Promise<PhaseResult> {
    const spec = p.object.spec.capacity;
    if (spec) p.capacity = spec;
    else if (p.reachable) {
      const sum = await this.nodeCapacity(p.providerName);
      if (sum) p.capacity = sum;
    }
    return done;
  }

  private updateCatalogue(p: Pass): PhaseResult {
    const spec = { ...p.object.spec, ...(p.capacity ? { capacity: p.capacity } : {}) };
    const { provider, errors } = providerFromManifest({ ...p.object, kind: KINDS.providerCluster, spec });
    if (!provider) {
      p.invalid = formatFieldErrors(errors);
      this.state.removeProvider(p.providerName);
      this.names.delete(p.key);
      return done;
    }
    p.provider = provider;
    this.names.set(p.key, provider.name);
    provider.ready = p.reachable;
    if (!p.reachable) {
      provider.notReadyReason = p.unreachableReason ?? 'member cluster not reachable';
      provider.unreachableSince = unreachableSince(p.object, this.clock.now());
    }
    const wasReady = isTrue(p.object.status?.conditions, T.Ready);
    if (this.state.setProvider(provider) !== 'same') this.onCatalogueChanged(provider.name, provider.ready);
    if (wasReady !== provider.ready) {
      const { name, uid } = p.object.metadata;
      const target = { apiVersion: API_GROUP_VERSION, kind: KINDS.providerCluster, name, uid };
      const note = provider.ready
        ? `${provider.name} is reachable`
        : `${provider.name}: ${p.unreachableReason ?? 'not reachable'}`;
      this.events.emit(
        target,
        provider.ready ? 'Normal' : 'Warning',
        provider.ready ? EventReason.Reachable : EventReason.Unreachable,
        EventAction.Probe,
        note,
      );
    }
    return done;
  }

  /** Conditions from the pass's facts; a failed status write is retried with backoff. */
  private async writeStatus(p: Pass): Promise<PhaseResult> {
    const now = new Date(this.clock.now()).toISOString();
    let conditions = p.object.status?.conditions ?? [];
    const set = (type: ProviderConditionType, status: Condition['status'], reason: ProviderReason, message: string) => {
      conditions = setCondition(
        conditions,
        { type, status, reason, message: capMessage(message), observedGeneration: p.object.metadata.generation },
        now,
      );
    };
    const status: ProviderClusterStatus = {
      ...(p.object.status ?? {}),
      observedGeneration: p.object.metadata.generation,
    };
    const why = p.unreachableReason;
    const probe = p.reachable ? R.ProbeSucceeded : p.credentialExpired ? R.CredentialExpired : R.ProbeFailed;
    if (!p.provider) {
      set(T.Reachable, p.reachable ? 'True' : 'False', probe, why ?? 'member answers');
      if (p.invalid !== undefined) set(T.Ready, 'False', R.InvalidSpec, p.invalid);
    } else {
      const name = p.provider.name;
      set(
        T.Reachable,
        p.reachable ? 'True' : 'False',
        probe,
        p.reachable ? 'the member API server answers /readyz' : (why ?? 'no answer'),
      );
      set(
        T.Ready,
        p.reachable ? 'True' : 'False',
        p.reachable ? R.Ready : R.MemberUnreachable,
        p.reachable ? `${name} takes placements` : `${name} takes no new placements: ${why ?? 'not reachable'}`,
      );
      status.capacity = { ...p.provider.capacity };
      const used = this.state.federation?.usedBy(name);
      if (used) status.allocated = { ...used };
    }
    try {
      await this.providers.writeStatus(p.object, { ...status, conditions });
    } catch (err) {
      this.logger.debug('provider status not written', { provider: p.providerName, error: errorText(err) });
      return retry('status not written');
    }
    return done;
  }

  /** The sum of the member's node allocatable; undefined when it cannot be read. */
  private async nodeCapacity(provider: string): Promise<Capacity | undefined> {
    let nodes: NodeAllocatable[];
    try {
      nodes = await this.members.nodeAllocatable(provider);
    } catch (err) {
      this.logger.warn('node allocatable not readable', { provider, error: errorText(err) });
      return undefined;
    }
    const sum = { cores: 0, memory: 0, storage: 0, gpus: 0, fpgas: 0 };
    nodes.forEach((a, index) => {
      const read = (field: string): number => {
        const text = a[field];
        if (text === undefined) return 0;
        const q = parseQuantity(text);
        if (q.ok) return q.value;
        this.logger.warn('node allocatable not understood; counted as 0', {
          provider,
          node: index,
          field: `status.allocatable.${field}`,
          reason: q.reason,
        });
        return 0;
      };
      sum.cores += Math.floor(read('cpu'));
      sum.memory += Math.floor(read('memory') / 2 ** 20);
      sum.storage += Math.floor(read('ephemeral-storage') / 2 ** 20);
      sum.gpus += read(GPU_RESOURCE);
      sum.fpgas += read(FPGA_RESOURCE);
    });
    return sum;
  }
}
