// Reading the files zonectl takes: ProviderCluster (and PrivacyRegion)
// manifests as multi-document YAML or JSON, and a JSON array of messages.
// Every problem becomes a FileError that names the file, the document and
// the field.

import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { PrivacyRegionSpec } from '../core/api/types.js';
import { type Provider, providerFromManifest } from '../core/catalogue/provider.js';
import { formatFieldError } from '../core/errors.js';
import { type Region, RegionCatalog, regionFromObject } from '../core/privacy/region-catalog.js';

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
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new FileError(file, [`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`]);
  }
}

/** All documents of a YAML or JSON file; a JSON array or a List counts as its items. */
export function parseDocuments(text: string, file: string): unknown[] {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text);
  } catch (e) {
    const err = e as { mark?: { line: number; column: number }; reason?: string };
    const where = err.mark ? `line ${err.mark.line + 1}, column ${err.mark.column + 1}` : 'somewhere';
    throw new FileError(file, [`not valid YAML or JSON (${where}): ${err.reason ?? String(e)}`]);
  }
  const out: unknown[] = [];
  for (const d of docs) {
    if (d === null || d === undefined) continue;
    if (Array.isArray(d)) out.push(...d);
    else if (typeof d === 'object' && (d as { kind?: unknown }).kind === 'List' && Array.isArray((d as { items?: unknown }).items)) out.push(...(d as { items: unknown[] }).items);
    else out.push(d);
  }
  return out;
}

export interface CatalogueFile {
  providers: Provider[];
  regions: RegionCatalog;
}

/** ProviderCluster and PrivacyRegion manifests; anything else is an error. */
export function loadCatalogue(file: string): CatalogueFile {
  const docs = parseDocuments(readText(file), file);
  const problems: string[] = [];
  const providers: Provider[] = [];
  const regions: Region[] = [];
  docs.forEach((doc, i) => {
    const kind = typeof doc === 'object' && doc !== null ? (doc as { kind?: unknown }).kind : undefined;
    const where = `document ${i + 1}`;
    if (kind === 'PrivacyRegion') {
      const d = doc as { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: PrivacyRegionSpec };
      const r = regionFromObject({ metadata: { name: String(d.metadata?.name ?? ''), annotations: d.metadata?.annotations }, spec: d.spec ?? ({} as PrivacyRegionSpec) });
      if (r.region) regions.push(r.region);
      else problems.push(...r.errors.map((e) => `${where}: ${formatFieldError(e)}`));
      return;
    }
    const r = providerFromManifest(doc);
    if (r.provider) providers.push(r.provider);
    else problems.push(...r.errors.map((e) => `${where}: ${formatFieldError(e)}`));
  });
  const seen = new Map<string, number>();
  providers.forEach((p) => seen.set(p.name, (seen.get(p.name) ?? 0) + 1));
  for (const [name, n] of seen) if (n > 1) problems.push(`provider ${name} is defined ${n} times`);
  if (problems.length === 0 && providers.length === 0) problems.push('holds no ProviderCluster manifests');
  if (problems.length > 0) throw new FileError(file, problems);
  return { providers, regions: RegionCatalog.builtin().withRegions(regions) };
}

/** The messages file: a JSON array of INIT / STOP objects (checked later, one by one). */
export function loadMessages(file: string): unknown[] {
  const text = readText(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FileError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  if (!Array.isArray(json)) throw new FileError(file, ['must be a JSON array of INIT and STOP messages']);
  return json;
}
