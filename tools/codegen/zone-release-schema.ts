// ZoneRelease: the paper's STOP message, with a trigger so a release can
// wait for a time, a duration or a monitored condition (network idleness;
// memory or I/O stall later). The trigger is an object of alternatives, so
// each condition is a further field and the existing ones do not change.

import { PROVIDER_NAME } from '../../src/core/catalogue/provider.js';
import { INSTANCE_NAME } from '../../src/core/messages/paper-messages.js';
import { GROUP_NAME } from '../../src/core/zones/zone-spec.js';
import { MAX_GROUPS } from './execution-zone-schema.js';
import { conditions, observedGeneration } from './condition-schema.js';
import type { JSONSchemaProps } from './json-schema.js';
import {
  arr,
  bool,
  enumOf,
  immutable,
  map,
  metadata,
  obj,
  patternOf,
  rule,
  str,
  withRules,
} from './schema-builders.js';
import { stallTrigger, usageObservedFields, usageTrigger } from './usage-trigger-schema.js';

/** Go-style durations (`90s`, `10m`, `1h30m`, `1.5h`), the units a release can sensibly wait for. */
export const DURATION = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';
/** A DNS subdomain: the name of an object in the namespace. */
export const OBJECT_NAME = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
export const RELEASE_PHASES = ['Pending', 'Waiting', 'Releasing', 'Succeeded', 'Failed'] as const;
const MAX_PROVIDERS = 64;

function trigger(): JSONSchemaProps {
  return withRules(
    obj('When the release takes effect. Exactly one field is set. Absent means immediately.', {
      immediate: bool('Release as soon as the operator sees the ZoneRelease. Must be true when set.'),
      at: str('Release at this time (RFC 3339, e.g. 2026-12-01T18:00:00Z). A time in the past releases at once.', {
        format: 'date-time',
        maxLength: 64,
      }),
      after: str(
        'Release this long after the ZoneRelease was created: a Go-style duration of h, m, s and ms parts (90s, 10m, 1h30m).',
        {
          pattern: DURATION,
          maxLength: 64,
        },
      ),
      idle: withRules(
        obj(
          "Release once the zone's network has been idle this long: no packet counted in its VLAN by the switches (needs the operator's switch sidecar). Measured from the ZoneRelease's creation or the last packet, whichever is later.",
          {
            for: str('How long the zone must be idle: a Go-style duration (10m, 1h30m), more than zero.', {
              pattern: DURATION,
              maxLength: 64,
            }),
          },
          ['for'],
        ),
        rule("self.__for__.matches('[1-9]')", 'for must be longer than zero', { fieldPath: '.for' }),
      ),
      usage: usageTrigger(DURATION),
      stall: stallTrigger(DURATION),
      completed: completedTrigger(),
    }),
    rule(
      '(has(self.immediate) ? 1 : 0) + (has(self.at) ? 1 : 0) + (has(self.after) ? 1 : 0) + (has(self.idle) ? 1 : 0)' +
        ' + (has(self.usage) ? 1 : 0) + (has(self.stall) ? 1 : 0) + (has(self.completed) ? 1 : 0) == 1',
      'exactly one of immediate, at, after, idle, usage, stall and completed must be set',
    ),
    rule(
      '!has(self.immediate) || self.immediate',
      'immediate must be true when set; omit the trigger or use at or after to release later',
      { fieldPath: '.immediate' },
    ),
  );
}

/**
 * `completed: {}`. Unknown fields are kept rather than pruned, so that a
 * field given here is refused (maxProperties) instead of silently dropped.
 */
function completedTrigger(): JSONSchemaProps {
  return obj(
    'Release once the application completed: every instance the release names finished successfully (a pod in phase Succeeded; a VM whose VirtualMachineInstance Succeeded, or that stopped under runStrategy Once or RerunOnFailure with no instance left). Meant for groups with restartPolicy OnFailure or Never. A named instance that failed keeps the release waiting, and status.observed.failed names it. Takes no fields: completed: {}.',
    {},
    [],
    { maxProperties: 0, 'x-kubernetes-preserve-unknown-fields': true },
  );
}

