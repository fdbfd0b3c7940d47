// ExecutionZone: the paper's INIT message(s) for one application id. The
// spec is what the tenant asks for; the status is Listing 3 plus the
// durable allocation and conditions. Limits and patterns come from the core
// (zone-spec.ts), so the API server and compileZone reject the same things.

import {
  ENVIRONMENTS,
  ON_VIOLATION_POLICIES,
  PERFORMANCES,
  PLATFORM_TYPES,
  RESOURCE_TYPES,
  RESTART_POLICIES,
} from '../../src/core/api/types.js';
import { FAILOVER_SECONDS, GROUP_NAME, LIMITS, UUID } from '../../src/core/zones/zone-spec.js';
import { conditions, observedGeneration } from './condition-schema.js';
import type { JSONSchemaProps } from './json-schema.js';
import { privacyRules } from './privacy-schema.js';
import { arr, enumOf, immutable, int, map, metadata, obj, patternOf, rule, str, withRules } from './schema-builders.js';

/** More groups than this in one zone is a runaway scale-up loop, and CEL cost needs a bound. */
export const MAX_GROUPS = 64;

const PERFORMANCE_TEXT =
  'latency (latency-sensitive: with platformType cloud+fog, fog providers are tried first) or tolerant (catalogue order)';

function instanceGroup(): JSONSchemaProps {
  return withRules(
    obj(
      'One instance group: the resource block of one INIT message, instance-count instances alike. Scale up adds a group; a group never changes once it exists.',
      {
        name: str(
          'Unique within the zone, a DNS label (INITs from the paper get init-1, init-2, …). The key of the list.',
          {
            pattern: patternOf(GROUP_NAME),
            maxLength: 63,
          },
        ),
        environment: enumOf(
          "What each instance is: VM (a KubeVirt VirtualMachine, named V<n>) or container (a pod, named C<n>). Must match the provider's environment.",
          ENVIRONMENTS,
        ),
        platformType: enumOf(
          'Which provider tier may host the group: cloud, fog, or cloud+fog (either; see performance for the order).',
          PLATFORM_TYPES,
        ),
        resourceType: enumOf(
          'The accelerator each instance needs: CPU (none), GPU or FPGA. The provider must offer it.',
          RESOURCE_TYPES,
        ),
        count: int(
          `How many instances (the paper's instance-count), 1 to ${LIMITS.count}. The whole group goes onto one provider.`,
          { minimum: 1, maximum: LIMITS.count },
        ),
        cores: int(`CPU cores per instance, 1 to ${LIMITS.cores}.`, { minimum: 1, maximum: LIMITS.cores }),
        memory: int(`Memory per instance in MiB, 1 to ${LIMITS.memory} (16 TiB).`, {
          minimum: 1,
          maximum: LIMITS.memory,
        }),
        storage: int(`Storage per instance in MiB, 1 to ${LIMITS.storage} (1 PiB).`, {
          minimum: 1,
          maximum: LIMITS.storage,
        }),
        image: str(
          'The image every instance runs: a container image for containers, a containerDisk image for VMs (the paper: Ubuntu-22.04).',
          {
            minLength: 1,
            maxLength: 1024,
            pattern: '\\S',
          },
        ),
        performance: enumOf(`Overrides the zone's performance for this group: ${PERFORMANCE_TEXT}.`, PERFORMANCES),
        restartPolicy: enumOf(
          "What happens when an instance's application exits. Always (the default, and what the paper's INIT messages get): it is started again, for services. OnFailure: started again only after a failure; once it succeeds it is finished. Never: finished when it exits, whatever the outcome. A pod gets it as its restartPolicy; a VM as its KubeVirt runStrategy (Always, RerunOnFailure, Once). A finished instance is never created again, keeps its capacity until released, and can be released by a ZoneRelease with trigger completed. Part of the group, so immutable.",
          RESTART_POLICIES,
        ),
        privacy: privacyRules(
          'Extra rules this group must pass on top of the zone\'s rules (the paper\'s second INIT for an application id carries its own privacy block, e.g. "no Cisco").',
        ),
      },
      ['name', 'environment', 'platformType', 'resourceType', 'count', 'cores', 'memory', 'storage', 'image'],
    ),
    // Correlated by name (list-type map), so this compares a group with its own old self.
    rule('self == oldSelf', 'an instance group cannot be changed once it exists; add a new group to scale up'),
  );
}

