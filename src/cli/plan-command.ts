// `zonectl plan`: runs the paper's messages through the core, exactly as the
// operator would place them, and prints the Listing 3 state and one outcome
// per message (or draws Figures 3/4).

import yaml from 'js-yaml';
import { MessageEngine, type MessageOutcome } from '../core/messages/message-engine.js';
import { listing3, type Listing3Zone } from '../core/render/listing3.js';
import { renderFigure } from '../core/render/figure-svg.js';
import { Federation } from '../core/zones/federation.js';
import { isStrategyName, STRATEGY_NAMES, type StrategyName } from '../core/placement/strategies.js';
import { parseGlobalId, PAPER_GLOBAL_ID } from '../core/network/ula.js';
import { checkVlanRange, DEFAULT_VLAN_RANGE, type VlanRange } from '../core/network/vlan-allocator.js';
import { planP4Entries, type P4EntryPlan } from '../core/network/p4-entries.js';
import { loadCatalogue, loadMessages } from './load-files.js';
import { UsageError } from './args.js';

export type Format = 'json' | 'yaml' | 'svg' | 'p4';

export interface PlanOptions {
  providers: string;
  messages: string;
  strategy: StrategyName;
  format: Format;
  /** Only the first N messages (Figure 3 is the state after six). */
  until?: number;
  globalId: number;
  vlanRange: VlanRange;
  title?: string;
  /** Exit 0 even when messages were rejected (they are still reported). */
  keepGoing?: boolean;
  /** A waiting group's reasons name every provider, not the causes with examples. */
  allReasons?: boolean;
}

export { UsageError };

export interface PlanResult {
  state: Record<string, Listing3Zone>;
  outcomes: MessageOutcome[];
}

export function runPlan(o: PlanOptions): { result: PlanResult; providerNames: string[]; p4: () => P4EntryPlan } {
  const catalogue = loadCatalogue(o.providers);
  const messages = loadMessages(o.messages);
  const federation = new Federation({
    providers: catalogue.providers,
    regions: catalogue.regions,
    strategy: o.strategy,
    globalId: o.globalId,
    vlanRange: o.vlanRange,
  });
  const engine = new MessageEngine(federation, o.allReasons === true);
  const outcomes: MessageOutcome[] = [];
  const n = o.until === undefined ? messages.length : Math.min(o.until, messages.length);
  for (let i = 0; i < n; i++) outcomes.push(...engine.applyRaw(messages[i], i));
  const providerNames = federation.catalogue.providers.map((p) => p.name);
  // The home switch: port 0 trunks to the router, port k+1 leads to the k-th provider's VPN link.
  const ports = { trunkPort: 0, providerPorts: Object.fromEntries(providerNames.map((p, i) => [p, i + 1])) };
  return {
    result: { state: listing3(federation.entries(), federation.globalId), outcomes },
    providerNames,
    p4: () =>
      planP4Entries(
        federation.applicationIds().flatMap((id) => federation.networkPlan(id) ?? []),
        ports,
      ),
  };
}

/** One line per problem of each rejected message: file, message index, field and reason. */
export function rejections(o: Pick<PlanOptions, 'messages'>, outcomes: readonly MessageOutcome[]): string[] {
  return outcomes.flatMap((out) =>
    out.result === 'rejected' ? out.errors.map((e) => `${o.messages}: message ${out.index} rejected: ${e}`) : [],
  );
}

export function formatPlan(o: PlanOptions): { text: string; rejected: string[] } {
  const { result, providerNames, p4 } = runPlan(o);
  return { text: render(o, result, providerNames, p4), rejected: rejections(o, result.outcomes) };
}

function render(o: PlanOptions, result: PlanResult, providerNames: string[], p4: () => P4EntryPlan): string {
  switch (o.format) {
    case 'p4':
      return JSON.stringify(p4(), null, 2) + '\n';
    case 'json':
      return JSON.stringify(result, null, 2) + '\n';
    case 'yaml':
      return yaml.dump(result, { lineWidth: 120, noRefs: true });
    case 'svg':
      return renderFigure(
        result.state,
        o.title ?? `Execution zones after ${result.outcomes.length ? (o.until ?? 'all') : 0} messages`,
        providerNames,
      );
  }
}

export const USAGE = `usage: zonectl plan --providers FILE --messages FILE [--strategy ${STRATEGY_NAMES.join('|')}]
                    [--format json|yaml|svg|p4] [--until N] [--global-id HEX] [--vlan-range MIN-MAX] [--title TEXT]
                    [--keep-going] [--all-reasons]
exit codes: 0 every message applied (or --keep-going), 2 usage error or unreadable or invalid file,
            3 messages rejected (the result for the others is still printed), 1 a bug`;

/** Flags that take no value. */
const SWITCHES = ['keep-going', 'all-reasons'];

export function parsePlanArgs(argv: readonly string[]): PlanOptions {
  const known = ['providers', 'messages', 'strategy', 'format', 'until', 'global-id', 'vlan-range', 'title'];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"\n${USAGE}`);
    const eq = a.indexOf('=');
    const k = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (SWITCHES.includes(k)) {
      if (eq > 0) throw new UsageError(`--${k} takes no value\n${USAGE}`);
      flags.set(k, 'true');
      continue;
    }
    if (!known.includes(k)) throw new UsageError(`unknown flag --${k}\n${USAGE}`);
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new UsageError(`--${k} needs a value\n${USAGE}`);
    flags.set(k, v);
  }
  const providers = flags.get('providers');
  const messages = flags.get('messages');
  if (!providers || !messages) throw new UsageError(`--providers and --messages are required\n${USAGE}`);
  const strategy = flags.get('strategy') ?? 'first-fit';
  if (!isStrategyName(strategy))
    throw new UsageError(`--strategy: unknown strategy "${strategy}"; use ${STRATEGY_NAMES.join(', ')}`);
  const format = flags.get('format') ?? 'json';
  if (format !== 'json' && format !== 'yaml' && format !== 'svg' && format !== 'p4')
    throw new UsageError(`--format: must be json, yaml, svg or p4, got "${format}"`);
  const o: PlanOptions = {
    providers,
    messages,
    strategy,
    format,
    globalId: PAPER_GLOBAL_ID,
    vlanRange: DEFAULT_VLAN_RANGE,
  };
  const until = flags.get('until');
  if (until !== undefined) {
    if (!/^[0-9]+$/.test(until)) throw new UsageError(`--until: must be a message count, got "${until}"`);
    o.until = Number(until);
  }
  const gid = flags.get('global-id');
  if (gid !== undefined) {
    const g = parseGlobalId(gid);
    if (g === undefined)
      throw new UsageError(`--global-id: must be a 40-bit ULA global ID such as 0x3fe79fd35c, got "${gid}"`);
    o.globalId = g;
  }
  const range = flags.get('vlan-range');
  if (range !== undefined) {
    const m = /^([0-9]+)-([0-9]+)$/.exec(range);
    const r = m ? { min: Number(m[1]), max: Number(m[2]) } : undefined;
    const bad = r ? checkVlanRange(r) : `must be MIN-MAX, got "${range}"`;
    if (bad || !r) throw new UsageError(`--vlan-range: ${bad}`);
    o.vlanRange = r;
  }
  const title = flags.get('title');
  if (title !== undefined) o.title = title;
  if (flags.has('keep-going')) o.keepGoing = true;
  if (flags.has('all-reasons')) o.allReasons = true;
  return o;
}
