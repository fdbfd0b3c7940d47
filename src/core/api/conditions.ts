// Condition types and reasons of the API's status conditions, and the
// reasons of the Events the operator records. These strings are wire
// values: printer columns, the CRDs' docs, zonectl and users' scripts read
// them, so a name here changes nothing on the wire but the spelling in
// code, and a value here must never change.

export const ZoneConditionType = {
  Ready: 'Ready',
  Placed: 'Placed',
  Provisioned: 'Provisioned',
  NetworkReady: 'NetworkReady',
  /** Every live instance has its interface on the zone's network (NetworkAttachmentDefinition, annotation, VM interface). */
  NetworkAttached: 'NetworkAttached',
  Degraded: 'Degraded',
  Released: 'Released',
  /** Every live instance still passes the zone's current rules on its provider's current facts. */
  Compliant: 'Compliant',
  /** spec.onViolation Replace: True while a non-compliant group moves to a compliant provider. */
  Replacing: 'Replacing',
} as const;
export type ZoneConditionType = (typeof ZoneConditionType)[keyof typeof ZoneConditionType];

export const ZoneReason = {
  // Placed
  Placed: 'Placed',
  NoMatchingProvider: 'NoMatchingProvider',
  /** A provider could take the zone, but every VLAN of the range is held by another zone. */
  NoFreeVlan: 'NoFreeVlan',
  InvalidSpec: 'InvalidSpec',
  AllocationConflict: 'AllocationConflict',
  ApplicationIdInUse: 'ApplicationIdInUse',
  /** The allocation could not be written to status; nothing was created from it. */
  CommitFailed: 'CommitFailed',
  // Provisioned
  Provisioned: 'Provisioned',
  Provisioning: 'Provisioning',
  MemberUnreachable: 'MemberUnreachable',
  /** The cleanup finalizer could not be set; instances wait for it. */
  FinalizerPending: 'FinalizerPending',
  // NetworkReady (the sidecar adds its own verdicts: docs/operator.md, "The switch")
  Programmed: 'Programmed',
  PlanOnly: 'PlanOnly',
  SwitchError: 'SwitchError',
  NoVlan: 'NoVlan',
  // NetworkAttached
  Attached: 'Attached',
  /** A provider hosting the zone has no spec.network.uplink: its instances are not created until it has. */
  UplinkMissing: 'UplinkMissing',
  /** The zone's NetworkAttachmentDefinition could not be written in a member. */
  AttachmentFailed: 'AttachmentFailed',
  /** An instance object exists without its zone interface (made before it had one): recreate it. */
  NotAttached: 'NotAttached',
  // Degraded
  AsExpected: 'AsExpected',
  // Ready
  Ready: 'Ready',
  Degraded: 'Degraded',
  InstancesNotReady: 'InstancesNotReady',
  /** Every live instance finished (restartPolicy OnFailure or Never): nothing runs, nothing is broken. */
  Completed: 'Completed',
  // Every condition of a zone released whole
  Released: 'Released',
  // Compliant
  Compliant: 'Compliant',
  /** A placed group no longer passes the rules; spec.onViolation is Report, or its release is pending. */
  RuleViolated: 'RuleViolated',
  /** spec.onViolation Release released the non-compliant groups' instances; what is left complies. */
  ViolationReleased: 'ViolationReleased',
  /** The rules no longer compile (a region they name is gone): nothing can be shown to comply. */
  RulesUnresolvable: 'RulesUnresolvable',
  // Replacing (spec.onViolation Replace)
  /** A group's new instances are booked on a compliant provider; the old ones go once every new one is Ready. */
  Replacing: 'Replacing',
  /** A non-compliant group waits: no compliant provider has room for it (retried when capacity frees). */
  NoCompliantCapacity: 'NoCompliantCapacity',
  /** The last move is done: the new instances are Ready and the old ones released. */
  Replaced: 'Replaced',
  /** Nothing to move: every placed group complies. */
  NoViolation: 'NoViolation',
} as const;
export type ZoneReason = (typeof ZoneReason)[keyof typeof ZoneReason];

export const ReleaseConditionType = { Succeeded: 'Succeeded', Failed: 'Failed' } as const;
export type ReleaseConditionType = (typeof ReleaseConditionType)[keyof typeof ReleaseConditionType];

