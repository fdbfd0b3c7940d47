// ProviderCluster: one row of the paper's Table I, a member cluster of the
// catalogue. Cluster-scoped, named in lower case (fog1); spec.providerName
// keeps the paper's spelling (Fog1) for messages, Listing 3 and VPN links.

import { ENVIRONMENTS, PROVIDER_TIERS, RESOURCE_TYPES } from '../../src/core/api/types.js';
import { DNS_LABEL, PROVIDER_NAME } from '../../src/core/catalogue/provider.js';
import { INTERFACE_NAME, INTERFACE_NAME_RULE } from '../../src/core/network/zone-attachment.js';
import { conditions, observedGeneration } from './condition-schema.js';
import type { JSONSchemaProps } from './json-schema.js';
import { MAX_UINT32, country } from './privacy-schema.js';
import { arr, enumOf, int, metadata, obj, patternOf, rule, str, withRules } from './schema-builders.js';

const MAX_LIST = 256;

function capacity(description: string, required: boolean): JSONSchemaProps {
  const positive = required ? { minimum: 1 } : { minimum: 0 };
  return obj(
    description,
    {
      cores: int('CPU cores in total.', positive),
      memory: int('Memory in MiB in total.', positive),
      storage: int('Storage in MiB in total.', positive),
      gpus: int('Number of GPU devices (0 when absent). Required when resourceTypes contains GPU.', { minimum: 0 }),
      fpgas: int('Number of FPGA devices (0 when absent). Required when resourceTypes contains FPGA.', { minimum: 0 }),
    },
    ['cores', 'memory', 'storage'],
  );
}

