// The Multus NetworkAttachmentDefinition CRD (k8s.cni.cncf.io/v1) as the
// test bed installs it in every member: the schema of the Network Plumbing
// Working Group's specification (a namespaced object whose spec.config is
// the CNI configuration as a JSON string), so the objects zonekeeper writes
// here are the ones a member running Multus takes.

import type { V1CustomResourceDefinition } from '@kubernetes/client-node';

export function networkAttachmentDefinitionCrd(): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'network-attachment-definitions.k8s.cni.cncf.io' },
    spec: {
      group: 'k8s.cni.cncf.io',
      scope: 'Namespaced',
      names: {
        kind: 'NetworkAttachmentDefinition',
        plural: 'network-attachment-definitions',
        singular: 'network-attachment-definition',
        shortNames: ['net-attach-def'],
      },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              description: 'A network a pod may ask to be attached to, by name, in its own namespace.',
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: {
                  description: 'How the attachment is made.',
                  type: 'object',
                  properties: {
                    config: {
                      description: 'The CNI configuration (a single plugin or a plugin list), as JSON text.',
                      type: 'string',
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