export const ReleaseReason = {
  Waiting: 'Waiting',
  Releasing: 'Releasing',
  Released: 'Released',
  InvalidTrigger: 'InvalidTrigger',
  ZoneNotFound: 'ZoneNotFound',
  UnknownInstance: 'UnknownInstance',
  /** spec.groups names a group the zone does not have. */
  UnknownGroup: 'UnknownGroup',
} as const;
export type ReleaseReason = (typeof ReleaseReason)[keyof typeof ReleaseReason];

export const ProviderConditionType = { Reachable: 'Reachable', Ready: 'Ready' } as const;
export type ProviderConditionType = (typeof ProviderConditionType)[keyof typeof ProviderConditionType];

export const ProviderReason = {
  ProbeSucceeded: 'ProbeSucceeded',
  ProbeFailed: 'ProbeFailed',
  /** The member answers 401 to the operator's credential: expired or revoked. */
  CredentialExpired: 'CredentialExpired',
  Ready: 'Ready',
  MemberUnreachable: 'MemberUnreachable',
  InvalidSpec: 'InvalidSpec',
} as const;
export type ProviderReason = (typeof ProviderReason)[keyof typeof ProviderReason];

/** Reasons of the Kubernetes Events the reconcilers record. */
export const EventReason = {
  Placed: 'Placed',
  NoMatchingProvider: 'NoMatchingProvider',
  InvalidSpec: 'InvalidSpec',
  InstancesRemoved: 'InstancesRemoved',
  Ready: 'Ready',
  NotReady: 'NotReady',
  Degraded: 'Degraded',
  Released: 'Released',
  ReleaseFailed: 'ReleaseFailed',
  /** A ZoneRelease's monitored condition (idle) held: the message names it and the measured value. */
  TriggerFired: 'TriggerFired',
  Reachable: 'Reachable',
  Unreachable: 'Unreachable',
  NonCompliant: 'NonCompliant',
  Compliant: 'Compliant',
  /** spec.onViolation Release released the instances of non-compliant groups. */
  NonCompliantReleased: 'NonCompliantReleased',
  /** spec.onViolation Replace booked a non-compliant group's new instances on a compliant provider. */
  ReplacementStarted: 'ReplacementStarted',
  /** spec.onViolation Replace: the new instances are Ready, the old ones released. */
  Replaced: 'Replaced',
  /** spec.onViolation Replace: no compliant provider has room for a non-compliant group. */
  NoCompliantCapacity: 'NoCompliantCapacity',
  /** The operator renewed a member's short-lived token and wrote it into the kubeconfig Secret. */
  CredentialRenewed: 'CredentialRenewed',
  /** A renewal failed; the Secret keeps the token that still works, and it is tried again. */
  CredentialRenewalFailed: 'CredentialRenewalFailed',
  /** spec.failover moved instances off a member that stayed unreachable. */
  FailedOver: 'FailedOver',
  /** spec.failover is due, but no other provider can take a group now: it stays, and is tried again. */
  FailoverBlocked: 'FailoverBlocked',
  /** spec.failover: the provider a Replace was moving a group to stayed unreachable; the move is dropped and the group stays. */
  ReplacementAbandoned: 'ReplacementAbandoned',
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

/** The `action` of those Events: what the reconciler was doing. */
export const EventAction = {
  Place: 'Place',
  Deprovision: 'Deprovision',
  Summarize: 'Summarize',
  Delete: 'Delete',
  Release: 'Release',
  Probe: 'Probe',
  CheckCompliance: 'CheckCompliance',
  Replace: 'Replace',
  RenewCredential: 'RenewCredential',
  Failover: 'Failover',
} as const;
export type EventAction = (typeof EventAction)[keyof typeof EventAction];

export const RegionConditionType = { Ready: 'Ready', Valid: 'Valid' } as const;
export type RegionConditionType = (typeof RegionConditionType)[keyof typeof RegionConditionType];

export const RegionReason = {
  Ready: 'Ready',
  Resolved: 'Resolved',
  InvalidSpec: 'InvalidSpec',
  MarkingBitConflict: 'MarkingBitConflict',
} as const;
export type RegionReason = (typeof RegionReason)[keyof typeof RegionReason];
