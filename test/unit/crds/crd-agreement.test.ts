// The CRDs and the TypeScript API types must not drift: every property of
// the types is in the schema and vice versa, with the same optionality, the
// same type and the same enum values. The types are read from source with
// the TypeScript compiler, so adding a field to one side only fails here.

import assert from 'node:assert/strict';
import { KINDS, crdFor } from '../../../tools/codegen/crds.js';
import type { JSONSchemaProps } from '../../../tools/codegen/json-schema.js';
import { disagreements } from './schema-agreement.js';
import { repoRoot } from './repo-files.js';
import { type Shape, TypeShapes } from './ts-shapes.js';

const TYPES = 'src/core/api/types.ts';
/** Where each kind's full object type is declared. */
const KIND_TYPES: Record<string, { file: string; type: string }> = {
  ExecutionZone: { file: TYPES, type: 'ExecutionZone' },
  ZoneRelease: { file: TYPES, type: 'ZoneRelease' },
  ProviderCluster: { file: TYPES, type: 'ProviderCluster' },
  PrivacyRegion: { file: TYPES, type: 'PrivacyRegion' },
};
/** Owned by the API server, not by our types. */
const ENVELOPE = ['apiVersion', 'kind', 'metadata'];

function withoutEnvelope(shape: Shape): Shape {
  assert.equal(shape.kind, 'object');
  if (shape.kind !== 'object') return shape;
  const props = new Map([...shape.props].filter(([k]) => !ENVELOPE.includes(k)));
  return { kind: 'object', props };
}

function schemaWithoutEnvelope(schema: JSONSchemaProps): JSONSchemaProps {
  const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => !ENVELOPE.includes(k)));
  return { ...schema, properties };
}

describe('CRD ↔ TypeScript type agreement', function () {
  this.timeout(60_000);
  let shapes: TypeShapes;
  before(() => {
    shapes = new TypeShapes(repoRoot(), [TYPES]);
  });

  it('has a TypeScript type for every CRD kind', () => {
    assert.deepEqual(KINDS.map((k) => k.kind).sort(), Object.keys(KIND_TYPES).sort());
  });

  for (const info of KINDS) {
    it(`${info.kind}: the schema has exactly the fields, optionality, types and enums of the TypeScript type`, () => {
      const where = KIND_TYPES[info.kind];
      assert.ok(where);
      const shape = withoutEnvelope(shapes.exported(where.file, where.type));
      const schema = schemaWithoutEnvelope(crdFor(info).spec.versions[0].schema.openAPIV3Schema);
      assert.deepEqual(disagreements(shape, schema, info.kind), []);
    });
  }

  it('keeps the envelope (apiVersion, kind, metadata) in every schema', () => {
    for (const info of KINDS) {
      const props = Object.keys(crdFor(info).spec.versions[0].schema.openAPIV3Schema.properties ?? {});
      for (const k of ENVELOPE) assert.ok(props.includes(k), `${info.kind} schema lacks ${k}`);
    }
  });

  describe('the comparison itself', () => {
    const zone = (): { shape: Shape; schema: JSONSchemaProps } => {
      const info = KINDS.find((k) => k.kind === 'ExecutionZone');
      assert.ok(info);
      return {
        shape: withoutEnvelope(shapes.exported(TYPES, 'ExecutionZone')),
        schema: schemaWithoutEnvelope(crdFor(info).spec.versions[0].schema.openAPIV3Schema),
      };
    };

    it('reports a field that only the schema has', () => {
      const { shape, schema } = zone();
      const spec = schema.properties!['spec'];
      spec.properties = { ...spec.properties, extra: { type: 'string', description: 'x' } };
      assert.deepEqual(disagreements(shape, schema, 'ExecutionZone'), [
        'ExecutionZone.spec.extra: in the schema, missing from the TS type',
      ]);
    });

    it('reports a field that only the TypeScript type has', () => {
      const { shape, schema } = zone();
      const group = schema.properties!['spec'].properties!['groups'].items!;
      const { image: _dropped, ...rest } = group.properties!;
      group.properties = rest;
      group.required = group.required!.filter((r) => r !== 'image');
      assert.deepEqual(disagreements(shape, schema, 'ExecutionZone'), [
        'ExecutionZone.spec.groups[].image: in the TS type, missing from the schema',
      ]);
    });

    it('reports a changed enum and a required/optional mismatch', () => {
      const { shape, schema } = zone();
      const group = schema.properties!['spec'].properties!['groups'].items!;
      group.properties!['environment'] = { ...group.properties!['environment'], enum: ['VM'] };
      group.required = [...group.required!, 'performance'];
      const found = disagreements(shape, schema, 'ExecutionZone');
      assert.equal(found.length, 2, found.join('\n'));
      assert.match(found.join('\n'), /groups\[\]\.environment: TS enum VM\|container, schema string enum VM/);
      assert.match(found.join('\n'), /groups\[\]\.performance: optional in TS, required in the schema/);
    });
  });
});
