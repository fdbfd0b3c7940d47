// Small constructors for structural schema nodes. Every constructor takes
// the description first, so a field without one does not type-check: the
// description is what `kubectl explain` prints, and the API is taught there.

import type { JSONSchemaProps, ValidationRule } from './json-schema.js';

type Extra = Omit<JSONSchemaProps, 'type' | 'description' | 'properties' | 'items' | 'additionalProperties'>;

export function str(description: string, extra: Extra = {}): JSONSchemaProps {
  return { description, type: 'string', ...extra };
}

export function int(description: string, extra: Extra = {}): JSONSchemaProps {
  return { description, type: 'integer', ...extra };
}

export function bool(description: string, extra: Extra = {}): JSONSchemaProps {
  return { description, type: 'boolean', ...extra };
}

/** String enum; the values come from the core's constant lists so the two cannot differ. */
export function enumOf(description: string, values: readonly string[], extra: Extra = {}): JSONSchemaProps {
  return { description, type: 'string', enum: [...values], ...extra };
}

/**
 * An object with named properties. `required` lists the properties a valid
 * object must have; the agreement test checks it against the optional
 * markers of the TypeScript types.
 */
export function obj(
  description: string,
  properties: Record<string, JSONSchemaProps>,
  required: string[] = [],
  extra: Extra = {},
): JSONSchemaProps {
  const node: JSONSchemaProps = { description, type: 'object', properties };
  if (required.length > 0) node.required = [...required].sort();
  return { ...node, ...extra };
}

export function arr(description: string, items: JSONSchemaProps, extra: Extra = {}): JSONSchemaProps {
  return { description, type: 'array', items, ...extra };
}

/** A string-keyed map (`Record<string, V>` in the TypeScript types). */
export function map(description: string, values: JSONSchemaProps, extra: Extra = {}): JSONSchemaProps {
  return { description, type: 'object', additionalProperties: values, ...extra };
}

/** `number | string` in the TypeScript types: an MCC or an alpha-2 code. */
export function intOrString(description: string, extra: Extra = {}): JSONSchemaProps {
  return { description, 'x-kubernetes-int-or-string': true, ...extra };
}

/**
 * The root `metadata` node. The API server owns its schema: it rejects
 * anything here but `type` and restrictions on `name`/`generateName` (not
 * even a description), so the description is for the reference docs only
 * and is not emitted.
 */
export function metadata(_description: string, name?: JSONSchemaProps): JSONSchemaProps {
  return name ? { type: 'object', properties: { name } } : { type: 'object' };
}

export function rule(
  expression: string,
  message: string,
  extra: Omit<ValidationRule, 'rule' | 'message'> = {},
): ValidationRule {
  return { rule: expression, message, ...extra };
}

/** Adds CEL rules to a node (kept separate so the node's own shape reads first). */
export function withRules(node: JSONSchemaProps, ...rules: ValidationRule[]): JSONSchemaProps {
  return { ...node, 'x-kubernetes-validations': [...(node['x-kubernetes-validations'] ?? []), ...rules] };
}

/** A field that, once set, can never change (a CEL transition rule). */
export function immutable(node: JSONSchemaProps, what: string): JSONSchemaProps {
  return withRules(node, rule('self == oldSelf', `${what} is immutable`));
}

/** RE2 (the API server) and ECMAScript (the core) agree on these patterns; strip the JS-only flags. */
export function patternOf(re: RegExp): string {
  if (re.flags !== '') throw new Error(`pattern ${re.source} uses flags ${re.flags}, which a CRD cannot carry`);
  return re.source;
}
