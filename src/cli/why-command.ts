// `zonectl why ZONE`: why a zone waits, was refused or is not compliant.
// By default the explanation the operator stored with its last placement
// decision (the reasons grouped by cause, a few providers named per
// cause), the conditions that are not as they should be, and what moved or
// is moving (failover, spec.onViolation Replace); with --all one
// line per provider of the catalogue, computed now by the core's placement
// on the federation the hub holds (hub-state.ts).

import type { ExecutionZone, InstanceMove } from '../core/api/types.js';
import { EXECUTION_ZONES } from '../core/api/resources.js';
import { formatFieldError } from '../core/errors.js';
import { type ConditionView, type ReasonView, type ZoneState, zoneView } from '../core/render/federation-view.js';
import { explainEveryProvider, type GroupExplanation } from '../core/zones/explain-zone.js';
import { type OutputFormat, outputFormat, parseArgs, UsageError } from './args.js';
import { HubError } from './cli-errors.js';
import type { Hub, HubOptions } from './hub.js';
import { loadHubFederation } from './hub-state.js';
import { render, table } from './output.js';

export interface WhyOptions extends HubOptions {
  zone: string;
  namespace?: string;
  all: boolean;
  output: OutputFormat;
}

export function parseWhyArgs(argv: readonly string[], usage: string): WhyOptions {
  const { flags, positional } = parseArgs(
    argv,
    {
      values: ['namespace', 'output', 'kubeconfig', 'context'],
      switches: ['all'],
      short: { n: 'namespace', o: 'output' },
    },
    usage,
  );
  if (positional.length === 0) throw new UsageError(`why: name the ExecutionZone\n${usage}`);
  if (positional.length > 1) throw new UsageError(`why: unexpected argument "${positional[1]}"\n${usage}`);
  const o: WhyOptions = {
    zone: positional[0],
    all: flags.has('all'),
    output: outputFormat(flags.get('output'), 'table'),
  };
  for (const k of ['namespace', 'kubeconfig', 'context'] as const) {
    const v = flags.get(k);
    if (v !== undefined) o[k] = v;
  }
  return o;
}

/** Conditions in their good state say nothing about why. */
const GOOD: Record<string, string> = {
  Placed: 'True',
  Provisioned: 'True',
  NetworkAttached: 'True',
  NetworkReady: 'True',
  Ready: 'True',
  Degraded: 'False',
  Compliant: 'True',
  Replacing: 'False',
};

/** A group on its way to another provider (spec.onViolation Replace), from the stored allocation. */
export interface MoveInProgress {
  group: string;
  from: string;
  to: string;
  /** Old instance -> the new one that takes its place. */
  instances: Record<string, string>;
}

export interface WhyDocument {
  zone: string;
  applicationId: string;
  state: ZoneState;
  /** The conditions not in their good state. */
  conditions: ConditionView[];
  /** The operator's last placement decision, grouped by cause. */
  reasons: ReasonView[];
  /** Instances moved off a lost member (spec.failover), by group, oldest first. */
  moved: (InstanceMove & { group: string })[];
  /** Groups being replaced now. */
  moving: MoveInProgress[];
  /** With --all: every group against every provider, as placement sees them now. */
  groups?: GroupExplanation[];
  /** With --all: why the spec could not be looked at. */
  errors?: string[];
}

export function whyDocument(zone: ExecutionZone): WhyDocument {
  const view = zoneView(zone);
  return {
    zone: view.key,
    applicationId: view.applicationId,
    state: view.state,
    conditions: view.conditions.filter((c) => GOOD[c.type] !== undefined && GOOD[c.type] !== c.status),
    reasons: view.reasons,
    moved: Object.entries(zone.status?.allocation?.groups ?? {}).flatMap(([group, g]) =>
      (g.moves ?? []).map((m) => ({ group, ...m })),
    ),
    moving: Object.entries(zone.status?.allocation?.groups ?? {}).flatMap(([group, g]) =>
      g.replacing
        ? [{ group, from: g.provider, to: g.replacing.provider, instances: { ...g.replacing.instances } }]
        : [],
    ),
  };
}

const MESSAGE_WIDTH = 160;
const cut = (text: string) => (text.length > MESSAGE_WIDTH ? `${text.slice(0, MESSAGE_WIDTH - 1)}…` : text);

function stateLine(d: WhyDocument): string {
  const head = `ExecutionZone ${d.zone} (application id ${d.applicationId}): ${d.state}`;
  if (d.conditions.length === 0 && d.state === 'ready')
    return `${head}; every group is placed and every instance Ready`;
  return head;
}

export function whyTable(d: WhyDocument): string {
  const parts = [stateLine(d) + '\n'];
  if (d.conditions.length > 0)
    parts.push(
      '\n' +
        table(
          ['CONDITION', 'STATUS', 'REASON', 'MESSAGE'],
          d.conditions.map((c) => [c.type, c.status, c.reason, cut(c.message)]),
        ),
    );
  const moves = [
    ...d.moving.flatMap((m) =>
      Object.entries(m.instances).map(([old, now]) => [
        m.group,
        `${old} on ${m.from}`,
        `${now} on ${m.to}`,
        'moving (Replace)',
      ]),
    ),
    ...d.moved.map((m) => [m.group, `${m.instance} on ${m.from}`, `${m.replacement} on ${m.to}`, 'moved']),
  ];
  if (moves.length > 0) parts.push('\n' + table(['GROUP', 'INSTANCE', 'REPLACED BY', 'STATE'], moves));
  if (d.groups === undefined) {
    if (d.reasons.length > 0)
      parts.push(
        '\n' +
          table(
            ['GROUP', 'PROVIDER', 'VERDICT', 'REASON'],
            d.reasons.map((r) => [r.group, r.provider, r.verdict, r.reason]),
          ),
      );
    else if (d.state === 'waiting' || d.conditions.some((c) => c.type === 'Placed'))
      parts.push('\nthe operator stored no per-provider reasons; zonectl why --all computes them\n');
    return parts.join('');
  }
  for (const e of d.errors ?? []) parts.push(`\nthe spec cannot be placed: ${e}\n`);
  for (const g of d.groups) {
    parts.push(`\ngroup ${g.group}: ${groupLine(g)}\n`);
    parts.push(
      table(
        ['PROVIDER', 'VERDICT', 'REASON'],
        g.entries.map((e) => [e.provider, e.verdict, e.reason]),
      ),
    );
  }
  return parts.join('');
}

function groupLine(g: GroupExplanation): string {
  switch (g.state) {
    case 'waiting':
      return `waiting (${g.reason ?? 'NoMatchingProvider'})`;
    case 'placedNow':
      return `waiting, but ${g.provider} has room now (the operator places it on its next pass)`;
    case 'placed':
      return g.compliant === false
        ? `placed on ${g.provider}, which its rules no longer allow`
        : `placed on ${g.provider}, compliant`;
  }
}

export async function runWhy(o: WhyOptions, hub: Hub): Promise<string> {
  const namespace = o.namespace ?? hub.defaultNamespace;
  const zone = await hub.get<ExecutionZone>(EXECUTION_ZONES, o.zone, namespace);
  if (!zone) throw new HubError(`ExecutionZone ${namespace}/${o.zone} not found`);
  const doc = whyDocument(zone);
  if (o.all) {
    const state = await loadHubFederation(hub);
    const e = explainEveryProvider(state.federation, zone.spec);
    doc.groups = e.groups;
    if (e.errors) doc.errors = e.errors.map(formatFieldError);
  }
  return render(o.output, doc, () => whyTable(doc));
}
