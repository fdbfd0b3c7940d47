// `zonectl plan --hub -f MESSAGES`: what would happen to new INITs (and
// STOPs) on the live federation. The federation is rebuilt from the hub
// as the operator rebuilds it (catalogue, regions, every zone's stored
// allocation); the messages go through the same engine as `zonectl plan`
// on files, with the hub's zone specs known, so an INIT for a zone the
// hub has is a scale-up. Nothing is written to the hub.

import { MessageEngine, type MessageOutcome } from '../core/messages/message-engine.js';
import { type Listing3Zone, listing3 } from '../core/render/listing3.js';
import { type OutputFormat, outputFormat, parseArgs, UsageError } from './args.js';
import type { Hub, HubOptions } from './hub.js';
import { loadHubFederation } from './hub-state.js';
import { loadMessages } from './load-files.js';
import { render, table } from './output.js';
import { rejections } from './plan-command.js';

export interface PlanHubOptions extends HubOptions {
  messages: string;
  output: OutputFormat;
  keepGoing: boolean;
  allReasons: boolean;
}

export function parsePlanHubArgs(argv: readonly string[], usage: string): PlanHubOptions {
  const { flags, positional } = parseArgs(
    argv,
    {
      values: ['filename', 'messages', 'output', 'format', 'kubeconfig', 'context'],
      switches: ['hub', 'keep-going', 'all-reasons'],
      short: { f: 'filename', o: 'output' },
    },
    usage,
  );
  if (positional.length > 0) throw new UsageError(`plan --hub: unexpected argument "${positional[0]}"\n${usage}`);
  const file = flags.get('filename') ?? flags.get('messages');
  if (file === undefined) throw new UsageError(`plan --hub: -f FILE (the INIT/STOP messages) is required\n${usage}`);
  if (flags.has('filename') && flags.has('messages'))
    throw new UsageError('plan --hub: give the messages with -f or --messages, not both');
  if (flags.has('output') && flags.has('format'))
    throw new UsageError('plan --hub: give -o/--output or --format, not both');
  const o: PlanHubOptions = {
    messages: file,
    output: outputFormat(flags.get('output') ?? flags.get('format'), 'json'),
    keepGoing: flags.has('keep-going'),
    allReasons: flags.has('all-reasons'),
  };
  for (const k of ['kubeconfig', 'context'] as const) {
    const v = flags.get(k);
    if (v !== undefined) o[k] = v;
  }
  return o;
}

export interface PlanHubResult {
  hub: string;
  /** The zones the messages touched, as Listing 3 shows them after the messages. */
  state: Record<string, Listing3Zone>;
  outcomes: MessageOutcome[];
}

export function outcomesTable(outcomes: readonly MessageOutcome[]): string {
  return table(
    ['MESSAGE', 'TYPE', 'APPLICATION-ID', 'RESULT', 'DETAIL'],
    outcomes.map((o) => [String(o.index), o.type, o.applicationId ?? '-', o.result, outcomeDetail(o)]),
  );
}

function outcomeDetail(o: MessageOutcome): string {
  switch (o.result) {
    case 'placed':
    case 'placed-later':
      return `group ${o.group}: ${o.instances.join(' ')} on ${o.provider}, VLAN ${o.vlanId}`;
    case 'waiting':
      return `group ${o.group}: ${o.reason}: ${o.reasons.join('; ')}`;
    case 'released':
      return Object.entries(o.released)
        .map(([p, names]) => `${p}: ${names.join(' ')}`)
        .join(', ');
    case 'rejected':
      return o.errors.join('; ');
  }
}

/** The messages file, read before the hub is asked anything: a bad file needs no hub to be found. */
export function loadPlanMessages(o: PlanHubOptions): unknown[] {
  return loadMessages(o.messages, { single: true });
}

export async function runPlanHub(
  o: PlanHubOptions,
  messages: readonly unknown[],
  hub: Hub,
): Promise<{ text: string; rejected: string[] }> {
  const state = await loadHubFederation(hub);
  const fed = state.federation;
  const engine = new MessageEngine(fed, o.allReasons);
  // The hub's zones, oldest first, as the operator retries them when capacity frees.
  const byAge = [...state.zones].sort((a, b) =>
    (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
  );
  for (const z of byAge) {
    const id = z.spec?.applicationId?.toLowerCase();
    if (id && state.owners.get(id) === `${z.metadata.namespace}/${z.metadata.name}`) engine.specs.set(id, z.spec);
  }
  const outcomes: MessageOutcome[] = [];
  messages.forEach((m, i) => outcomes.push(...engine.applyRaw(m, i)));
  const touched = new Set(outcomes.map((x) => x.applicationId?.toLowerCase()).filter((x) => x !== undefined));
  const result: PlanHubResult = {
    hub: hub.server,
    state: listing3(
      fed.entries().filter((e) => touched.has(e.allocation.applicationId)),
      fed.globalId,
    ),
    outcomes,
  };
  return {
    text: render(o.output, result, () => outcomesTable(outcomes)),
    rejected: rejections({ messages: o.messages }, outcomes),
  };
}
