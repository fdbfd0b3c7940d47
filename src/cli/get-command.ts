// `zonectl get zones|providers`: the federation as the hub holds it now.
// Zones show the paper's Listing 3 view the operator writes into status
// (VLAN, ULA network, DSCP mark, instances per provider) with the state
// the web view gives them; providers show the Table I facts with the
// capacity the operator reports as used and what is left free.

import type { ExecutionZone, ProviderCluster } from '../core/api/types.js';
import { EXECUTION_ZONES, PROVIDER_CLUSTERS } from '../core/api/resources.js';
import {
  type ProviderView,
  providerView,
  type ZoneView,
  zoneView,
  type CountryView,
} from '../core/render/federation-view.js';
import { type Listing3Zone, listing3FromStatus } from '../core/render/listing3.js';
import { type OutputFormat, outputFormat, parseArgs, UsageError } from './args.js';
import type { Hub, HubOptions } from './hub.js';
import { render, table } from './output.js';

export interface GetOptions extends HubOptions {
  what: 'zones' | 'providers';
  /** undefined: the context's namespace. */
  namespace?: string;
  allNamespaces: boolean;
  output: OutputFormat;
}

const WHAT: Record<string, GetOptions['what']> = {
  zones: 'zones',
  zone: 'zones',
  executionzones: 'zones',
  executionzone: 'zones',
  ez: 'zones',
  providers: 'providers',
  provider: 'providers',
  providerclusters: 'providers',
  providercluster: 'providers',
};

export function parseGetArgs(argv: readonly string[], usage: string): GetOptions {
  const { flags, positional } = parseArgs(
    argv,
    {
      values: ['namespace', 'output', 'kubeconfig', 'context'],
      switches: ['all-namespaces'],
      short: { n: 'namespace', o: 'output', A: 'all-namespaces' },
    },
    usage,
  );
  if (positional.length === 0) throw new UsageError(`get: say what to get: zones or providers\n${usage}`);
  if (positional.length > 1) throw new UsageError(`get: unexpected argument "${positional[1]}"\n${usage}`);
  const what = WHAT[positional[0].toLowerCase()];
  if (!what) throw new UsageError(`get: unknown kind "${positional[0]}"; use zones or providers`);
  const o: GetOptions = {
    what,
    allNamespaces: flags.has('all-namespaces'),
    output: outputFormat(flags.get('output'), 'table'),
  };
  const ns = flags.get('namespace');
  if (ns !== undefined) {
    if (o.allNamespaces) throw new UsageError('get: -n/--namespace and -A/--all-namespaces exclude each other');
    if (what === 'providers')
      throw new UsageError('get providers: ProviderClusters are cluster-scoped; -n/--namespace does not apply');
    o.namespace = ns;
  }
  const kubeconfig = flags.get('kubeconfig');
  if (kubeconfig !== undefined) o.kubeconfig = kubeconfig;
  const context = flags.get('context');
  if (context !== undefined) o.context = context;
  return o;
}

/** The document `-o json|yaml` prints for zones: the Listing 3 state (as `zonectl plan` prints it) and each zone. */
export interface ZonesDocument {
  state: Record<string, Listing3Zone>;
  zones: ZoneView[];
}

export function zonesDocument(zones: readonly ExecutionZone[]): ZonesDocument {
  const views = zones.map(zoneView).sort((a, b) => a.key.localeCompare(b.key));
  const rows: [string, Listing3Zone][] = [];
  for (const z of zones) {
    const entry = listing3FromStatus(z.status);
    if (entry) rows.push([z.spec.applicationId.toLowerCase(), entry]);
  }
  rows.sort((a, b) => a[1].vlan_id - b[1].vlan_id);
  return { state: Object.fromEntries(rows), zones: views };
}

/** `Fog1: C1 C2, Fog2: C3 C4` from the Listing 3 entry, or the instance list of the view. */
function instancesCell(z: ZoneView): string {
  const byProvider = new Map<string, string[]>();
  for (const i of z.instances) byProvider.set(i.provider, [...(byProvider.get(i.provider) ?? []), i.name]);
  return [...byProvider].map(([p, names]) => `${p}: ${names.join(' ')}`).join(', ') || '-';
}

export function zonesTable(doc: ZonesDocument, allNamespaces: boolean): string {
  if (doc.zones.length === 0) return '';
  const headers = ['NAME', 'STATE', 'VLAN', 'NETWORK', 'MARKING', 'INSTANCES'];
  const rows = doc.zones.map((z) => [
    z.name,
    z.state,
    z.vlan === undefined ? '-' : String(z.vlan),
    z.network ?? '-',
    z.marking ?? '-',
    instancesCell(z),
  ]);
  return allNamespaces
    ? table(
        ['NAMESPACE', ...headers],
        rows.map((r, i) => [doc.zones[i].namespace, ...r]),
      )
    : table(headers, rows);
}

function countryCell(c: CountryView): string {
  return c.alpha2 && c.alpha2 !== c.code ? `${c.code} (${c.alpha2})` : c.code;
}

function capacityCell(p: ProviderView, key: 'cores' | 'memory' | 'storage' | 'gpus'): string {
  if (key === 'gpus' && !p.capacity.gpus) return '-';
  return `${p.used[key] ?? 0} used / ${p.free[key] ?? 0} free`;
}

export function providersTable(providers: readonly ProviderView[]): string {
  if (providers.length === 0) return '';
  return table(
    [
      'NAME',
      'COUNTRY',
      'TIER',
      'ENVIRONMENT',
      'RESOURCES',
      'EQUIPMENT',
      'CORES',
      'MEMORY (MiB)',
      'STORAGE (MiB)',
      'GPUS',
      'READY',
    ],
    providers.map((p) => [
      p.name,
      countryCell(p.country),
      p.tier,
      p.environment,
      p.resourceTypes.join(',') || '-',
      p.equipment.join(',') || '-',
      capacityCell(p, 'cores'),
      capacityCell(p, 'memory'),
      capacityCell(p, 'storage'),
      capacityCell(p, 'gpus'),
      p.ready ? 'True' : `False (${p.notReady ?? 'not ready'})`,
    ]),
  );
}

export function sortedProviders(items: readonly ProviderCluster[]): ProviderView[] {
  return items.map(providerView).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

/** What `get` prints; a note on stderr when there is nothing to show in a table. */
export async function runGet(o: GetOptions, hub: Hub): Promise<{ text: string; note?: string }> {
  if (o.what === 'providers') {
    const views = sortedProviders(await hub.list<ProviderCluster>(PROVIDER_CLUSTERS));
    const text = render(o.output, { providers: views }, () => providersTable(views));
    return views.length === 0 && o.output === 'table' ? { text, note: 'no ProviderClusters on the hub' } : { text };
  }
  const namespace = o.allNamespaces ? undefined : (o.namespace ?? hub.defaultNamespace);
  const doc = zonesDocument(await hub.list<ExecutionZone>(EXECUTION_ZONES, namespace));
  const text = render(o.output, doc, () => zonesTable(doc, o.allNamespaces));
  if (doc.zones.length === 0 && o.output === 'table')
    return { text, note: `no ExecutionZones ${namespace === undefined ? 'on the hub' : `in namespace ${namespace}`}` };
  return { text };
}