function spec(): JSONSchemaProps {
  const devices = (type: 'GPU' | 'FPGA', field: 'gpus' | 'fpgas') =>
    // `!has(self.capacity)` keeps the rule right if capacity ever becomes optional (taken from node allocatable).
    rule(
      `!has(self.capacity) || !self.resourceTypes.exists(t, t == '${type}') || has(self.capacity.${field})`,
      `capacity.${field} is required when resourceTypes contains ${type}: an unknown device count is never assumed`,
      {
        fieldPath: `.capacity.${field}`,
        reason: 'FieldValueRequired',
      },
    );
  return withRules(
    obj(
      'What the provider is and offers: the Table I row (country, tier, environment, resource types, equipment) plus capacity and how to reach the member cluster.',
      {
        providerName: str(
          "The provider's name in messages, Listing 3 and VPN links (Fog1, PrivateCloud2); Kubernetes names are lower case, so the paper's spelling is kept here. Defaults to metadata.name.",
          { pattern: patternOf(PROVIDER_NAME), maxLength: 63 },
        ),
        catalogueOrder: int(
          'Position in the catalogue; first-fit walks providers in this order (then by name). Absent sorts last.',
          { minimum: 0 },
        ),
        country: country(
          'Where the provider is: an ITU-T E.212 mobile country code (242 for Norway) or an ISO 3166-1 alpha-2 code (NO). The regions and countries rules of every zone are checked against it.',
        ),
        tier: enumOf(
          'cloud or fog. Table I\'s "Cloud/Fog" providers (Fog1, Fog2) are fog. A zone\'s platformType selects the tiers it may use.',
          PROVIDER_TIERS,
        ),
        environment: enumOf(
          'What the member runs: VM (KubeVirt VirtualMachines) or container (pods). A group goes only to a provider of its environment.',
          ENVIRONMENTS,
        ),
        resourceTypes: arr(
          'The resource types on offer (CPU, GPU, FPGA), each at most once. GPU needs capacity.gpus and FPGA capacity.fpgas.',
          enumOf('A resource type.', RESOURCE_TYPES),
          {
            minItems: 1,
            maxItems: RESOURCE_TYPES.length,
            'x-kubernetes-list-type': 'set',
          },
        ),
        equipment: arr(
          "IANA private enterprise numbers of the network-equipment vendors on the provider's path (9 Cisco, 11 HP, 2011 Huawei). Zones' equipment rules are checked against every one; none declared fails any equipment list holding a deny rule.",
          int('A PEN, 1 to 4294967295.', { minimum: 1, maximum: MAX_UINT32 }),
          { maxItems: MAX_LIST, 'x-kubernetes-list-type': 'set' },
        ),
        autonomousSystems: arr(
          "Autonomous-system numbers the provider's traffic passes. Zones' autonomousSystems rules are checked against every one; none declared fails any list holding a deny rule.",
          int('An AS number, 1 to 4294967295.', { minimum: 1, maximum: MAX_UINT32 }),
          { maxItems: MAX_LIST, 'x-kubernetes-list-type': 'set' },
        ),
        capacity: capacity(
          "Capacity of the provider: totals over its nodes, not per node. The operator may lower it to the member's node allocatable (status.capacity).",
          true,
        ),
        kubeconfigSecretRef: obj(
          "The Secret, in the operator's namespace, holding a kubeconfig for the member cluster (for the zonekeeper-member ServiceAccount of deploy/member-rbac.yaml).",
          {
            name: str("The Secret's name.", { pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 }),
            key: str('The data key holding the kubeconfig. Defaults to "kubeconfig".', { maxLength: 253 }),
          },
          ['name'],
        ),
        switch: obj(
          "The provider's P4 switch, programmed through P4Runtime by the sidecar.",
          {
            address: str('The P4Runtime gRPC endpoint, host:port (9559 is the usual port).', {
              minLength: 1,
              maxLength: 253,
              pattern: '^[^\\s]+:[0-9]{1,5}$',
            }),
            deviceId: int(
              "The P4Runtime device_id of the switch (a uint64; BMv2 simple_switch_grpc uses 1 unless started otherwise). Absent: the sidecar's default.",
              { format: 'int64', minimum: 0 },
            ),
          },
          ['address'],
        ),
        network: obj(
          "How the member's nodes reach the provider's switch. Without it no instance is created on this provider: the zones placed here say NetworkAttached=False, reason UplinkMissing, until it is set.",
          {
            uplink: withRules(
              str(
                "The interface, on every member node that may run a zone's instance, wired to the provider's switch port (eth1, bond0, ens2f0). Each zone gets a VLAN sub-interface of it (Multus with the vlan CNI plugin; docs/network.md). Changing it applies to instances created afterwards; running ones keep their interface until recreated.",
                { minLength: 1, maxLength: 15, pattern: patternOf(INTERFACE_NAME) },
              ),
              rule(`self.matches('${patternOf(INTERFACE_NAME)}')`, INTERFACE_NAME_RULE),
            ),
          },
          ['uplink'],
        ),
      },
      ['country', 'tier', 'environment', 'resourceTypes', 'capacity'],
    ),
    devices('GPU', 'gpus'),
    devices('FPGA', 'fpgas'),
  );
}

function status(): JSONSchemaProps {
  return obj('What the operator sees of the member. Written only by the operator.', {
    observedGeneration: observedGeneration('ProviderCluster'),
    capacity: capacity(
      "The capacity placement uses: the spec, or the member's node allocatable when that is lower.",
      false,
    ),
    allocated: capacity('Capacity held by zones placed on the provider.', false),
    conditions: conditions(
      'provider',
      'Reachable (the member API server answers) and the summary Ready (takes new placements)',
    ),
  });
}

export function providerClusterSchema(): JSONSchemaProps {
  return obj(
    "A provider of the catalogue (a row of the paper's Table I): a member cluster in a country, of a tier (cloud or fog), running VMs or containers, with the resources, equipment and capacity it offers. Cluster-scoped.",
    {
      apiVersion: str('The versioned schema of this object: zonekeeper.io/v1alpha1.'),
      kind: str('The kind of this object: ProviderCluster.'),
      metadata: metadata(
        'Standard object metadata.',
        withRules(
          str('A DNS label, by convention the provider name in lower case (fog1 for Fog1).', { maxLength: 63 }),
          rule(
            `self.matches('${patternOf(DNS_LABEL)}')`,
            'must be a DNS label: 1–63 lower-case letters, digits or "-" (e.g. fog1)',
          ),
        ),
      ),
      spec: spec(),
      status: status(),
    },
    ['spec'],
  );
}
