// Manifests checked the way the API server checks them with strict field
// validation, against the openAPIV3Schema of the CRDs this repository
// installs (crds/*.yaml, generated from the same schema builders): an
// unknown or misspelt field is an error, and so is every breach of a
// type, enum, range, length, pattern or item limit. CEL rules are left to
// the core's own checks, which say the same things.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { type FieldError, joinPath, quote } from '../core/errors.js';

export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: string;
}

/** The fields of ObjectMeta a manifest may set; the CRD schema lists only those it constrains. */
const OBJECT_META = new Set([
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'finalizers',
  'ownerReferences',
  'managedFields',
  'selfLink',
]);

/** Errors reported per document at most; the rest are counted. */
const MAX_ERRORS = 20;

function repoFile(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, ...parts);
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`cannot find ${parts.join('/')} next to zonectl's package.json`);
}

const schemas = new Map<string, SchemaNode>();
const patterns = new Map<string, RegExp>();

function compiled(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) patterns.set(pattern, (re = new RegExp(pattern)));
  return re;
}

/** The openAPIV3Schema of a zonekeeper.io kind, from the CRD the operator installs. */
export function crdSchema(kind: 'ProviderCluster' | 'PrivacyRegion' | 'ExecutionZone' | 'ZoneRelease'): SchemaNode {
  let s = schemas.get(kind);
  if (!s) {
    const file = repoFile('crds', `${kind.toLowerCase()}s.zonekeeper.io.yaml`);
    const crd = yaml.load(readFileSync(file, 'utf8')) as {
      spec: { versions: { schema: { openAPIV3Schema: SchemaNode } }[] };
    };
    s = crd.spec.versions[0].schema.openAPIV3Schema;
    schemas.set(kind, s);
  }
  return s;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Every breach of `schema` in `value`, up to MAX_ERRORS. */
export function checkAgainstSchema(value: unknown, schema: SchemaNode, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  let dropped = 0;
  const report = (p: string, reason: string) => {
    if (errors.length < MAX_ERRORS) errors.push({ path: p, reason });
    else dropped++;
  };
  const visit = (v: unknown, s: SchemaNode, p: string, meta: boolean): void => {
    if (errors.length >= MAX_ERRORS) {
      dropped++;
      return;
    }
    if (s['x-kubernetes-int-or-string']) {
      if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))))
        return report(p, `must be an integer or a string, got ${typeName(v)}`);
    } else if (s.type !== undefined) {
      const t = typeName(v);
      const okType =
        s.type === 'number' ? t === 'number' || t === 'integer' : s.type === 'array' ? t === 'list' : t === s.type;
      if (!okType)
        return report(
          p,
          `must be ${s.type === 'array' ? 'a list' : `of type ${s.type}`}, got ${t === 'string' || t === 'integer' || t === 'number' ? `${t} ${quote(v)}` : t}`,
        );
    }
    if (s.enum && !s.enum.includes(v))
      return report(p, `must be one of ${s.enum.map((e) => String(e)).join(', ')}, got ${quote(v)}`);
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) report(p, `must be at least ${s.minimum}, got ${v}`);
      if (s.maximum !== undefined && v > s.maximum) report(p, `must be at most ${s.maximum}, got ${v}`);
    }
    if (typeof v === 'string') {
      if (s.maxLength !== undefined && v.length > s.maxLength)
        return report(p, `must be at most ${s.maxLength} characters, got ${v.length}`);
      if (s.minLength !== undefined && v.length < s.minLength)
        return report(p, `must be at least ${s.minLength} characters, got ${quote(v)}`);
      if (s.pattern !== undefined && !compiled(s.pattern).test(v))
        report(p, `must match ${s.pattern}, got ${quote(v)}`);
    }
    if (Array.isArray(v)) {
      if (s.maxItems !== undefined && v.length > s.maxItems)
        return report(p, `must have at most ${s.maxItems} items, got ${v.length}`);
      if (s.minItems !== undefined && v.length < s.minItems)
        report(p, `must have at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}, got ${v.length}`);
      if (s['x-kubernetes-list-type'] === 'set') {
        const seen = new Set<unknown>();
        v.forEach((item, i) => {
          if (typeof item !== 'object' && seen.has(item)) report(joinPath(p, i), `duplicate value ${quote(item)}`);
          seen.add(item);
        });
      }
      if (s.items) v.forEach((item, i) => visit(item, s.items as SchemaNode, joinPath(p, i), false));
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      if (s.maxProperties !== undefined && keys.length > s.maxProperties)
        return report(p, `must have at most ${s.maxProperties} entries, got ${keys.length}`);
      if (s.minProperties !== undefined && keys.length < s.minProperties)
        report(p, `must have at least ${s.minProperties} entries`);
      for (const r of s.required ?? [])
        if (obj[r] === undefined || obj[r] === null) report(joinPath(p, r), 'is required');
      for (const k of keys) {
        const child = s.properties?.[k];
        const kp = joinPath(p, k);
        if (child) visit(obj[k], child, kp, p === '' && k === 'metadata');
        else if (typeof s.additionalProperties === 'object') visit(obj[k], s.additionalProperties, kp, false);
        else if (meta && OBJECT_META.has(k)) continue;
        else if (!s['x-kubernetes-preserve-unknown-fields'] && s.additionalProperties !== true)
          report(kp, 'unknown field (misspelt, or not part of this kind)');
      }
    }
  };
  visit(value, schema, path, false);
  if (dropped > 0) errors.push({ path, reason: `and ${dropped} more problem${dropped === 1 ? '' : 's'}` });
  return errors;
}