function spec(): JSONSchemaProps {
  const groups = withRules(
    arr(
      `The instance groups, in the order they were requested (at least one, at most ${MAX_GROUPS}). Groups may only be appended: an existing group can be neither removed, renamed nor changed. To give resources back, create a ZoneRelease.`,
      instanceGroup(),
      { minItems: 1, maxItems: MAX_GROUPS, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
    ),
    rule(
      'self.size() >= oldSelf.size() && oldSelf.all(o, self.exists(n, n.name == o.name))',
      'instance groups may only be appended: a group cannot be removed or renamed (release instances with a ZoneRelease)',
    ),
  );
  return obj(
    "What the tenant asks for: the paper's INIT message(s) for one application id. The first INIT becomes the zone's privacy block and first group; every later INIT for the same id appends a group.",
    {
      applicationId: immutable(
        str("The paper's application_id: a UUID (8-4-4-4-12 hex digits) naming the application. Immutable.", {
          pattern: patternOf(UUID),
          maxLength: 36,
        }),
        'applicationId',
      ),
      privacy: privacyRules(
        "The zone's privacy rules (the INIT privacy block). Every group of the zone must pass them; each group may add its own.",
      ),
      performance: enumOf(`The default for every group: ${PERFORMANCE_TEXT}. Defaults to tolerant.`, PERFORMANCES),
      groups,
      onViolation: enumOf(
        "What the operator does when a placed group stops complying with the zone's rules: after the zone's or a group's privacy rules are edited, a provider's facts (country, autonomous systems, equipment) change, or a PrivacyRegion the rules name changes. Report (when absent): Compliant=False names the group, provider, rule and fact, an Event and the zonekeeper_zone_noncompliant metric say so, and nothing moves until an admin or the tenant acts. Release: the group's instances are released as a ZoneRelease naming them would (deleted, capacity and addresses freed, names never reused); the zone keeps its compliant groups. Replace: the group is placed again on a compliant provider (as a new placement would choose), its new instances (new names) are created and Ready before the old ones are released; status.allocation.groups.<group>.replacing maps old to new while it moves, and the Replacing condition says how the move stands (False with NoCompliantCapacity while no compliant provider has room; retried when capacity frees).",
        ON_VIOLATION_POLICIES,
      ),
      failover: obj(
        "Move the zone's instances off a member cluster that stays unreachable. Absent (the default): a zone with instances on an unreachable member is Degraded and keeps its allocation, so its instances come back with the member. Set: once the member has been unreachable (its ProviderCluster Reachable=False) for afterSeconds, each group on it is placed again elsewhere under the zone's rules, as a new group would be, with new instance names and addresses; status.movedInstances names what moved where. A moved instance starts from its image: whatever it kept locally (files, a VM's disk, memory) is lost, so do not set this for stateful instances that cannot rebuild their state. When the member returns, the instances left there are deleted before anything else runs there for the zone: they never run twice.",
        {
          afterSeconds: int(
            `How long the member must have been unreachable before its instances move, ${FAILOVER_SECONDS.min} to ${FAILOVER_SECONDS.max} seconds (a week). Members are probed every few seconds, so a brief blip does not move anything.`,
            { minimum: FAILOVER_SECONDS.min, maximum: FAILOVER_SECONDS.max },
          ),
        },
        ['afterSeconds'],
      ),
    },
    ['applicationId', 'groups'],
  );
}

function instanceStatus(): JSONSchemaProps {
  return obj(
    'One instance as Listing 3 shows it.',
    {
      group: str('The instance group it belongs to.'),
      cores: int('CPU cores.'),
      memory: int('Memory in MiB.'),
      storage: int('Storage in MiB.'),
      address: str("The instance's IPv6 address in the zone network."),
      mac: str(
        "The MAC of its interface on the zone's network: locally administered unicast, derived from the address (so a restart or failover computes the same one); the switch's mac_forward entry for the instance matches it.",
      ),
      interface: str("That interface's name inside the pod or VM (zone0)."),
      phase: str("The member object's phase as last seen (a pod's phase, a VM's printableStatus)."),
    },
    ['group', 'cores', 'memory', 'storage', 'address'],
  );
}

const ALLOC_ENV = 'container or VM';

function move(): JSONSchemaProps {
  return obj(
    'One instance moved off an unreachable member by a failover.',
    {
      instance: str('The instance that was lost (released: its name is never used again).'),
      from: str('The provider it was on.'),
      replacement: str('The new instance that took its place (a new name and address).'),
      to: str('The provider the replacement was placed on.'),
    },
    ['instance', 'from', 'replacement', 'to'],
  );
}
/** For status maps only the operator writes: see allocation(). */
const ATOMIC = { 'x-kubernetes-map-type': 'atomic' } as const;

function allocation(): JSONSchemaProps {
  return obj(
    'The durable allocation, written by the operator (with a resourceVersion precondition) before it creates anything in a member; after a crash or a leader change the operator rebuilds its state from it. Not for editing.',
    {
      applicationId: str('The application id the allocation belongs to (lower case).'),
      vlanId: int('The VLAN allocated to the zone; absent while no group is placed.'),
      groups: map(
        'Placed groups by group name. A placed group is fixed: scale up adds a group.',
        obj(
          'Where one group went and what it holds.',
          {
            provider: str('The provider (spec.providerName) the group was placed on.'),
            instances: arr(
              'Every instance name the group was given, released ones included; a completed replacement puts each new name in the place of the one it replaced.',
              str('An instance name (C<n> or V<n>).'),
            ),
            replacing: obj(
              'The group moving to a compliant provider (spec.onViolation Replace): committed before its new instances are created; the old ones are released once every new one is Ready.',
              {
                provider: str('The compliant provider the new instances run on.'),
                instances: map(
                  'Old instance name -> the new instance that replaces it.',
                  str('The new instance name.'),
                ),
              },
              ['provider', 'instances'],
            ),
            environment: enumOf(`The group's environment (${ALLOC_ENV}).`, ENVIRONMENTS),
            resourceType: enumOf("The group's resource type.", RESOURCE_TYPES),
            cores: int('CPU cores per instance.'),
            memory: int('Memory in MiB per instance.'),
            storage: int('Storage in MiB per instance.'),
            image: str('Image per instance.'),
            moves: arr('The failovers of the group, oldest first: which instance was replaced by which.', move()),
          },
          ['provider', 'instances', 'environment', 'resourceType', 'cores', 'memory', 'storage', 'image'],
        ),
      ),
      instances: arr(
        "Live instances, one entry per instance name. Provider, environment, resource type, cores, memory, storage and image are the group's (a failover moves a group whole, with new instance names; the new instances of a group being replaced run on its replacing provider).",
        obj(
          'One live instance.',
          {
            name: str('C<n> or V<n>, numbered per zone across its providers and never reused.'),
            group: str('Its instance group (a key of groups).'),
            address: str('Its IPv6 address.'),
          },
          ['name', 'group', 'address'],
        ),
        { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
      ),
      released: arr('Names given back by releases; never handed out again.', str('An instance name.'), {
        'x-kubernetes-list-type': 'set',
      }),
    },
    ['applicationId', 'groups', 'instances', 'released'],
    // Only the operator writes status; field-by-field ownership in
    // managedFields would buy nothing and make every update of the zone
    // dearer for the API server (docs/operator.md, "What an
    // ExecutionZone update costs the hub").
    { 'x-kubernetes-map-type': 'atomic' },
  );
}

function status(): JSONSchemaProps {
  return obj(
    "What the operator made of the spec: the paper's Listing 3 (vlanId, vpn, networkId, network, instances), the privacy marking, the placement explanation, the durable allocation and conditions. Written only by the operator.",
    {
      observedGeneration: observedGeneration('ExecutionZone'),
      vlanId: int(
        'The VLAN of the zone: the lowest free ID of the configured range (default 1000–4094), held until the whole zone is released.',
      ),
      networkId: int(
        "The 40-bit global ID of the zone's IPv6 ULA prefix as a number (Listing 3's network_id; 274468950876 is 0x3fe79fd35c).",
        { format: 'int64' },
      ),
      network: str("The zone's IPv6 /64 (fd3f:e79f:d35c:3e8::/64 for VLAN 1000: the subnet ID is the VLAN ID)."),
      marking: str(
        'The DSCP privacy marking, TOS/Traffic-Class bits 7..2 as six 0/1 characters (Table V): bit 7 Scandinavia, 6 EEA, 5 EU, 4 America, 3 BRICS, 2 MENA.',
      ),
      providers: str(
        'The providers the zone uses, comma-joined in catalogue order (e.g. Fog1,Fog2); shown by kubectl get.',
      ),
      vpn: map(
        'VPN links by provider name (Listing 3: {Fog1: {from: HOME-SWITCH, to: Fog1-SWITCH}}), one per provider the zone uses; one link may carry several VLANs.',
        obj(
          'One VPN link between two switches.',
          {
            from: str('The switch the link starts at (HOME-SWITCH).'),
            to: str('The switch the link ends at (<Provider>-SWITCH).'),
          },
          ['from', 'to'],
        ),
        ATOMIC,
      ),
      instances: map(
        'Instances by provider, then by instance name (Listing 3).',
        map('The instances on one provider, by instance name (C<n>, V<n>).', instanceStatus()),
        ATOMIC,
      ),
      placement: arr(
        'The explanation of the last placement decision: for each group and provider, why it was selected or skipped.',
        obj(
          'One provider considered for one group.',
          {
            group: str('The instance group.'),
            provider: str('The provider considered.'),
            verdict: enumOf('Selected (the group went there) or Skipped.', ['Selected', 'Skipped']),
            reason: str('Why, e.g. "country 310 not allowed by regions rule #2 DENY_ALL".'),
          },
          ['group', 'provider', 'verdict', 'reason'],
        ),
      ),
      releasedInstances: arr(
        'Instance names released by ZoneReleases; they are never created again.',
        str('An instance name.'),
        { 'x-kubernetes-list-type': 'set' },
      ),
      movedInstances: arr(
        'Instances spec.failover moved off an unreachable member, oldest first: each lost instance, where it was, and the new instance (name, provider) that replaced it.',
        move(),
      ),
      allocation: allocation(),
      conditions: conditions(
        'zone',
        "Placed, Provisioned, NetworkAttached (every live instance has its interface on the zone's network), NetworkReady, Degraded (a member is unreachable), Compliant (every live instance passes the current rules on its provider's current facts) and the summary Ready",
      ),
    },
  );
}

export function executionZoneSchema(): JSONSchemaProps {
  return obj(
    "An execution zone: the instances (pods or KubeVirt VMs) of one application spread over member clusters (providers) that satisfy the application's privacy rules, with its own VLAN, IPv6 network and DSCP marking. The paper's INIT message; a ZoneRelease is its STOP.",
    {
      apiVersion: str('The versioned schema of this object: zonekeeper.io/v1alpha1.'),
      kind: str('The kind of this object: ExecutionZone.'),
      metadata: metadata(
        'Standard object metadata. The REST gateway names a zone after its application id in lower case.',
      ),
      spec: spec(),
      status: status(),
    },
    ['spec'],
  );
}
