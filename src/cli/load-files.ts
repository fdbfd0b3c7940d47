// Reading the files zonectl takes: ProviderCluster (and PrivacyRegion)
// manifests as multi-document YAML or JSON, and a JSON array of messages.
// Every problem becomes a FileError that names the file, the document and
// the field.

import { readFileSync, statSync } from 'node:fs';
import yaml from 'js-yaml';
import type { PrivacyRegionSpec } from '../core/api/types.js';
import { type Provider, providerFromManifest } from '../core/catalogue/provider.js';
import { type FieldError, formatFieldError, quote } from '../core/errors.js';
import { type Region, RegionCatalogue, regionFromObject } from '../core/privacy/region-catalogue.js';
import { checkAgainstSchema, crdSchema } from './crd-schema.js';

/** Files zonectl reads at most: 10,000 providers take about 4 MiB of YAML. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** YAML aliases per file at most, and nodes after expanding them. */
export const MAX_ALIASES = 1000;
export const MAX_EXPANDED_NODES = 2_000_000;
/** Documents per catalogue and messages per messages file at most: each may cost kilobytes once checked. */
export const MAX_DOCUMENTS = 100_000;
export const MAX_MESSAGES = 100_000;
/** Problems collected per file before zonectl stops looking. */
const MAX_PROBLEMS = 50;
const API_VERSION = 'zonekeeper.io/v1alpha1';

