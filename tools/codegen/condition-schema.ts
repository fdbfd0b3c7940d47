// metav1.Condition as a schema, with the same limits the Kubernetes type
// declares, so `kubectl wait --for=condition=Ready` and Server-Side Apply
// (list-map keyed by type) behave as they do for built-in kinds.

import type { JSONSchemaProps } from './json-schema.js';
import { arr, enumOf, int, obj, str } from './schema-builders.js';

export function observedGeneration(what: string): JSONSchemaProps {
  return int(
    `The metadata.generation of the ${what} that the operator last acted on. When it is lower than metadata.generation, the rest of the status describes an older spec.`,
    { format: 'int64', minimum: 0 },
  );
}

export function conditions(what: string, types: string): JSONSchemaProps {
  return arr(
    `The latest observations of the ${what}'s state, one per type (${types}). Each condition says whether it holds (status), why (reason, a CamelCase word) and for which generation (observedGeneration).`,
    obj(
      'One aspect of the current state, in the shape of metav1.Condition.',
      {
        type: str('The kind of condition in CamelCase, e.g. Ready. Unique within the list.', {
          maxLength: 316,
          pattern:
            '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
        }),
        status: enumOf('Whether the condition holds: True, False or Unknown (not yet determined).', [
          'True',
          'False',
          'Unknown',
        ]),
        observedGeneration: int(
          'The metadata.generation this condition was computed from; lower than metadata.generation means the condition is out of date.',
          {
            format: 'int64',
            minimum: 0,
          },
        ),
        lastTransitionTime: str('When the status last changed (RFC 3339); unchanged while the status stays the same.', {
          format: 'date-time',
        }),
        reason: str(
          'A programmatic identifier for the last transition, CamelCase (e.g. NoMatchingProvider). Tools and Argo CD health checks branch on it.',
          {
            minLength: 1,
            maxLength: 1024,
            pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
          },
        ),
        message: str('A human-readable explanation of the transition; may be empty.', { maxLength: 32768 }),
      },
      ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
    ),
    { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
  );
}
