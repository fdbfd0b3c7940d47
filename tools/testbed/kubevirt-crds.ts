// The KubeVirt VirtualMachine and VirtualMachineInstance CRDs (kubevirt.io/v1)
// as the test bed installs them in VM providers: the part of the schema
// zonekeeper writes and reads is typed, everything else is preserved, so a
// manifest that works here also fits real KubeVirt. Field names are
// client-node's model names (x_kubernetes_preserve_unknown_fields, _enum): its
// serializer maps them to the wire names and would drop unknown keys.

import type { V1CustomResourceDefinition, V1JSONSchemaProps } from '@kubernetes/client-node';

const str: V1JSONSchemaProps = { type: 'string' };
const int: V1JSONSchemaProps = { type: 'integer', format: 'int32' };
const bool: V1JSONSchemaProps = { type: 'boolean' };
const stringMap: V1JSONSchemaProps = { type: 'object', additionalProperties: { type: 'string' } };
// additionalProperties is passed through untouched by client-node's
// serializer, so it is written in wire names.
const quantityMap: V1JSONSchemaProps = {
  type: 'object',
  additionalProperties: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
};
const open: V1JSONSchemaProps = { type: 'object', x_kubernetes_preserve_unknown_fields: true };
// So is `items` (typed `any` there): an open list item in model names lost
// its preserve flag, and the API server pruned every VM network to `{}`.
const openList: V1JSONSchemaProps = {
  type: 'array',
  items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

const conditions: V1JSONSchemaProps = {
  type: 'array',
  items: {
    type: 'object',
    required: ['type', 'status'],
    properties: {
      type: str,
      status: str,
      reason: str,
      message: str,
      lastTransitionTime: { type: 'string', nullable: true },
      lastProbeTime: { type: 'string', nullable: true },
    },
  },
};

/** VirtualMachineInstanceSpec: CPU cores, memory request, container disks, node selector. */
const vmiSpec: V1JSONSchemaProps = {
  type: 'object',
  x_kubernetes_preserve_unknown_fields: true,
  required: ['domain'],
  properties: {
    domain: {
      type: 'object',
      x_kubernetes_preserve_unknown_fields: true,
      properties: {
        cpu: {
          type: 'object',
          x_kubernetes_preserve_unknown_fields: true,
          properties: { cores: int, sockets: int, threads: int },
        },
        memory: { type: 'object', x_kubernetes_preserve_unknown_fields: true, properties: { guest: str } },
        resources: {
          type: 'object',
          x_kubernetes_preserve_unknown_fields: true,
          properties: { requests: quantityMap, limits: quantityMap },
        },
        devices: open,
      },
    },
    volumes: {
      type: 'array',
      items: {
        type: 'object',
        x_kubernetes_preserve_unknown_fields: true,
        required: ['name'],
        properties: {
          name: str,
          containerDisk: {
            type: 'object',
            x_kubernetes_preserve_unknown_fields: true,
            required: ['image'],
            properties: { image: str, imagePullPolicy: str },
          },
          cloudInitNoCloud: {
            type: 'object',
            x_kubernetes_preserve_unknown_fields: true,
            properties: { userData: str, userDataBase64: str, networkData: str },
          },
        },
      },
    },
    networks: openList,
    nodeSelector: stringMap,
    affinity: open,
    tolerations: openList,
    terminationGracePeriodSeconds: { type: 'integer', format: 'int64' },
  },
};

const RUN_STRATEGIES = ['Always', 'RerunOnFailure', 'Manual', 'Halted', 'Once'];

function crd(
  kind: string,
  plural: string,
  shortNames: string[],
  schema: V1JSONSchemaProps,
  columns: { name: string; type: string; jsonPath: string }[],
): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.kubevirt.io`, labels: { 'zonekeeper.io/testbed': 'kubevirt-subset' } },
    spec: {
      group: 'kubevirt.io',
      scope: 'Namespaced',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames, categories: ['all'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: schema },
          additionalPrinterColumns: [
            ...columns,
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}

export function virtualMachineCrd(): V1CustomResourceDefinition {
  return crd(
    'VirtualMachine',
    'virtualmachines',
    ['vm', 'vms'],
    {
      type: 'object',
      properties: {
        apiVersion: str,
        kind: str,
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          x_kubernetes_preserve_unknown_fields: true,
          required: ['template'],
          properties: {
            runStrategy: { type: 'string', _enum: RUN_STRATEGIES },
            running: bool,
            template: {
              type: 'object',
              properties: { metadata: { type: 'object', x_kubernetes_preserve_unknown_fields: true }, spec: vmiSpec },
            },
            dataVolumeTemplates: openList,
          },
        },
        status: {
          type: 'object',
          x_kubernetes_preserve_unknown_fields: true,
          properties: { printableStatus: str, ready: bool, created: bool, conditions },
        },
      },
    },
    [
      { name: 'Status', type: 'string', jsonPath: '.status.printableStatus' },
      { name: 'Ready', type: 'boolean', jsonPath: '.status.ready' },
    ],
  );
}

export function virtualMachineInstanceCrd(): V1CustomResourceDefinition {
  return crd(
    'VirtualMachineInstance',
    'virtualmachineinstances',
    ['vmi', 'vmis'],
    {
      type: 'object',
      properties: {
        apiVersion: str,
        kind: str,
        metadata: { type: 'object' },
        spec: vmiSpec,
        status: {
          type: 'object',
          x_kubernetes_preserve_unknown_fields: true,
          properties: {
            phase: str,
            nodeName: str,
            conditions,
            interfaces: {
              type: 'array',
              items: {
                type: 'object',
                x_kubernetes_preserve_unknown_fields: true,
                properties: { name: str, ipAddress: str, ipAddresses: { type: 'array', items: str }, mac: str },
              },
            },
          },
        },
      },
    },
    [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'IP', type: 'string', jsonPath: '.status.interfaces[0].ipAddress' },
      { name: 'NodeName', type: 'string', jsonPath: '.status.nodeName' },
    ],
  );
}
