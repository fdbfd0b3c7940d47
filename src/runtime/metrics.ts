// Metrics under the names controller-runtime exports, so dashboards and
// alerts written for Go operators work unchanged, plus zonekeeper's own
// (zonekeeper_*). One registry per operator process.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { KubeClient } from './kube-client.js';
import type { QueueMetrics } from './work-queue.js';

const exponential = (start: number, factor: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => start * factor ** i);

export class OperatorMetrics {
  readonly registry = new Registry();

  readonly reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly terminalReconcileErrors = new Counter({
    name: 'controller_runtime_terminal_reconcile_errors_total',
    help: 'Total number of terminal reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly reconcilePanics = new Counter({
    name: 'controller_runtime_reconcile_panics_total',
    help: 'Total number of reconciliation panics per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'] as const,
    buckets: [
      0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75,
      2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ],
    registers: [this.registry],
  });
  readonly activeWorkers = new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly maxConcurrentReconciles = new Gauge({
    name: 'controller_runtime_max_concurrent_reconciles',
    help: 'Maximum number of concurrent reconciles per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });
  readonly queueLatency = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name', 'controller'] as const,
    buckets: exponential(1e-8, 10, 10),
    registers: [this.registry],
  });
  readonly workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes',
    labelNames: ['name', 'controller'] as const,
    buckets: exponential(1e-8, 10, 10),
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });
  readonly unfinishedWork = new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration",
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });
  readonly longestRunning = new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running',
    labelNames: ['name', 'controller'] as const,
    registers: [this.registry],
  });

  readonly leaderStatus = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });

  readonly zonesByCondition = new Gauge({
    name: 'zonekeeper_zones',
    help: 'Execution zones by condition type and status',
    labelNames: ['condition', 'status'] as const,
    registers: [this.registry],
  });
  readonly zoneNoncompliant = new Gauge({
    name: 'zonekeeper_zone_noncompliant',
    help: "Placed groups of a zone that no longer pass its current privacy rules on their provider's current facts; a series exists only while the zone is not compliant",
    labelNames: ['namespace', 'name'] as const,
    registers: [this.registry],
  });
  readonly vlansInUse = new Gauge({
    name: 'zonekeeper_vlans_in_use',
    help: 'VLAN IDs held by execution zones',
    registers: [this.registry],
  });
  readonly vlansDraining = new Gauge({
    name: 'zonekeeper_vlans_draining',
    help: 'VLAN IDs of vanished execution zones held back until the switches confirm their entries are gone',
    registers: [this.registry],
  });
  readonly switchOrphansRemoved = new Counter({
    name: 'zonekeeper_switch_orphan_zones_removed_total',
    help: 'Zones the sidecar still held for no live ExecutionZone, removed from every switch by the orphan collector',
    registers: [this.registry],
  });
  readonly failoverMoves = new Counter({
    name: 'zonekeeper_failover_instances_moved_total',
    help: 'Instances moved off an unreachable member by spec.failover, by the provider left and the provider taken',
    labelNames: ['from', 'to'] as const,
    registers: [this.registry],
  });
  readonly failoverBlocked = new Gauge({
    name: 'zonekeeper_zones_failover_blocked',
    help: 'Zones whose failover is due but that no provider can take now (retried)',
    registers: [this.registry],
  });
  readonly placementDecisions = new Counter({
    name: 'zonekeeper_placement_decisions_total',
    help: 'Instance-group placement decisions by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly placementLatency = new Histogram({
    name: 'zonekeeper_placement_duration_seconds',
    help: 'Time to place and durably commit one zone allocation (lock wait included)',
    buckets: exponential(0.0005, 2, 14),
    registers: [this.registry],
  });
  readonly createToReady = new Histogram({
    name: 'zonekeeper_zone_create_to_ready_seconds',
    help: "Time from an ExecutionZone's creation to its first Ready=True",
    buckets: exponential(0.05, 2, 12),
    registers: [this.registry],
  });
  readonly memberHealth = new Gauge({
    name: 'zonekeeper_member_cluster_reachable',
    help: '1 when the member cluster of a provider answers its health probe',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  readonly credentialRenewals = new Counter({
    name: 'zonekeeper_member_credential_renewals_total',
    help: "Renewals of a member's short-lived token by provider and result (renewed, failed, conflict)",
    labelNames: ['provider', 'result'] as const,
    registers: [this.registry],
  });
  readonly memberRequests = new Counter({
    name: 'zonekeeper_member_requests_total',
    help: 'Requests to member clusters by provider and outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  /** client-go's name and labels, so dashboards made for Go operators read it. */
  readonly restClientRequests = new Counter({
    name: 'rest_client_requests_total',
    help: 'Number of HTTP requests to the hub and member API servers, partitioned by status code, method, and host',
    labelNames: ['code', 'method', 'host'] as const,
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: 'zonekeeper_watch_restarts_total',
    help: 'Informer watch restarts by resource and cause',
    labelNames: ['resource', 'cause'] as const,
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts every request `client` makes in rest_client_requests_total. */
  observeClient(client: KubeClient): void {
    const host = client.server.host;
    client.observer = (method, code) =>
      this.restClientRequests.inc({ host, method, code: code === 0 ? '<error>' : String(code) });
  }

  /** The queue's hooks, labelled the way controller-runtime labels them (name = controller). */
  queueMetrics(controller: string): QueueMetrics {
    const l = { name: controller, controller };
    this.queueDepth.set(l, 0);
    return {
      add: () => this.queueAdds.inc(l),
      depth: (n) => this.queueDepth.set(l, n),
      queued: (s) => this.queueLatency.observe(l, s),
      worked: (s) => this.workDuration.observe(l, s),
      retry: () => this.retries.inc(l),
    };
  }
}
