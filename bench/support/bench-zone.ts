// The ExecutionZone the operator benchmarks create: one group of one-core
// container instances on cloud or fog, named by its application id.
import type { ExecutionZone } from '../../src/core/api/types.js';

export function benchZone(
  id: string,
  namespace: string,
  count: number,
  size: { memory: number; storage: number } = { memory: 256, storage: 1024 },
): ExecutionZone {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name: id, namespace },
    spec: {
      applicationId: id,
      groups: [
        {
          name: 'g1',
          environment: 'container',
          platformType: 'cloud+fog',
          resourceType: 'CPU',
          count,
          cores: 1,
          ...size,
          image: 'busybox',
        },
      ],
    },
  };
}
