// Compares a TypeScript shape (ts-shapes.ts) with a CRD schema node and
// names every disagreement by path: a property on one side only, a
// required/optional mismatch, a different type or a different enum.

import type { JSONSchemaProps } from '../../../tools/codegen/json-schema.js';
import type { Shape } from './ts-shapes.js';

export function disagreements(shape: Shape, schema: JSONSchemaProps, path: string): string[] {
  const out: string[] = [];
  const say = (m: string): void => {
    out.push(`${path}: ${m}`);
  };
  switch (shape.kind) {
    case 'string':
      if (schema.type !== 'string') say(`TS string, schema ${schema.type ?? 'untyped'}`);
      else if (schema.enum)
        say(`TS string, schema has an enum (${schema.enum.map(String).join(', ')}); make the TS type a union`);
      break;
    case 'number':
      if (schema.type !== 'integer' && schema.type !== 'number') say(`TS number, schema ${schema.type ?? 'untyped'}`);
      break;
    case 'boolean':
      if (schema.type !== 'boolean') say(`TS boolean, schema ${schema.type ?? 'untyped'}`);
      break;
    case 'enum': {
      const values = (schema.enum ?? []).map(String).sort();
      if (schema.type !== 'string' || values.join('|') !== shape.values.join('|'))
        say(
          `TS enum ${shape.values.join('|')}, schema ${schema.type ?? 'untyped'} enum ${values.join('|') || '(none)'}`,
        );
      break;
    }
    case 'int-or-string':
      if (!schema['x-kubernetes-int-or-string']) say(`TS number | string, schema is not x-kubernetes-int-or-string`);
      break;
    case 'array':
      if (schema.type !== 'array' || !schema.items) say(`TS array, schema ${schema.type ?? 'untyped'}`);
      else out.push(...disagreements(shape.items, schema.items, `${path}[]`));
      break;
    case 'map':
      if (schema.type !== 'object' || !schema.additionalProperties || schema.properties)
        say('TS Record<string, …>, schema is not a map (additionalProperties)');
      else out.push(...disagreements(shape.values, schema.additionalProperties, `${path}.*`));
      break;
    case 'object': {
      if (schema.type !== 'object' || !schema.properties) {
        say(`TS object, schema ${schema.type ?? 'untyped'}${schema.additionalProperties ? ' map' : ''}`);
        break;
      }
      const required = new Set(schema.required ?? []);
      for (const [name, p] of shape.props) {
        const sub = schema.properties[name];
        if (!sub) {
          out.push(`${path}.${name}: in the TS type, missing from the schema`);
          continue;
        }
        if (p.optional === required.has(name))
          out.push(
            `${path}.${name}: ${p.optional ? 'optional in TS, required in the schema' : 'required in TS, optional in the schema'}`,
          );
        out.push(...disagreements(p.shape, sub, `${path}.${name}`));
      }
      for (const name of Object.keys(schema.properties))
        if (!shape.props.has(name)) out.push(`${path}.${name}: in the schema, missing from the TS type`);
      for (const name of required)
        if (!(name in schema.properties)) out.push(`${path}.${name}: required by the schema but not a property`);
      break;
    }
  }
  return out;
}
