// The zonekeeper API as plain TypeScript types. The CRDs in crds/ are shaped
// from these (a test keeps them in agreement), and the core, the operator,
// the REST gateway and zonectl all speak them.

export const API_GROUP = 'zonekeeper.io';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

/** The paper's four rule actions; the wire form is the number (0–3). */
export type RuleAction = 'DenySpecific' | 'DenyAll' | 'AllowSpecific' | 'AllowAll';
export const RULE_ACTIONS: readonly RuleAction[] = ['DenySpecific', 'DenyAll', 'AllowSpecific', 'AllowAll'];

/** One `[action, value]` tuple. `*All` rules carry no value. */
export interface PrivacyRule<V> {
  action: RuleAction;
  value?: V;
}

/**
 * The four rule lists of an INIT privacy block. In manifests a country may
 * be given as an ISO 3166 alpha-2 code or an MCC; the core normalises
 * every country to MCCs before it evaluates anything.
 */
export interface PrivacyRules {
  regions?: PrivacyRule<string>[];
  countries?: PrivacyRule<number | string>[];
  /** Autonomous-system numbers (the paper's `as`). */
  autonomousSystems?: PrivacyRule<number>[];
  /** Network-equipment vendors by IANA private enterprise number. */
  equipment?: PrivacyRule<number>[];
}

export type Performance = 'latency' | 'tolerant';
export type Environment = 'VM' | 'container';
export type PlatformType = 'cloud' | 'fog' | 'cloud+fog';
export type ResourceType = 'CPU' | 'GPU' | 'FPGA';
export type ProviderTier = 'cloud' | 'fog';

export const ENVIRONMENTS: readonly Environment[] = ['VM', 'container'];
export const PLATFORM_TYPES: readonly PlatformType[] = ['cloud', 'fog', 'cloud+fog'];
export const RESOURCE_TYPES: readonly ResourceType[] = ['CPU', 'GPU', 'FPGA'];
export const PERFORMANCES: readonly Performance[] = ['latency', 'tolerant'];
export const PROVIDER_TIERS: readonly ProviderTier[] = ['cloud', 'fog'];

/**
 * What the operator does when a placed group stops complying with the
 * zone's rules (compliance drift): Report only sets `Compliant=False`;
 * Release releases the group's instances as a ZoneRelease naming them would;
 * Replace places the group again on a compliant provider, new instances
 * Ready before the old ones go (docs/api.md, "Compliance drift").
 */
export type OnViolation = 'Report' | 'Release' | 'Replace';
export const ON_VIOLATION_POLICIES: readonly OnViolation[] = ['Report', 'Release', 'Replace'];

/**
 * Whether a group's instances run again after their application exits: a
 * pod's restartPolicy; a VM's KubeVirt runStrategy (Always -> Always,
 * OnFailure -> RerunOnFailure, Never -> Once). An instance that finished
 * under OnFailure or Never is done, never created again.
 */
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';
export const RESTART_POLICIES: readonly RestartPolicy[] = ['Always', 'OnFailure', 'Never'];

/** One INIT message's resource block: `instance-count` instances alike. */
export interface InstanceGroup {
  /** Unique within the zone; INITs from the paper get `init-<n>`. */
  name: string;
  environment: Environment;
  platformType: PlatformType;
  resourceType: ResourceType;
  count: number;
  /** Per instance. */
  cores: number;
  /** MiB per instance. */
  memory: number;
  /** MiB per instance. */
  storage: number;
  image: string;
  /** Defaults to the zone's performance. */
  performance?: Performance;
  /** Extra rules this group must pass on top of the zone's rules. */
  privacy?: PrivacyRules;
  /** Absent: Always (the paper's INIT messages run their instances until released). */
  restartPolicy?: RestartPolicy;
}

export interface ExecutionZoneSpec {
  /** The paper's `application_id` (a UUID); immutable. */
  applicationId: string;
  privacy?: PrivacyRules;
  performance?: Performance;
  groups: InstanceGroup[];
  /** Defaults to Report. */
  onViolation?: OnViolation;
  /** Absent: a zone on an unreachable member stays Degraded and keeps its allocation. */
  failover?: FailoverPolicy;
}

