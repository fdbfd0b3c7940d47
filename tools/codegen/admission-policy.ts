// The MutatingAdmissionPolicy that gives every new ExecutionZone the
// operator's cleanup finalizer as it is created. Without it the operator
// adds the finalizer itself, which is one more update of the zone on the
// hub, and an update of an ExecutionZone costs the hub API server several
// times what the create does (docs/operator.md, "What an ExecutionZone
// update costs the hub"). The operator still adds
// the finalizer when it is missing (a cluster without the policy, a user
// who removed it), so the policy may fail open.

import { API_GROUP } from '../../src/core/api/types.js';
import { FINALIZER } from '../../src/core/api/resources.js';

export const ZONE_FINALIZER_POLICY = 'zonekeeper-zone-finalizer';

export function zoneFinalizerPolicyManifests(): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingAdmissionPolicy',
      metadata: { name: ZONE_FINALIZER_POLICY },
      spec: {
        matchConstraints: {
          resourceRules: [
            { apiGroups: [API_GROUP], apiVersions: ['*'], operations: ['CREATE'], resources: ['executionzones'] },
          ],
        },
        // Fail open: the operator adds a missing finalizer before it creates anything.
        failurePolicy: 'Ignore',
        reinvocationPolicy: 'Never',
        mutations: [
          {
            // An apply configuration merges into metadata.finalizers (a set), keeping the tenant's own.
            patchType: 'ApplyConfiguration',
            applyConfiguration: { expression: `Object{metadata: Object.metadata{finalizers: ["${FINALIZER}"]}}` },
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingAdmissionPolicyBinding',
      metadata: { name: ZONE_FINALIZER_POLICY },
      spec: { policyName: ZONE_FINALIZER_POLICY },
    },
  ];
}
