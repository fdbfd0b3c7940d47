// The paper's control API over HTTP: an INIT becomes an ExecutionZone (or a
// new group of an existing one), a STOP becomes a ZoneRelease. Parsing and
// conversion are the core's; this file only maps results to HTTP answers
// (RFC 9457 problem documents that carry the core's field errors).

import {
  API_GROUP_VERSION,
  type ExecutionZone,
  type ExecutionZoneStatus,
  type ZoneRelease,
} from '../core/api/types.js';
import type { FieldError } from '../core/errors.js';
import { initToZoneSpec, parseMessage, stopToReleaseSpec, zoneName } from '../core/messages/paper-messages.js';
import {
  INIT_REQUESTS_ANNOTATION,
  readInitRequests,
  recordInitRequest,
  replayedGroup,
} from '../core/messages/init-replay.js';
import { RegionCatalogue, regionFromObject } from '../core/privacy/region-catalogue.js';
import { UUID } from '../core/zones/zone-spec.js';
import type { Viewer } from './viewer-auth.js';
import { StoreConflict, type ZoneStore } from './zone-store.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export interface Reply {
  status: number;
  body: unknown;
}

const problem = (status: number, title: string, detail: string, errors?: FieldError[]): Reply => ({
  status,
  body: {
    type: `https://zonekeeper.io/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`,
    title,
    status,
    detail,
    ...(errors ? { errors } : {}),
  } satisfies Problem,
});

/** Writes lost to a concurrent writer are retried on a fresh read this many times. */
const ATTEMPTS = 5;

/** Who sent a message, where to, and how to recognise it if it is sent again. */
export interface MessageContext {
  namespace: string;
  /** The store acting as the sender (impersonation), or the gateway's own store without authentication. */
  store: ZoneStore;
  /**
   * init-replay.ts's key for this request (`key:...` from an Idempotency-Key
   * header, `sha256:...` of the message otherwise); no key, no replay check.
   */
  requestKey?: string;
  now: number;
}

export class MessageHandler {
  /** `store` reads the region catalogue (the gateway's identity); zones and releases go through the context's. */
  constructor(private readonly store: ZoneStore) {}

  /** The store a request goes through: as the tenant when there is one. */
  storeFor(tenant: Viewer | undefined): ZoneStore {
    return tenant ? this.store.actingAs(tenant) : this.store;
  }

  private async regions(): Promise<RegionCatalogue> {
    const extra = [];
    for (const r of await this.store.listRegions()) {
      const { region } = regionFromObject(r);
      if (region) extra.push(region);
    }
    return RegionCatalogue.builtin().withRegions(extra);
  }

  async handle(json: unknown, ctx: MessageContext): Promise<Reply> {
    const { namespace, store } = ctx;
    const parsed = parseMessage(json, await this.regions());
    if (!parsed.ok)
      return problem(
        422,
        'Invalid message',
        parsed.errors.map((e) => (e.path ? `${e.path}: ${e.reason}` : e.reason)).join('; '),
        parsed.errors,
      );
    const msg = parsed.value;
    const name = zoneName(msg.applicationId);
    if (msg.type === 'STOP') {
      const zone = await store.getZone(namespace, name);
      if (!zone)
        return problem(404, 'Unknown zone', `no execution zone with application_id ${msg.applicationId}`, [
          { path: 'application_id', reason: 'no such execution zone' },
        ]);
      const release: ZoneRelease = {
        apiVersion: API_GROUP_VERSION,
        kind: 'ZoneRelease',
        metadata: {
          name: `${name}-stop-${Date.now().toString(36)}`,
          namespace,
          labels: { 'zonekeeper.io/application-id': name },
        },
        spec: stopToReleaseSpec(msg),
      };
      const created = await store.createRelease(release);
      return { status: 202, body: { release: created.metadata.name, zone: name } };
    }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const existing = await store.getZone(namespace, name);
      if (existing?.metadata.deletionTimestamp)
        return problem(
          409,
          'Zone is being deleted',
          `execution zone ${name} is being deleted; send the INIT again once it is gone`,
        );
      const requests = readInitRequests(existing?.metadata.annotations);
      const replayed = ctx.requestKey === undefined ? undefined : replayedGroup(requests, ctx.requestKey, ctx.now);
      if (existing && replayed !== undefined)
        return { status: 200, body: { zone: name, group: replayed, scaleUp: false, replayed: true } };
      const spec = existing ? initToZoneSpec(msg, existing.spec) : initToZoneSpec(msg);
      const group = spec.groups[spec.groups.length - 1].name;
      const annotations = { ...existing?.metadata.annotations };
      if (ctx.requestKey !== undefined)
        annotations[INIT_REQUESTS_ANNOTATION] = recordInitRequest(requests, ctx.requestKey, group, ctx.now);
      const zone: ExecutionZone = existing
        ? { ...existing, metadata: { ...existing.metadata, annotations }, spec }
        : {
            apiVersion: API_GROUP_VERSION,
            kind: 'ExecutionZone',
            metadata: { name, namespace, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
            spec,
          };
      try {
        await store.putZone(zone);
        return { status: existing ? 200 : 201, body: { zone: name, group, scaleUp: existing !== undefined } };
      } catch (e) {
        if (!(e instanceof StoreConflict)) throw e;
      }
    }
    return problem(409, 'Conflict', `execution zone ${name} kept changing; try again`);
  }

  /** The zone's Listing 3 entry, read from its status. */
  async zone(applicationId: string, ctx: Pick<MessageContext, 'namespace' | 'store'>): Promise<Reply> {
    if (!UUID.test(applicationId)) return problem(400, 'Bad application id', `${applicationId} is not a UUID`);
    const zone = await ctx.store.getZone(ctx.namespace, zoneName(applicationId));
    if (!zone) return problem(404, 'Unknown zone', `no execution zone with application_id ${applicationId}`);
    return {
      status: 200,
      body: {
        [zone.spec.applicationId]: listing3FromStatus(zone.status ?? {}),
        conditions: zone.status?.conditions ?? [],
      },
    };
  }
}

export function listing3FromStatus(s: ExecutionZoneStatus): Record<string, unknown> {
  const instances: Record<
    string,
    Record<string, { cores: number; memory: number; storage: number; address: string }>
  > = {};
  for (const [provider, list] of Object.entries(s.instances ?? {})) {
    instances[provider] = Object.fromEntries(
      Object.entries(list).map(([n, i]) => [
        n,
        { cores: i.cores, memory: i.memory, storage: i.storage, address: i.address },
      ]),
    );
  }
  return {
    vlan_id: s.vlanId,
    vpn: s.vpn ?? {},
    network_id: s.networkId,
    network: s.network,
    marking: s.marking,
    instances,
  };
}
