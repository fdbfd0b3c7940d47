// Kubernetes Events (events.k8s.io/v1) for the transitions a person wants
// to see in `kubectl describe`: placed, no matching provider, provisioned,
// ready, degraded, released. Best effort: an event that cannot be written
// is logged and dropped, it never fails a reconcile. Repeats of the same
// reason on the same object within a minute are suppressed.

import { randomBytes } from 'node:crypto';
import type { KubeClient } from './kube-client.js';
import { type Logger, errorText } from './logger.js';
import { microTime } from './leader-election.js';
import { type Clock, systemClock } from './clock.js';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  emit(target: EventTarget, type: EventType, reason: string, action: string, note: string): void;
}

export class EventRecorder implements EventSink {
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    private readonly opts: { controller: string; instance: string; logger: Logger; clock?: Clock },
  ) {}

  emit(target: EventTarget, type: EventType, reason: string, action: string, note: string): void {
    const now = (this.opts.clock ?? systemClock).now();
    const dedup = `${target.kind}/${target.namespace ?? ''}/${target.name}/${reason}/${note}`;
    const last = this.recent.get(dedup);
    if (last !== undefined && now - last < 60_000) return;
    this.recent.set(dedup, now);
    if (this.recent.size > 5000) for (const [k, t] of this.recent) if (now - t > 60_000) this.recent.delete(k);
    // Events about cluster-scoped objects live in "default", as the API server expects.
    const namespace = target.namespace ?? 'default';
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${target.name}.${randomBytes(8).toString('hex')}`, namespace },
      eventTime: microTime(now),
      reportingController: this.opts.controller,
      reportingInstance: this.opts.instance.slice(0, 128),
      action,
      reason,
      type,
      note: note.slice(0, 1024),
      regarding: {
        apiVersion: target.apiVersion,
        kind: target.kind,
        name: target.name,
        ...(target.namespace ? { namespace: target.namespace } : {}),
        ...(target.uid ? { uid: target.uid } : {}),
      },
    };
    this.client
      .create(`/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`, body)
      .catch((err: unknown) => {
        this.opts.logger.debug('event not written', { reason, object: target.name, error: errorText(err) });
      });
  }
}

/** For tests and for runs without a hub to write to. */
export const noEvents: EventSink = { emit() {} };
