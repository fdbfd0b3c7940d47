// The paper's Tables II and III (examples/paper/messages.json) as the
// ExecutionZone and ZoneRelease objects the REST gateway would create, in
// order: every INIT yields the zone as it stands after it (a scale-up INIT
// re-applies the zone with one more group), every STOP a ZoneRelease.

import type { ExecutionZone, ExecutionZoneSpec, ZoneRelease } from '../../../src/core/api/types.js';
import { API_GROUP_VERSION } from '../../../src/core/api/types.js';
import {
  initToZoneSpec,
  parseMessage,
  stopToReleaseSpec,
  zoneName,
} from '../../../src/core/messages/paper-messages.js';
import { RegionCatalogue } from '../../../src/core/privacy/region-catalogue.js';
import { formatFieldErrors } from '../../../src/core/errors.js';
import { readText } from './repo-files.js';

export type PaperObject = ExecutionZone | ZoneRelease;

export function paperManifests(namespace = 'paper'): PaperObject[] {
  const catalogue = RegionCatalogue.builtin();
  const messages = JSON.parse(readText('examples/paper/messages.json')) as unknown[];
  const zones = new Map<string, ExecutionZoneSpec>();
  const out: PaperObject[] = [];
  let releases = 0;
  messages.forEach((m, i) => {
    const parsed = parseMessage(m, catalogue, `messages[${i}]`);
    if (!parsed.ok) throw new Error(formatFieldErrors(parsed.errors));
    const msg = parsed.value;
    const name = zoneName(msg.applicationId);
    if (msg.type === 'INIT') {
      const spec = initToZoneSpec(msg, zones.get(name));
      zones.set(name, spec);
      out.push({ apiVersion: API_GROUP_VERSION, kind: 'ExecutionZone', metadata: { name, namespace }, spec });
    } else {
      releases++;
      out.push({
        apiVersion: API_GROUP_VERSION,
        kind: 'ZoneRelease',
        metadata: { name: `${name.slice(0, 8)}-stop-${releases}`, namespace },
        spec: stopToReleaseSpec(msg),
      });
    }
  });
  return out;
}
