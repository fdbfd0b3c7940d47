// The field reference of docs/api.md, rendered from the CRD schemas: every
// field of every kind with its type, whether it is required, its
// description and its constraints (enums, bounds, patterns, CEL rules).
// Generated, so the reference can never miss a field or tell an old limit.

import type { CustomResourceDefinition, JSONSchemaProps } from './json-schema.js';

export const BEGIN = '<!-- BEGIN GENERATED FIELD REFERENCE (npm run gen:crds) -->';
export const END = '<!-- END GENERATED FIELD REFERENCE -->';

function typeText(n: JSONSchemaProps): string {
  if (n['x-kubernetes-int-or-string']) return 'integer or string';
  if (n.type === 'array') return `[]${n.items ? typeText(n.items) : ''}`;
  if (n.type === 'object' && n.additionalProperties && !n.properties)
    return `map[string]${typeText(n.additionalProperties)}`;
  return n.type ?? 'any';
}

function cell(s: string): string {
  // < and > would read as HTML tags (C<n>) outside code spans.
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function constraints(n: JSONSchemaProps): string[] {
  const out: string[] = [];
  if (n.enum)
    out.push(`one of ${n.enum.map((e) => `\`${typeof e === 'string' ? e : JSON.stringify(e)}\``).join(', ')}`);
  if (n.minimum !== undefined || n.maximum !== undefined) out.push(`${n.minimum ?? '…'} to ${n.maximum ?? '…'}`);
  if (n.minItems !== undefined || n.maxItems !== undefined)
    out.push(`${n.minItems ?? 0} to ${n.maxItems ?? '…'} items`);
  if (n.minProperties !== undefined || n.maxProperties !== undefined)
    out.push(`${n.minProperties ?? 0} to ${n.maxProperties ?? '…'} entries`);
  if (n.maxLength !== undefined && n.type === 'string') out.push(`at most ${n.maxLength} characters`);
  if (n.pattern !== undefined) out.push(`pattern \`${n.pattern}\``);
  if (n.format !== undefined) out.push(`format ${n.format}`);
  if (n['x-kubernetes-list-type'] === 'set') out.push('unique items');
  if (n['x-kubernetes-list-type'] === 'map')
    out.push(`unique by ${(n['x-kubernetes-list-map-keys'] ?? []).join(', ')}`);
  for (const r of n['x-kubernetes-validations'] ?? []) out.push(`rule: ${r.message ?? r.rule}`);
  return out;
}

function rows(n: JSONSchemaProps, path: string, required: boolean, out: string[]): void {
  const extra = constraints(n);
  const desc = [n.description ?? '', extra.length > 0 ? `*${extra.join('; ')}*` : ''].filter((x) => x !== '').join(' ');
  out.push(`| \`${path}\` | ${cell(typeText(n))} | ${required ? 'yes' : ''} | ${cell(desc)} |`);
  const req = new Set(n.required ?? []);
  for (const [k, child] of Object.entries(n.properties ?? {})) rows(child, `${path}.${k}`, req.has(k), out);
  if (n.items && (n.items.properties || n.items.additionalProperties)) {
    const itemReq = new Set(n.items.required ?? []);
    for (const [k, child] of Object.entries(n.items.properties ?? {}))
      rows(child, `${path}[].${k}`, itemReq.has(k), out);
    if (n.items.additionalProperties) rows(n.items.additionalProperties, `${path}[].*`, false, out);
  }
  if (n.additionalProperties) rows(n.additionalProperties, `${path}.<key>`, false, out);
}

export function renderReference(crds: readonly CustomResourceDefinition[]): string {
  const out: string[] = [BEGIN, ''];
  for (const crd of crds) {
    const v = crd.spec.versions[0];
    if (!v) continue;
    const root = v.schema.openAPIV3Schema;
    const n = crd.spec.names;
    out.push(`### ${n.kind}`, '');
    out.push(
      `\`${crd.spec.group}/${v.name}\`, ${crd.spec.scope === 'Cluster' ? 'cluster-scoped' : 'namespaced'}; \`kubectl get ${n.plural}\` (short name \`${n.shortNames.join(', ')}\`, category \`${n.categories.join(', ')}\`).`,
      '',
    );
    out.push(root.description ?? '', '');
    for (const r of root['x-kubernetes-validations'] ?? []) out.push(`Rule: ${r.message ?? r.rule}`, '');
    out.push(
      `Columns of \`kubectl get\`: ${v.additionalPrinterColumns.map((c) => `${c.name}${c.priority ? ' (-o wide)' : ''}`).join(', ')}.`,
      '',
    );
    for (const part of ['spec', 'status'] as const) {
      const node = root.properties?.[part];
      if (!node) continue;
      out.push('| Field | Type | Required | Description |', '|---|---|---|---|');
      rows(node, part, (root.required ?? []).includes(part), out);
      out.push('');
    }
  }
  out.push(END);
  return out.join('\n');
}

/** Replaces the generated block of a Markdown file (or appends it when there is none). */
export function withReference(markdown: string, crds: readonly CustomResourceDefinition[]): string {
  const block = renderReference(crds);
  const start = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) return `${markdown.trimEnd()}\n\n${block}\n`;
  return markdown.slice(0, start) + block + markdown.slice(end + END.length);
}
