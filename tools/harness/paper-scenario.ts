// The paper's messages (Tables II and III, examples/paper/messages.json)
// as the manifests a tenant would apply, in order: an INIT is an
// ExecutionZone (a second INIT for the same application id adds a group
// to it: scale up), a STOP is a ZoneRelease. The conversion is the core's
// (initToZoneSpec, stopToReleaseSpec), so zonectl and the operator read
// the messages the same way.

import { readFileSync } from 'node:fs';
import {
  API_GROUP_VERSION,
  type ExecutionZone,
  type ExecutionZoneSpec,
  type ZoneRelease,
} from '../../src/core/api/types.js';
import { formatFieldErrors } from '../../src/core/errors.js';
import { initToZoneSpec, parseMessage, stopToReleaseSpec, zoneName } from '../../src/core/messages/paper-messages.js';
import { RegionCatalogue } from '../../src/core/privacy/region-catalogue.js';

export type ScenarioStep =
  | { index: number; kind: 'zone'; zone: ExecutionZone; scaleUp: boolean }
  | { index: number; kind: 'release'; release: ZoneRelease };

export function paperScenario(messagesFile: string, namespace: string): ScenarioStep[] {
  const raw = JSON.parse(readFileSync(messagesFile, 'utf8')) as unknown[];
  const catalogue = RegionCatalogue.builtin();
  const specs = new Map<string, ExecutionZoneSpec>();
  const steps: ScenarioStep[] = [];
  raw.forEach((m, index) => {
    const parsed = parseMessage(m, catalogue, `[${index}]`);
    if (!parsed.ok) throw new Error(`${messagesFile}: ${formatFieldErrors(parsed.errors)}`);
    const msg = parsed.value;
    if (msg.type === 'INIT') {
      const existing = specs.get(msg.applicationId);
      const spec = initToZoneSpec(msg, existing);
      specs.set(msg.applicationId, spec);
      steps.push({
        index,
        kind: 'zone',
        scaleUp: existing !== undefined,
        zone: {
          apiVersion: API_GROUP_VERSION,
          kind: 'ExecutionZone',
          metadata: { name: zoneName(msg.applicationId), namespace },
          spec,
        },
      });
    } else {
      const spec = stopToReleaseSpec(msg);
      steps.push({
        index,
        kind: 'release',
        release: {
          apiVersion: API_GROUP_VERSION,
          kind: 'ZoneRelease',
          metadata: { name: `stop-${index}-${zoneName(msg.applicationId).slice(0, 8)}`, namespace },
          spec,
        },
      });
      if (!msg.instances) specs.delete(msg.applicationId);
    }
  });
  return steps;
}