/**
 * Moving a zone's instances off a member that stays unreachable
 * (src/core/zones/failover.ts). A moved instance is a new instance (new
 * name, new address) on another provider: whatever state the old one kept
 * locally is lost, which is why it is off by default.
 */
export interface FailoverPolicy {
  /** How long the member must have been unreachable (Reachable=False) before its instances move. */
  afterSeconds: number;
}

/** One instance moved off an unreachable member by a failover. */
export interface InstanceMove {
  /** The instance that was lost (released; its name is never used again). */
  instance: string;
  /** The provider it was on. */
  from: string;
  /** The new instance that took its place. */
  replacement: string;
  /** The provider the replacement was placed on. */
  to: string;
}

/** A Kubernetes-style condition (metav1.Condition). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface InstanceStatus {
  group: string;
  cores: number;
  memory: number;
  storage: number;
  address: string;
  /** The MAC of its interface on the zone's network (instanceMac(address)): what the switch forwards to. */
  mac?: string;
  /** That interface's name inside the pod or VM. */
  interface?: string;
  phase?: string;
}

export interface VpnLink {
  from: string;
  to: string;
}

export interface ExecutionZoneStatus {
  observedGeneration?: number;
  vlanId?: number;
  networkId?: number;
  network?: string;
  /** DSCP privacy mark, bits 7..2 as a six-character string (Table V). */
  marking?: string;
  vpn?: Record<string, VpnLink>;
  /** provider -> instance name -> instance */
  instances?: Record<string, Record<string, InstanceStatus>>;
  /** Per-provider reasons of the last placement decision. */
  placement?: PlacementExplanationEntry[];
  /** Names released by ZoneReleases; never recreated. */
  releasedInstances?: string[];
  /** Instances a failover moved off an unreachable member, oldest first (spec.failover). */
  movedInstances?: InstanceMove[];
  /** Providers in use, comma-joined in catalogue order (`Fog1,Fog2`); the Providers printer column shows it. */
  providers?: string;
  /**
   * The durable allocation (VLAN, instances, addresses, capacity). The
   * operator writes it, with a resourceVersion precondition, before it
   * creates anything in a member, and rebuilds its state from it after a
   * restart or a leader change.
   */
  allocation?: StoredAllocation;
  conditions?: Condition[];
}

