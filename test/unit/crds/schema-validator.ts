// A small validator for the structural part of a CRD schema: types,
// required, enum, pattern, lengths, bounds, list-type set/map uniqueness,
// date-time format and unknown fields. CEL rules are NOT evaluated here:
// the admission integration tests run them on a real API server. Unknown
// fields are errors (the API server would prune them silently, which hides
// a misspelt field in an example).

import type { JsonValue, JSONSchemaProps } from '../../../tools/codegen/json-schema.js';

export interface SchemaError {
  path: string;
  reason: string;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(expected: JSONSchemaProps['type'], v: unknown): boolean {
  const t = typeOf(v);
  if (expected === 'number') return t === 'number' || t === 'integer';
  return t === expected;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function validate(schema: JSONSchemaProps, value: unknown, path = ''): SchemaError[] {
  const errors: SchemaError[] = [];
  const err = (reason: string, at = path): void => {
    errors.push({ path: at === '' ? '<root>' : at, reason });
  };
  if (schema['x-kubernetes-int-or-string']) {
    const t = typeOf(value);
    if (t !== 'integer' && t !== 'string') err(`must be an integer or a string, got ${t}`);
  } else if (schema.type !== undefined && !typeMatches(schema.type, value)) {
    err(`must be of type ${schema.type}, got ${typeOf(value)}`);
    return errors;
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => same(e, value)))
    err(
      `unsupported value ${JSON.stringify(value)}; supported: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    );
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      err(`must be at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && length > schema.maxLength)
      err(`must be at most ${schema.maxLength} characters`);
    // Unanchored, as Go's regexp.MatchString: the patterns anchor themselves.
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
      err(`must match ${schema.pattern}`);
    if (schema.format === 'date-time' && !DATE_TIME.test(value)) err('must be an RFC 3339 date-time');
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) err(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) err(`must be at most ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      err(`must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      err(`must have at most ${schema.maxItems} items`);
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set') {
      value.forEach((v, i) => {
        if (value.findIndex((w) => same(v, w)) !== i) err(`duplicate value ${JSON.stringify(v)}`, `${path}[${i}]`);
      });
    }
    if (listType === 'map') {
      const keys = schema['x-kubernetes-list-map-keys'] ?? [];
      const keyOf = (v: unknown): string => JSON.stringify(keys.map((k) => (v as Record<string, unknown>)?.[k]));
      value.forEach((v, i) => {
        if (value.findIndex((w) => keyOf(v) === keyOf(w)) !== i) err(`duplicate key ${keyOf(v)}`, `${path}[${i}]`);
      });
    }
    if (schema.items)
      value.forEach((v, i) => errors.push(...validate(schema.items as JSONSchemaProps, v, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, JsonValue>;
    const keys = Object.keys(obj);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties)
      err(`must have at least ${schema.minProperties} entries`);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties)
      err(`must have at most ${schema.maxProperties} entries`);
    for (const r of schema.required ?? []) if (!(r in obj)) err('is required', path === '' ? r : `${path}.${r}`);
    const child = (k: string): string => (path === '' ? k : `${path}.${k}`);
    if (schema.properties) {
      for (const k of keys) {
        const sub = schema.properties[k];
        if (sub) errors.push(...validate(sub, obj[k], child(k)));
        // The root metadata schema only restricts name; the API server owns the rest.
        else if (!schema['x-kubernetes-preserve-unknown-fields'] && path !== 'metadata') err('unknown field', child(k));
      }
    } else if (schema.additionalProperties) {
      for (const k of keys) errors.push(...validate(schema.additionalProperties, obj[k], child(k)));
    }
  }
  return errors;
}

/** Validates a whole object against its CRD's schema; `metadata` is the API server's business. */
export function validateObject(schema: JSONSchemaProps, obj: unknown): SchemaError[] {
  return validate(schema, obj);
}
