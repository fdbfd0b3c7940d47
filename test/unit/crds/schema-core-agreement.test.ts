// The CRD schema and the core's validators accept the same instance groups
// and providers: a value near every limit, of every enum and of the wrong
// type is judged alike by the structural schema (what the API server
// checks) and by checkGroupFields / providerFromManifest (what zonectl and
// the REST gateway check). CEL rules are out of scope here; the admission
// integration tests cover them.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allCrds } from '../../../tools/codegen/crds.js';
import type { JSONSchemaProps } from '../../../tools/codegen/json-schema.js';
import type { InstanceGroup } from '../../../src/core/api/types.js';
import { providerFromManifest } from '../../../src/core/catalogue/provider.js';
import type { FieldError } from '../../../src/core/errors.js';
import { checkGroupFields, LIMITS } from '../../../src/core/zones/zone-spec.js';
import { validate } from './schema-validator.js';

function node(kind: string, path: string): JSONSchemaProps {
  const crd = allCrds().find((c) => c.spec.names.kind === kind);
  let n = crd?.spec.versions[0]?.schema.openAPIV3Schema;
  for (const p of path.split('.')) n = p === '[]' ? n?.items : n?.properties?.[p];
  if (!n) throw new Error(`${kind} has no ${path}`);
  return n;
}

/** Integers around 1 and the limit, and values of the wrong type. */
const sized = (max: number) =>
  fc.oneof(
    fc.constantFrom(-1, 0, 1, 2, max - 1, max, max + 1),
    fc.integer({ min: -5, max: max + 5 }),
    fc.constantFrom(1.5, '4', null, true),
  );

const group = fc.record({
  name: fc.oneof(
    fc.constantFrom('init-1', 'gpu', 'a', 'Init-1', '-x', 'x-', 'a'.repeat(63), 'a'.repeat(64), 'a_b', ''),
    fc.stringMatching(/^[a-z0-9-]{1,8}$/),
  ),
  environment: fc.constantFrom('VM', 'container', 'vm', 'Container', 'pod', 5),
  platformType: fc.constantFrom('cloud', 'fog', 'cloud+fog', 'edge', 'Cloud'),
  resourceType: fc.constantFrom('CPU', 'GPU', 'FPGA', 'TPU', 'cpu'),
  count: sized(LIMITS.count),
  cores: sized(LIMITS.cores),
  memory: sized(LIMITS.memory),
  storage: sized(LIMITS.storage),
  image: fc.constantFrom('Ubuntu-22.04', 'quay.io/containerdisks/fedora:latest', '', '   ', 'x'),
  performance: fc.constantFrom(undefined, 'latency', 'tolerant', 'fast'),
});

describe('CRD schema ↔ core validators', () => {
  it('judge instance groups alike', () => {
    const schema = node('ExecutionZone', 'spec.groups.[]');
    fc.assert(
      fc.property(group, (g) => {
        const obj = Object.fromEntries(Object.entries(g).filter(([, v]) => v !== undefined));
        const errors: FieldError[] = [];
        checkGroupFields(obj as unknown as InstanceGroup, 'g', errors);
        const schemaErrors = validate(schema, obj, 'g');
        assert.equal(
          schemaErrors.length === 0,
          errors.length === 0,
          `schema: ${JSON.stringify(schemaErrors)}\ncore: ${JSON.stringify(errors)}\n${JSON.stringify(obj)}`,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('judge provider capacities, tiers and environments alike (case aside)', () => {
    const schema = node('ProviderCluster', 'spec');
    const spec = fc.record(
      {
        country: fc.constantFrom(242, 238, 'NO'),
        tier: fc.constantFrom('cloud', 'fog', 'edge'),
        environment: fc.constantFrom('VM', 'container', 'metal'),
        resourceTypes: fc.constantFrom(['CPU'], ['CPU', 'GPU'], ['FPGA'], [], ['TPU']),
        // Device counts always present: when they are required is a CEL rule, covered by the admission tests.
        capacity: fc.record({
          cores: sized(4096),
          memory: sized(1 << 20),
          storage: sized(1 << 22),
          gpus: fc.constantFrom(0, 1, 2, -1),
          fpgas: fc.constantFrom(0, 1, -1),
        }),
        network: fc.oneof(
          fc.record({
            uplink: fc.oneof(
              fc.constantFrom('eth1', 'bond0.10', 'ens2f0', 'zkup-fog1', 'a'.repeat(15), 'a'.repeat(16)),
              fc.constantFrom('eth:1', 'eth 1', 'eth/1', '.', '..', '', '-x', '_x', 'é0', 5, null),
              fc.stringMatching(/^[A-Za-z0-9_.:-]{1,17}$/),
            ),
          }),
          fc.constant({}),
        ),
      },
      { requiredKeys: ['country', 'tier', 'environment', 'resourceTypes', 'capacity'] },
    );
    fc.assert(
      fc.property(spec, (s) => {
        const core = providerFromManifest({
          apiVersion: 'zonekeeper.io/v1alpha1',
          kind: 'ProviderCluster',
          metadata: { name: 'p1' },
          spec: s,
        });
        const schemaErrors = validate(schema, s, 'spec');
        assert.equal(
          schemaErrors.length === 0,
          core.errors.length === 0,
          `schema: ${JSON.stringify(schemaErrors)}\ncore: ${JSON.stringify(core.errors)}\n${JSON.stringify(s)}`,
        );
      }),
      { numRuns: 1000 },
    );
  });
});