export interface PlacementExplanationEntry {
  group: string;
  provider: string;
  verdict: 'Selected' | 'Skipped';
  reason: string;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

export interface ExecutionZone {
  apiVersion: typeof API_GROUP_VERSION;
  kind: 'ExecutionZone';
  metadata: ObjectMeta;
  spec: ExecutionZoneSpec;
  status?: ExecutionZoneStatus;
}

/**
 * When a release takes effect. Exactly one of the fields is set: a time,
 * or a monitored condition (network idleness, usage, a stall, completion).
 */
export interface ReleaseTrigger {
  immediate?: boolean;
  /** RFC 3339 time. */
  at?: string;
  /** Go-style duration after the release was created (`90s`, `10m`, `1h30m`). */
  after?: string;
  /**
   * Network idleness: no packet counted for the zone's VLAN by the switches
   * for this long (a Go-style duration), measured from when the release
   * was created or the last packet, whichever is later.
   */
  idle?: { for: string };
  /** A usage threshold on the scoped instances' summed CPU or memory (docs/api.md, "Usage and stall"). */
  usage?: UsageTrigger;
  /** No progress: CPU below a floor, or a restart loop (docs/api.md, "Usage and stall"). */
  stall?: StallTrigger;
  /**
   * The application completed: every instance the release names has
   * finished successfully (pod phase Succeeded; a VM's instance
   * Succeeded). Takes no fields.
   */
  completed?: Record<never, never>;
}

/**
 * The scoped instances' usage, summed (metrics.k8s.io PodMetrics, containers
 * summed; a VM's is its virt-launcher pod's), above or below a quantity at
 * every reading for `for`. Exactly one of above and below.
 */
export interface UsageTrigger {
  resource: 'cpu' | 'memory';
  /** A Kubernetes quantity (`500m`, `512Mi`); the sum must be greater. */
  above?: string;
  /** A Kubernetes quantity; the sum must be smaller. */
  below?: string;
  /** Go-style duration the threshold must hold at every reading. */
  for: string;
}

/**
 * A stall: every scoped instance's CPU below `cpuBelow` at every reading for
 * `for`, or the scoped containers' restart counts risen by at least
 * `restarts` within the last `for`. At least one of the two; either fires.
 */
export interface StallTrigger {
  for: string;
  cpuBelow?: string;
  restarts?: number;
}

/** What the operator last measured of a release's condition (status.observed). */
export interface ReleaseObservation {
  /** The trigger kind observed: `idle`, `usage` or `stall`. */
  condition: string;
  /** When it was measured, RFC 3339. */
  observedTime?: string;
  /** idle: packets and bytes the switches have counted for the zone, as decimal text. */
  packets?: string;
  bytes?: string;
  /** idle: when the count last changed (or the release started watching), RFC 3339. */
  lastPacketTime?: string;
  /** usage, stall: the CPU measured (usage: the sum; stall: the busiest instance), e.g. `250m`. */
  cpu?: string;
  /** usage: the memory measured, summed, e.g. `512Mi`. */
  memory?: string;
  /** stall: the scoped containers' restart counts, summed. */
  restarts?: number;
  /** usage, stall cpuBelow: since when every reading satisfied the threshold, RFC 3339. */
  since?: string;
  /** stall restarts: the rises of the restart count within the last `for`, oldest first. */
  restartRises?: { time: string; count: number }[];
  /** Why the last measurement could not be used, if it could not. */
  message?: string;
  /** completed: finished successfully / named, as `2/3`. */
  completed?: string;
  /** completed: the named instances not finished yet, as `provider/name`. */
  pending?: string[];
  /** completed: the named instances that finished unsuccessfully, as `provider/name`. */
  failed?: string[];
}

export interface ZoneReleaseSpec {
  /** Name of the ExecutionZone in the same namespace. */
  zoneRef: { name: string };
  /** provider -> instance names; absent (and no groups) = the whole zone. */
  instances?: Record<string, string[]>;
  /** Group names: every live instance of these groups; not together with instances. */
  groups?: string[];
  trigger?: ReleaseTrigger;
}

export type ReleasePhase = 'Pending' | 'Waiting' | 'Releasing' | 'Succeeded' | 'Failed';

export interface ZoneReleaseStatus {
  observedGeneration?: number;
  phase?: ReleasePhase;
  releaseTime?: string;
  released?: Record<string, string[]>;
  /** The trigger's condition as last measured (monitored triggers only). */
  observed?: ReleaseObservation;
  conditions?: Condition[];
}

export interface ZoneRelease {
  apiVersion: typeof API_GROUP_VERSION;
  kind: 'ZoneRelease';
  metadata: ObjectMeta;
  spec: ZoneReleaseSpec;
  status?: ZoneReleaseStatus;
}

/** Capacity of a provider: totals, not per node. */
export interface Capacity {
  cores: number;
  /** MiB */
  memory: number;
  /** MiB */
  storage: number;
  /** Number of GPU devices (0 when absent). */
  gpus?: number;
  fpgas?: number;
}

export interface ProviderClusterSpec {
  /**
   * The provider's name in messages, Listing 3 and VPN links (`Fog1`,
   * `PrivateCloud2`); Kubernetes names are lower case, so it is kept here.
   * Defaults to metadata.name.
   */
  providerName?: string;
  /** Position in the catalogue; first-fit walks providers in this order (then by name). */
  catalogueOrder?: number;
  /** E.212 MCC (for example 242) or ISO 3166 alpha-2 code (`NO`). */
  country: number | string;
  tier: ProviderTier;
  environment: Environment;
  resourceTypes: ResourceType[];
  /** IANA PENs of the network equipment on the path. */
  equipment?: number[];
  autonomousSystems?: number[];
  capacity: Capacity;
  /** Secret (in the operator's namespace) holding the member's kubeconfig. */
  kubeconfigSecretRef?: { name: string; key?: string };
  /** The provider's P4 switch (P4Runtime). */
  switch?: { address: string; deviceId?: number };
  /** How the member's nodes reach that switch. */
  network?: ProviderNetwork;
}

export interface ProviderNetwork {
  /**
   * The interface, on every member node that may run a zone's instance,
   * that is wired to the provider's switch port: each zone's VLAN
   * sub-interfaces are made on it. No uplink: no instance is created there.
   */
  uplink: string;
}

export interface ProviderClusterStatus {
  observedGeneration?: number;
  /** Capacity used as effective (spec, or the member's node allocatable). */
  capacity?: Capacity;
  allocated?: Capacity;
  conditions?: Condition[];
}

export interface ProviderCluster {
  apiVersion: typeof API_GROUP_VERSION;
  kind: 'ProviderCluster';
  /** Cluster-scoped; `fog1` for the provider `Fog1`. */
  metadata: ObjectMeta;
  spec: ProviderClusterSpec;
  status?: ProviderClusterStatus;
}

export interface PrivacyRegionSpec {
  /** Member countries, as MCCs or ISO 3166 alpha-2 codes. */
  countries: (number | string)[];
  /** DSCP bit (2–7) this region sets when a zone allows it, if any. */
  markingBit?: number;
  description?: string;
}

/** What the operator made of a PrivacyRegion (src/core/privacy/region-status.ts). */
export interface PrivacyRegionStatus {
  observedGeneration?: number;
  /** Every MCC of every member country, ascending: what the region means on the wire. */
  mccs?: number[];
  /** ProviderClusters whose country lies in the region. */
  providers?: number;
  /** ExecutionZones whose rules (the zone's or a group's) name the region. */
  zones?: number;
  conditions?: Condition[];
}

export interface PrivacyRegion {
  apiVersion: typeof API_GROUP_VERSION;
  kind: 'PrivacyRegion';
  /** Cluster-scoped; the name is the region's name (`EEA`). */
  metadata: ObjectMeta;
  spec: PrivacyRegionSpec;
  status?: PrivacyRegionStatus;
}

// The allocation as the ExecutionZone status holds it (src/core/zones/allocation.ts
// converts it to and from the federation's working form).

/** What every instance of a group is: the fields a placed group fixes. */
export interface InstanceShape {
  environment: Environment;
  resourceType: ResourceType;
  cores: number;
  memory: number;
  storage: number;
  image: string;
}

/**
 * A placed group: its shape and size are fixed once placed (scale up adds a
 * group); only a failover (spec.failover) or a Replace (spec.onViolation)
 * moves it to another provider.
 */
export interface GroupAllocation extends InstanceShape {
  provider: string;
  /**
   * Every name the group was given, released ones included; a replacement
   * that completed put each new name in the place of the one it replaced
   * (the old names are in the allocation's `released`).
   */
  instances: string[];
  /**
   * The group's failovers, oldest first: each moved instance's name and the
   * name of the one that replaced it (both in `instances`). `provider` is
   * where the group is now.
   */
  moves?: InstanceMove[];
  /** The group moving to a compliant provider (spec.onViolation Replace); absent when it is not. */
  replacing?: GroupReplacement;
}

/**
 * A move of a group's live instances to another provider. It is committed
 * to status before any new instance is created, so an operator that
 * restarts mid-way finds it and carries on; the old instances are released
 * only once every new one is Ready (make before break).
 */
export interface GroupReplacement {
  /** The compliant provider the new instances run on. */
  provider: string;
  /** Old instance name -> the new instance that replaces it (new names: names are never reused). */
  instances: Record<string, string>;
}

/**
 * One live instance as the ExecutionZone status stores it: what its group
 * does not already say. Provider and shape are the group's (a failover
 * moves a group whole and gives its moved instances new names; during a
 * Replace move the new instances run on the provider of its `replacing`:
 * the only time a group's instances run on two providers), so storing
 * them per instance only made every update of the
 * zone dearer for the hub API server (docs/operator.md, "What an
 * ExecutionZone update costs the hub").
 */
export interface StoredInstance {
  name: string;
  group: string;
  address: string;
}

/** The durable allocation in the form the ExecutionZone status holds it. */
export interface StoredAllocation {
  applicationId: string;
  vlanId?: number;
  groups: Record<string, GroupAllocation>;
  instances: StoredInstance[];
  released: string[];
}