export class FileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('\n  ')}`);
    this.name = 'FileError';
  }
}

function readText(file: string): string {
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new FileError(file, ['cannot read: it is a directory']);
    if (st.size > MAX_FILE_BYTES) {
      throw new FileError(file, [
        `is ${(st.size / 1048576).toFixed(1)} MiB; zonectl reads files of at most ${MAX_FILE_BYTES / 1048576} MiB`,
      ]);
    }
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(file, [`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`]);
  }
}

/**
 * Counts YAML aliases while the parser runs, with the number of nodes each
 * one expands to, and stops the parse when either passes its limit:
 * aliases share one object in memory, but every later walk (validation,
 * error messages) would pay for the expansion. js-yaml reports an alias as
 * a closed node of no kind whose result is the anchored value.
 */
function aliasGuard(): (event: 'open' | 'close', state: { kind: string | null; result: unknown }) => void {
  const sizes = new WeakMap<object, number>();
  const sizeOf = (v: unknown): number => {
    if (typeof v === 'string') return 1 + (v.length >> 6);
    if (typeof v !== 'object' || v === null) return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    let size = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      size += sizeOf(child);
      if (size > MAX_EXPANDED_NODES) break;
    }
    sizes.set(v, size);
    return size;
  };
  let aliases = 0;
  let expanded = 0;
  return (event, state) => {
    if (event !== 'close' || state.kind !== null || state.result === null || state.result === undefined) return;
    if (++aliases > MAX_ALIASES) throw new YamlLimitError(`more than ${MAX_ALIASES} aliases`);
    expanded += sizeOf(state.result);
    if (expanded > MAX_EXPANDED_NODES)
      throw new YamlLimitError(`aliases expand to more than ${MAX_EXPANDED_NODES} nodes`);
  };
}

class YamlLimitError extends Error {}

/** All documents of a YAML or JSON file; a JSON array or a List counts as its items. */
export function parseDocuments(text: string, file: string): unknown[] {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text, null, { listener: aliasGuard() });
  } catch (e) {
    if (e instanceof YamlLimitError) throw new FileError(file, [`refused: ${e.message} (a YAML alias bomb?)`]);
    if (e instanceof RangeError) throw new FileError(file, [`refused: too large once parsed (${e.message})`]);
    const err = e as { mark?: { line: number; column: number }; reason?: string };
    const where = err.mark ? `line ${err.mark.line + 1}, column ${err.mark.column + 1}` : 'somewhere';
    throw new FileError(file, [`not valid YAML or JSON (${where}): ${err.reason ?? String(e)}`]);
  }
  const out: unknown[] = [];
  for (const d of docs) {
    if (d === null || d === undefined) continue;
    if (Array.isArray(d)) out.push(...(d as unknown[]));
    else if (
      typeof d === 'object' &&
      (d as { kind?: unknown }).kind === 'List' &&
      Array.isArray((d as { items?: unknown }).items)
    )
      out.push(...(d as { items: unknown[] }).items);
    else out.push(d);
  }
  return out;
}

export interface CatalogueFile {
  providers: Provider[];
  regions: RegionCatalogue;
}

const KINDS = ['ProviderCluster', 'PrivacyRegion'] as const;
type Kind = (typeof KINDS)[number];

/**
 * The checks the API server makes on create with strict field validation:
 * apiVersion and kind, then the CRD's schema (unknown fields, types,
 * limits). Empty when the document may go on to the core's checks.
 */
function checkManifest(doc: unknown): { kind?: Kind; errors: FieldError[] } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return { errors: [{ path: '', reason: 'must be a ProviderCluster or PrivacyRegion object' }] };
  const m = doc as { apiVersion?: unknown; kind?: unknown };
  const errors: FieldError[] = [];
  if (m.apiVersion !== API_VERSION)
    errors.push({
      path: 'apiVersion',
      reason: m.apiVersion === undefined ? 'is required' : `must be ${API_VERSION}, got ${quote(m.apiVersion)}`,
    });
  const kind = KINDS.find((k) => k === m.kind);
  if (!kind) {
    errors.push({
      path: 'kind',
      reason: m.kind === undefined ? 'is required' : `must be ProviderCluster or PrivacyRegion, got ${quote(m.kind)}`,
    });
    return { errors };
  }
  errors.push(...checkAgainstSchema(doc, crdSchema(kind)));
  return { kind, errors };
}

/** ProviderCluster and PrivacyRegion manifests; anything else is an error. */
export function loadCatalogue(file: string): CatalogueFile {
  const docs = parseDocuments(readText(file), file);
  const problems: string[] = [];
  const providers: Provider[] = [];
  const regions: Region[] = [];
  const names = new Map<string, number>();
  if (docs.length > MAX_DOCUMENTS)
    throw new FileError(file, [`holds ${docs.length} documents; zonectl reads at most ${MAX_DOCUMENTS}`]);
  docs.every((doc, i) => {
    if (problems.length >= MAX_PROBLEMS) {
      problems.push(`stopped looking at document ${i + 1} of ${docs.length}`);
      return false;
    }
    const where = `document ${i + 1}`;
    const checked = checkManifest(doc);
    if (checked.errors.length > 0) {
      problems.push(...checked.errors.map((e) => `${where}: ${formatFieldError(e)}`));
      return true;
    }
    const name = String((doc as { metadata?: { name?: unknown } }).metadata?.name);
    const key = `${checked.kind}/${name}`;
    const first = names.get(key);
    if (first !== undefined)
      problems.push(`${where}: metadata.name: ${checked.kind} ${quote(name)} is already defined by document ${first}`);
    else names.set(key, i + 1);
    if (checked.kind === 'PrivacyRegion') {
      const d = doc as { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: PrivacyRegionSpec };
      const r = regionFromObject({
        metadata: { name: String(d.metadata?.name ?? ''), annotations: d.metadata?.annotations },
        spec: d.spec ?? ({} as PrivacyRegionSpec),
      });
      if (r.region) regions.push(r.region);
      else problems.push(...r.errors.map((e) => `${where}: ${formatFieldError(e)}`));
      return true;
    }
    const r = providerFromManifest(doc);
    if (r.provider) providers.push(r.provider);
    else problems.push(...r.errors.map((e) => `${where}: ${formatFieldError(e)}`));
    return true;
  });
  const seen = new Map<string, number>();
  providers.forEach((p) => seen.set(p.name, (seen.get(p.name) ?? 0) + 1));
  for (const [name, n] of seen) if (n > 1) problems.push(`provider ${name} is defined ${n} times`);
  if (problems.length === 0 && providers.length === 0) problems.push('holds no ProviderCluster manifests');
  if (problems.length > 0) throw new FileError(file, problems);
  return { providers, regions: RegionCatalogue.builtin().withRegions(regions) };
}

/**
 * The messages file: a JSON array of INIT / STOP objects (checked later,
 * one by one); with `single`, one message object alone is taken too.
 */
export function loadMessages(file: string, o: { single?: boolean } = {}): unknown[] {
  const text = readText(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FileError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  if (o.single && typeof json === 'object' && json !== null && !Array.isArray(json)) return [json];
  if (!Array.isArray(json))
    throw new FileError(file, [
      `must be a JSON array of INIT and STOP messages${o.single ? ', or one message object' : ''}`,
    ]);
  if (json.length > MAX_MESSAGES)
    throw new FileError(file, [`holds ${json.length} messages; zonectl takes at most ${MAX_MESSAGES}`]);
  return json;
}
