// What brings a ProviderCluster back to its reconciler: For(ProviderCluster)
// and its own requeue (the probe interval). Its kubeconfig Secret is read
// on every pass, so a changed Secret is picked up within one probe.

import type { ProviderCluster } from '../core/api/types.js';
import type { EventSource } from '../runtime/watches.js';
import { Watches } from '../runtime/watches.js';
import type { WorkQueue } from '../runtime/work-queue.js';

export function providerClusterWatches(
  queue: Pick<WorkQueue, 'add' | 'addAfter'>,
  providers: EventSource<ProviderCluster>,
): void {
  new Watches(queue).for(providers);
}
