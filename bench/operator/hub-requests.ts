// Write (or read) requests an API server served, by verb and resource (and
// the code when it is not a success), from its own apiserver_request_total counter:
// the operator benchmark divides the difference over a phase by the zones,
// so a change that saves (or adds) a write per zone shows as a number, not
// only as CPU. Refused writes count too: each costs the server a request.
import type { KubeClient } from '../../src/runtime/kube-client.js';
import { metricSamples } from '../../tools/harness/operator-process.js';

const WRITES = new Set(['POST', 'CREATE', 'PUT', 'UPDATE', 'PATCH', 'APPLY', 'DELETE']);

/** Summed over the given API servers: writes, or (`reads`) GET, LIST and WATCH requests. */
export async function apiRequests(clients: readonly KubeClient[], reads = false): Promise<Map<string, number>> {
  const texts = await Promise.all(clients.map((c) => c.request<string>('GET', '/metrics')));
  const out = new Map<string, number>();
  for (const { labels, value } of metricSamples(texts.join('\n'), 'apiserver_request_total')) {
    if (WRITES.has(labels['verb'] ?? '') === reads) continue;
    const code = labels['code'] ?? '';
    const key = `${labels['verb']} ${labels['resource']}${labels['subresource'] ? `/${labels['subresource']}` : ''}${code.startsWith('2') ? '' : ` ${code}`}`;
    out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

/** Per zone, rounded to 0.01, only what changed. */
export function requestsPerZone(
  before: Map<string, number>,
  after: Map<string, number>,
  zones: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) out[k] = Math.round((d / zones) * 100) / 100;
  }
  return out;
}
