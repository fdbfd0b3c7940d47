// Garbage collection of member objects no allocation accounts for: a pod
// or VM labelled by zonekeeper whose (zone, instance) is not live on that
// provider, or a zone namespace whose application id holds no allocation
// and has no ExecutionZone, or a zone NetworkAttachmentDefinition whose
// zone has no live instance on that provider. The member side is listed first and the
// allocations snapshotted after, so anything created in between (always
// after its allocation was committed) is in the snapshot and survives.

import { deleteInstance } from '../clusters/member-actuator.js';
import type { MemberClusterCache } from '../clusters/member-cluster-cache.js';
import {
  LABELS,
  MANAGED_SELECTOR,
  type MemberNamespace,
  NAMESPACES,
  NETWORK_ATTACHMENTS,
} from '../clusters/member-objects.js';
import { type KubeClient, type KubeObject, isNotFound, resourcePath } from '../runtime/kube-client.js';
import { errorText, type Logger } from '../runtime/logger.js';
import type { PlacementState } from './placement-state.js';

export interface OrphanReport {
  pods: number;
  namespaces: number;
  attachments: number;
  errors: string[];
}

export async function collectOrphans(
  members: MemberClusterCache,
  state: PlacementState,
  zoneIds: () => Set<string>,
  logger: Logger,
): Promise<OrphanReport> {
  const report: OrphanReport = { pods: 0, namespaces: 0, attachments: 0, errors: [] };
  const seen: {
    provider: string;
    namespaces: MemberNamespace[];
    objects: { app: string; instance: string; name: string; vm: boolean }[];
    attachments: KubeObject[];
  }[] = [];
  for (const provider of members.providers()) {
    const look = members.get(provider);
    if (!look.ok || !members.synced(provider)) continue;
    const m = look.member;
    try {
      const nss = await m.client.list<MemberNamespace>(resourcePath(NAMESPACES), { labelSelector: MANAGED_SELECTOR });
      const objects = [
        ...m.pods.list().map((o) => ({ o, vm: false })),
        ...(m.virtualMachines?.list() ?? []).map((o) => ({ o, vm: true })),
      ].map(({ o, vm }) => ({
        app: o.metadata?.labels?.[LABELS.applicationId] ?? '',
        instance: o.metadata?.labels?.[LABELS.instance] ?? '',
        name: o.metadata?.name ?? '',
        vm,
      }));
      seen.push({ provider, namespaces: nss.items, objects, attachments: await managedAttachments(m.client) });
    } catch (err) {
      report.errors.push(`${provider}: ${errorText(err)}`);
    }
  }
  // Snapshot after listing, under the lock, so no placement is half-done.
  const live = await state.withLock((f) => {
    const byProvider = new Map<string, Set<string>>();
    const zonesByProvider = new Map<string, Set<string>>();
    const apps = new Set<string>();
    for (const { allocation } of f.entries()) {
      apps.add(allocation.applicationId);
      for (const i of allocation.instances) {
        let s = byProvider.get(i.provider);
        if (!s) byProvider.set(i.provider, (s = new Set()));
        s.add(`${allocation.applicationId}/${i.name}`);
        let z = zonesByProvider.get(i.provider);
        if (!z) zonesByProvider.set(i.provider, (z = new Set()));
        z.add(allocation.applicationId);
      }
    }
    return { byProvider, zonesByProvider, apps };
  });
  const existing = zoneIds();
  for (const s of seen) {
    const look = members.get(s.provider);
    if (!look.ok) continue;
    const liveHere = live.byProvider.get(s.provider) ?? new Set<string>();
    const zonesHere = live.zonesByProvider.get(s.provider) ?? new Set<string>();
    for (const o of s.objects) {
      if (!o.app || liveHere.has(`${o.app}/${o.instance}`)) continue;
      try {
        await deleteInstance(look.member, o.app, o.name, o.vm);
        report.pods++;
        logger.info('orphan removed', { provider: s.provider, applicationId: o.app, instance: o.instance });
      } catch (err) {
        report.errors.push(`${s.provider}/${o.name}: ${errorText(err)}`);
      }
    }
    // A zone with no live instance here, and no pod or VM left here, needs no attachment here.
    for (const nad of s.attachments) {
      const app = nad.metadata?.labels?.[LABELS.applicationId];
      const where = `${nad.metadata?.namespace ?? ''}/${nad.metadata?.name ?? ''}`;
      if (!app || zonesHere.has(app) || s.objects.some((o) => o.app === app)) continue;
      try {
        await look.member.client.delete(
          resourcePath(NETWORK_ATTACHMENTS, nad.metadata?.namespace ?? '', nad.metadata?.name ?? ''),
        );
        look.member.attachments.delete(where);
        report.attachments++;
        logger.info('orphan network attachment removed', { provider: s.provider, attachment: where });
      } catch (err) {
        if (!isNotFound(err)) report.errors.push(`${s.provider}/${where}: ${errorText(err)}`);
      }
    }
    for (const ns of s.namespaces) {
      const app = ns.metadata.labels?.[LABELS.applicationId];
      if (!app || live.apps.has(app) || existing.has(app) || ns.metadata.deletionTimestamp) continue;
      try {
        await look.member.client.delete(resourcePath(NAMESPACES, undefined, ns.metadata.name));
        report.namespaces++;
        logger.info('orphan namespace removed', { provider: s.provider, namespace: ns.metadata.name });
      } catch (err) {
        report.errors.push(`${s.provider}/${ns.metadata.name}: ${errorText(err)}`);
      }
    }
  }
  return report;
}

/** zonekeeper's NetworkAttachmentDefinitions in a member; none where Multus's CRD is not installed. */
async function managedAttachments(client: Pick<KubeClient, 'list'>): Promise<KubeObject[]> {
  try {
    return (await client.list<KubeObject>(resourcePath(NETWORK_ATTACHMENTS), { labelSelector: MANAGED_SELECTOR }))
      .items;
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}
