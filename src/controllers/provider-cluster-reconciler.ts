// The ProviderCluster reconciler: turns a catalogue entry into a Provider
// for placement, keeps a client to its member cluster (from the
// kubeconfig Secret it names), probes it, and reports Reachable / Ready.
// Capacity is the spec's, or the sum of the member's node allocatable when
// the spec gives none. An unreachable member stays in the catalogue but
// takes no new placements, and its zones are requeued (they turn Degraded).

import type { Capacity, ProviderCluster, ProviderClusterStatus } from '../core/api/types.js';
import { providerFromManifest } from '../core/catalogue/provider.js';
import { formatFieldErrors } from '../core/errors.js';
import type { MemberClusterCache } from '../clusters/member-cluster-cache.js';
import { FPGA_RESOURCE, GPU_RESOURCE, NODES } from '../clusters/member-objects.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { EventSink } from '../runtime/events.js';
import { resourcePath } from '../runtime/kube-client.js';
import { errorText, type Logger } from '../runtime/logger.js';
import { capMessage, isTrue, setCondition } from './conditions.js';
import type { ObjectStore } from './object-store.js';
import type { PlacementState } from './placement-state.js';

export interface ProviderClusterReconcilerDeps {
  providers: ObjectStore<ProviderCluster>;
  state: PlacementState;
  members: MemberClusterCache;
  events: EventSink;
  logger: Logger;
  /** The catalogue changed (a provider joined, left, changed or flipped readiness). */
  onCatalogueChanged: (provider: string, readyNow: boolean) => void;
  probeIntervalMs?: number;
}

interface Node {
  status?: { allocatable?: Record<string, string> };
}

export class ProviderClusterReconciler {
  /** object name -> provider name, to undo a provider whose object vanished. */
  private readonly names = new Map<string, string>();
  /** Keys reconciled at least once: the manager waits for all before it rebuilds. */
  readonly reconciled = new Set<string>();

  constructor(private readonly d: ProviderClusterReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    try {
      return await this.reconcileOnce(key);
    } finally {
      this.reconciled.add(key);
    }
  }

  private async reconcileOnce(key: string): Promise<ReconcileResult> {
    const pc = this.d.providers.current(key);
    if (!pc) {
      const name = this.names.get(key);
      if (name) {
        this.names.delete(key);
        this.d.members.remove(name);
        this.d.state.removeProvider(name);
        this.d.onCatalogueChanged(name, false);
      }
      return {};
    }
    const now = new Date().toISOString();
    let conditions = pc.status?.conditions ?? [];
    const cond = (type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string) => {
      conditions = setCondition(conditions, { type, status, reason, message: capMessage(message), observedGeneration: pc.metadata.generation }, now);
    };
    const providerName = pc.spec.providerName ?? pc.metadata.name;
    const ref = pc.spec.kubeconfigSecretRef ?? { name: `member-${pc.metadata.name}-kubeconfig` };
    const sync = await this.d.members.sync(providerName, ref, pc.spec.environment === 'VM');
    let capacity: Capacity | undefined = pc.spec.capacity;
    if (!capacity && sync.reachable) capacity = await this.nodeCapacity(providerName);
    const { provider, errors } = providerFromManifest({ ...pc, kind: 'ProviderCluster', spec: { ...pc.spec, ...(capacity ? { capacity } : {}) } });
    const status: ProviderClusterStatus = { ...(pc.status ?? {}), observedGeneration: pc.metadata.generation };
    if (!provider) {
      cond('Reachable', sync.reachable ? 'True' : 'False', sync.reachable ? 'ProbeSucceeded' : 'ProbeFailed', sync.reason ?? 'member answers');
      cond('Ready', 'False', 'InvalidSpec', formatFieldErrors(errors));
      this.d.state.removeProvider(providerName);
      this.names.delete(key);
      await this.d.providers.writeStatus(pc, { ...status, conditions });
      return { requeueAfterMs: this.d.probeIntervalMs ?? 5000 };
    }
    this.names.set(key, provider.name);
    provider.ready = sync.reachable;
    if (!sync.reachable) provider.notReadyReason = sync.reason ?? 'member cluster not reachable';
    const wasReady = isTrue(pc.status?.conditions, 'Ready');
    const change = this.d.state.setProvider(provider);
    if (change !== 'same') this.d.onCatalogueChanged(provider.name, provider.ready);
    cond('Reachable', sync.reachable ? 'True' : 'False', sync.reachable ? 'ProbeSucceeded' : 'ProbeFailed', sync.reachable ? `the member API server answers /readyz` : (sync.reason ?? 'no answer'));
    cond('Ready', sync.reachable ? 'True' : 'False', sync.reachable ? 'Ready' : 'MemberUnreachable', sync.reachable ? `${provider.name} takes placements` : `${provider.name} takes no new placements: ${sync.reason ?? 'not reachable'}`);
    if (wasReady !== provider.ready) {
      this.d.events.emit({ apiVersion: 'zonekeeper.io/v1alpha1', kind: 'ProviderCluster', name: pc.metadata.name, uid: pc.metadata.uid }, provider.ready ? 'Normal' : 'Warning', provider.ready ? 'Reachable' : 'Unreachable', 'Probe', provider.ready ? `${provider.name} is reachable` : `${provider.name}: ${sync.reason ?? 'not reachable'}`);
    }
    status.capacity = { ...provider.capacity };
    const used = this.d.state.federation?.usedBy(provider.name);
    if (used) status.allocated = { ...used };
    try {
      await this.d.providers.writeStatus(pc, { ...status, conditions });
    } catch (err) {
      this.d.logger.debug('provider status not written', { provider: provider.name, error: errorText(err) });
      return { requeue: true };
    }
    return { requeueAfterMs: this.d.probeIntervalMs ?? 5000 };
  }

  private async nodeCapacity(provider: string): Promise<Capacity | undefined> {
    const look = this.d.members.get(provider);
    if (!look.ok) return undefined;
    try {
      const nodes = await look.member.client.list<Node>(resourcePath(NODES));
      const sum = { cores: 0, memory: 0, storage: 0, gpus: 0, fpgas: 0 };
      for (const n of nodes.items) {
        const a = n.status?.allocatable ?? {};
        sum.cores += Math.floor(quantity(a['cpu']));
        sum.memory += Math.floor(quantity(a['memory']) / 2 ** 20);
        sum.storage += Math.floor(quantity(a['ephemeral-storage']) / 2 ** 20);
        sum.gpus += quantity(a[GPU_RESOURCE]);
        sum.fpgas += quantity(a[FPGA_RESOURCE]);
      }
      return sum;
    } catch (err) {
      this.d.logger.warn('node allocatable not readable', { provider, error: errorText(err) });
      return undefined;
    }
  }
}

const SUFFIX: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A Kubernetes quantity (`8`, `500m`, `16Gi`) as a number; absent is 0. */
export function quantity(q: string | undefined): number {
  if (!q) return 0;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q);
  if (!m) return 0;
  return Number(m[1]) * (SUFFIX[m[2] as string] ?? 1);
}
