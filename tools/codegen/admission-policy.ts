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

export const ZONE_FINALIZER_GUARD = 'zonekeeper-zone-finalizer-guard';

/**
 * Only the operator takes the cleanup finalizer off an ExecutionZone. A
 * tenant may edit its zone (update is theirs), but a zone whose finalizer a
 * tenant removed would vanish before the operator released it: member
 * objects would wait for orphan collection, and the switch would keep the
 * zone's entries on a VLAN the operator may hand to another zone. Cluster
 * admins (system:masters) are exempt, for a hub whose operator is gone for
 * good. Fails closed: the hub's own API server evaluates it, no webhook.
 */
export function zoneFinalizerGuardManifests(namespace = 'zonekeeper-system'): Record<string, unknown>[] {
  const operator = `system:serviceaccount:${namespace}:zonekeeper-operator`;
  const holds = (o: string): string => `has(${o}.metadata.finalizers) && '${FINALIZER}' in ${o}.metadata.finalizers`;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: ZONE_FINALIZER_GUARD },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: [API_GROUP], apiVersions: ['*'], operations: ['UPDATE'], resources: ['executionzones'] },
          ],
        },
        matchConditions: [
          { name: 'not-the-operator', expression: `request.userInfo.username != '${operator}'` },
          {
            name: 'not-a-cluster-admin',
            expression: "!has(request.userInfo.groups) || !('system:masters' in request.userInfo.groups)",
          },
        ],
        validations: [
          {
            expression: `!(${holds('oldObject')}) || ${holds('object')}`,
            message: `only the zonekeeper operator removes the ${FINALIZER} finalizer: it goes once the zone's instances, namespaces and switch entries are released (delete the ExecutionZone, or send a ZoneRelease)`,
            reason: 'Forbidden',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: ZONE_FINALIZER_GUARD },
      spec: { policyName: ZONE_FINALIZER_GUARD, validationActions: ['Deny'] },
    },
  ];
}
