// The ZoneRelease triggers `usage` and `stall` (src/controllers/usage-trigger.ts
// judges them; docs/api.md, "Usage and stall"), and what status.observed
// shows of them.

import type { JSONSchemaProps } from './json-schema.js';
import { arr, enumOf, int, obj, rule, str, withRules } from './schema-builders.js';

/** A non-negative Kubernetes quantity (`250m`, `1.5`, `512Mi`, `1e3`), as resource.Quantity reads it. */
export const QUANTITY = '^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$';

const quantity = (description: string): JSONSchemaProps => str(description, { pattern: QUANTITY, maxLength: 64 });

const positive = (field: string) =>
  rule(`!has(self.${field}) || self.${field}.matches('[1-9]')`, `${field} must be more than zero`, {
    fieldPath: `.${field}`,
  });

const forDuration = (pattern: string, what: string): JSONSchemaProps =>
  str(`${what}: a Go-style duration (30s, 10m, 1h30m), more than zero.`, { pattern, maxLength: 64 });

export function usageTrigger(durationPattern: string): JSONSchemaProps {
  return withRules(
    obj(
      "Release once the scoped instances' usage of one resource, summed, stayed above or below a quantity at every reading for a duration. Read from the members' metrics.k8s.io PodMetrics (containers summed; a VM's usage is its virt-launcher pod's) about every 10 s. A reading that misses an instance (no metrics yet, member unreachable) restarts the clock: the release fires late, never early.",
      {
        resource: enumOf('The resource judged: cpu (cores) or memory (working set bytes).', ['cpu', 'memory']),
        above: quantity('Fire while the sum is greater than this quantity (e.g. 1500m, 2Gi).'),
        below: quantity('Fire while the sum is smaller than this quantity (e.g. 100m, 64Mi); more than zero.'),
        for: forDuration(durationPattern, 'How long every reading must satisfy the threshold'),
      },
      ['for', 'resource'],
    ),
    rule('has(self.above) != has(self.below)', 'exactly one of above and below must be set'),
    rule("self.__for__.matches('[1-9]')", 'for must be longer than zero', { fieldPath: '.for' }),
    positive('below'),
  );
}

export function stallTrigger(durationPattern: string): JSONSchemaProps {
  return withRules(
    obj(
      "Release once the scoped instances make no progress: every instance's CPU stayed below cpuBelow at every reading for the duration, or their containers' restart counts (pod status) rose by at least restarts within the last duration (a restart loop). Either fires. A reading that misses an instance restarts that part's clock.",
      {
        for: forDuration(durationPattern, 'The window both parts are judged over'),
        cpuBelow: quantity("Each instance's CPU (cores, e.g. 50m) must stay below this; more than zero."),
        restarts: int('How many container restarts, summed over the scoped instances, within the window fire it.', {
          minimum: 1,
          maximum: 1000000,
        }),
      },
      ['for'],
    ),
    rule('has(self.cpuBelow) || has(self.restarts)', 'set cpuBelow, restarts or both'),
    rule("self.__for__.matches('[1-9]')", 'for must be longer than zero', { fieldPath: '.for' }),
    positive('cpuBelow'),
  );
}

/** status.observed's fields for usage and stall. */
export function usageObservedFields(): Record<string, JSONSchemaProps> {
  return {
    cpu: str("usage: the summed CPU measured; stall: the busiest instance's (e.g. 250m)."),
    memory: str('usage: the summed memory measured (e.g. 512Mi).'),
    restarts: int("stall: the scoped containers' restart counts, summed."),
    since: str('usage, stall: since when every reading satisfied the threshold, RFC 3339.', { format: 'date-time' }),
    restartRises: arr(
      'stall: the rises of the restart count within the last for, oldest first.',
      obj(
        'A rise seen at one reading.',
        {
          time: str('The reading, RFC 3339.', { format: 'date-time' }),
          count: int('By how much the summed restart count rose since the reading before.'),
        },
        ['count', 'time'],
      ),
      { maxItems: 1000 },
    ),
  };
}