function spec(): JSONSchemaProps {
  const instances = withRules(
    map(
      'The instances to release, by provider name (as ExecutionZone status.instances shows it), e.g. {PrivateCloud2: [V2]}. Absent releases the whole zone. An unknown provider or instance name fails the release and releases nothing.',
      arr(
        'Instance names on that provider (C<n>, V<n>), each at most once.',
        str('An instance name, C<n> for containers or V<n> for VMs.', {
          pattern: patternOf(INSTANCE_NAME),
          maxLength: 6,
        }),
        {
          minItems: 1,
          maxItems: 1000,
          'x-kubernetes-list-type': 'set',
        },
      ),
      { minProperties: 1, maxProperties: MAX_PROVIDERS },
    ),
    rule(
      `self.all(p, p.matches('${patternOf(PROVIDER_NAME)}'))`,
      'provider names are 1–63 letters, digits or "-", starting and ending with a letter or digit',
    ),
  );
  return withRules(
    obj(
      "What to give back: the paper's STOP message for the zone zoneRef names: the whole zone, the listed instances, or every instance of the listed groups.",
      {
        zoneRef: immutable(
          obj(
            'The ExecutionZone to release from, in the same namespace. Immutable.',
            { name: str("The ExecutionZone's metadata.name.", { pattern: OBJECT_NAME, maxLength: 253 }) },
            ['name'],
          ),
          'zoneRef',
        ),
        instances,
        groups: arr(
          'Instance groups of the zone (spec.groups[].name) whose live instances to release, all of them, wherever they run. Not together with instances. An unknown group name fails the release and releases nothing. The names are resolved to instances when the release takes effect.',
          str('A group name.', { pattern: patternOf(GROUP_NAME), maxLength: 63 }),
          { minItems: 1, maxItems: MAX_GROUPS, 'x-kubernetes-list-type': 'set' },
        ),
        trigger: trigger(),
      },
      ['zoneRef'],
    ),
    rule('!(has(self.instances) && has(self.groups))', 'set instances or groups, not both', {
      fieldPath: '.groups',
    }),
    rule(
      'has(self.instances) == has(oldSelf.instances) && (!has(self.instances) || self.instances == oldSelf.instances)',
      'instances is immutable: create another ZoneRelease to release more',
      {
        fieldPath: '.instances',
      },
    ),
    rule(
      'has(self.groups) == has(oldSelf.groups) && (!has(self.groups) || self.groups == oldSelf.groups)',
      'groups is immutable: create another ZoneRelease to release more',
      { fieldPath: '.groups' },
    ),
  );
}

function status(): JSONSchemaProps {
  return obj('How the release went. Written only by the operator.', {
    observedGeneration: observedGeneration('ZoneRelease'),
    phase: enumOf(
      'Pending (not yet looked at), Waiting (for the trigger), Releasing, Succeeded or Failed (see the conditions; nothing was released).',
      RELEASE_PHASES,
    ),
    releaseTime: str('When the release takes (or took) effect, RFC 3339.', { format: 'date-time' }),
    released: map(
      'What was released, by provider: the instance names.',
      arr('Instance names released on that provider.', str('An instance name.')),
    ),
    observed: obj(
      "The trigger's monitored condition as last measured (idle, usage, stall, completed).",
      {
        condition: str('The trigger kind measured: idle, usage, stall or completed.'),
        observedTime: str('When it was measured, RFC 3339.', { format: 'date-time' }),
        packets: str("idle: packets the switches counted for the zone's VLAN, decimal."),
        bytes: str("idle: bytes the switches counted for the zone's VLAN, decimal."),
        lastPacketTime: str('idle: when the count last changed, or the release started watching, RFC 3339.', {
          format: 'date-time',
        }),
        ...usageObservedFields(),
        message: str('Why the last measurement could not be used, if it could not.'),
        completed: str('completed: the named instances that finished successfully, of all named, as 2/3.'),
        pending: arr(
          'completed: the named instances not finished yet, as provider/name.',
          str('provider/instance name.'),
        ),
        failed: arr(
          'completed: the named instances that finished unsuccessfully (they keep the release waiting), as provider/name.',
          str('provider/instance name.'),
        ),
      },
      ['condition'],
    ),
    conditions: conditions(
      'release',
      'Succeeded: False with reason Waiting or Releasing until done, then True; Failed: True when the release was refused',
    ),
  });
}

export function zoneReleaseSchema(): JSONSchemaProps {
  return obj(
    "A release of an execution zone's resources: the paper's STOP message. It releases the whole zone or only the named instances, at once, at a time or after a duration. Released instance names are never reused in the zone.",
    {
      apiVersion: str('The versioned schema of this object: zonekeeper.io/v1alpha1.'),
      kind: str('The kind of this object: ZoneRelease.'),
      metadata: metadata('Standard object metadata.'),
      spec: spec(),
      status: status(),
    },
    ['spec'],
  );
}
