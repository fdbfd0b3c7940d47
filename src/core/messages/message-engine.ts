// Applies the paper's messages, in order, to a federation: the what-if
// engine behind `zonectl plan` (and the REST gateway's dry runs). It turns
// each message into the same spec change the operator would see and calls
// the same Federation methods.

import type { ExecutionZoneSpec } from '../api/types.js';
import { type FieldError, formatFieldError } from '../errors.js';
import { formatExplanation } from '../placement/place-group.js';
import type { Federation, GroupOutcome } from '../zones/federation.js';
import { type ParsedMessage, initToZoneSpec, parseMessage } from './paper-messages.js';

export type MessageOutcome =
  | {
      index: number;
      type: 'INIT';
      applicationId: string;
      result: 'placed';
      group: string;
      provider: string;
      instances: string[];
      vlanId: number;
    }
  | {
      index: number;
      type: 'INIT';
      applicationId: string;
      result: 'waiting';
      group: string;
      reason: string;
      reasons: string[];
    }
  | {
      index: number;
      type: 'STOP';
      applicationId: string;
      result: 'released';
      whole: boolean;
      released: Record<string, string[]>;
    }
  | { index: number; type: 'INIT' | 'STOP' | 'unknown'; applicationId?: string; result: 'rejected'; errors: string[] }
  | {
      index: number;
      type: 'INIT';
      applicationId: string;
      result: 'placed-later';
      group: string;
      provider: string;
      instances: string[];
      vlanId: number;
      after: number;
    };

export class MessageEngine {
  /** The zone specs the messages built, by application id. */
  readonly specs = new Map<string, ExecutionZoneSpec>();

  /**
   * @param everyProvider a waiting group's reasons list every provider of
   *   the catalogue instead of the causes with a few examples each
   */
  constructor(
    readonly federation: Federation,
    private readonly everyProvider = false,
  ) {}

  /** Parses and applies one raw message. */
  applyRaw(json: unknown, index: number): MessageOutcome[] {
    const parsed = parseMessage(json, this.federation.regions, `[${index}]`);
    if (!parsed.ok) {
      const type =
        typeof json === 'object' && json !== null && 'type' in json && (json.type === 'INIT' || json.type === 'STOP')
          ? json.type
          : 'unknown';
      return [{ index, type, result: 'rejected', errors: parsed.errors.map(formatFieldError) }];
    }
    return this.apply(parsed.value, index);
  }

  apply(msg: ParsedMessage, index: number): MessageOutcome[] {
    if (msg.type === 'INIT') return [this.init(msg, index)];
    return this.stop(msg, index);
  }

  private init(msg: Extract<ParsedMessage, { type: 'INIT' }>, index: number): MessageOutcome {
    const existing = this.specs.get(msg.applicationId);
    const spec = initToZoneSpec(msg, existing);
    // Reasons are built only for a group that waits (and only then read).
    const outcome = this.federation.reconcile(spec);
    if (outcome.errors) return rejected('INIT', msg.applicationId, index, outcome.errors);
    this.specs.set(msg.applicationId, spec);
    const group = spec.groups[spec.groups.length - 1].name;
    const g = outcome.groups.find((o) => o.group === group) as GroupOutcome;
    return this.groupOutcome(g, msg.applicationId, index);
  }

  private groupOutcome(g: GroupOutcome, applicationId: string, index: number): MessageOutcome {
    if (g.placed) {
      return {
        index,
        type: 'INIT',
        applicationId,
        result: 'placed',
        group: g.group,
        provider: g.provider as string,
        instances: g.instances as string[],
        vlanId: this.federation.allocation(applicationId)?.vlanId as number,
      };
    }
    return {
      index,
      type: 'INIT',
      applicationId,
      result: 'waiting',
      group: g.group,
      reason: g.reason ?? 'NoMatchingProvider',
      reasons: formatExplanation((this.everyProvider ? g.everyProvider?.() : g.explanation) ?? []),
    };
  }

  private stop(msg: Extract<ParsedMessage, { type: 'STOP' }>, index: number): MessageOutcome[] {
    const whole = msg.instances === undefined;
    const r = whole
      ? this.federation.releaseZone(msg.applicationId)
      : this.federation.releaseInstances(
          msg.applicationId,
          msg.instances as Record<string, string[]>,
          `[${index}].instances`,
        );
    if (!r.ok)
      return [
        rejected(
          'STOP',
          msg.applicationId,
          index,
          r.errors.map((e) => (e.path === 'application_id' ? { ...e, path: `[${index}].application_id` } : e)),
        ),
      ];
    if (whole) this.specs.delete(msg.applicationId);
    const out: MessageOutcome[] = [
      { index, type: 'STOP', applicationId: msg.applicationId, result: 'released', whole, released: r.released },
    ];
    // Freed capacity may let waiting zones in, in the order they arrived.
    for (const [id, spec] of this.specs) {
      const before = new Set(Object.keys(this.federation.allocation(id)?.groups ?? {}));
      const outcome = this.federation.reconcile(spec);
      for (const g of outcome.groups) {
        if (g.placed && !before.has(g.group)) {
          out.push({
            index,
            type: 'INIT',
            applicationId: id,
            result: 'placed-later',
            group: g.group,
            provider: g.provider as string,
            instances: g.instances as string[],
            vlanId: this.federation.allocation(id)?.vlanId as number,
            after: index,
          });
        }
      }
    }
    return out;
  }
}

function rejected(type: 'INIT' | 'STOP', applicationId: string, index: number, errors: FieldError[]): MessageOutcome {
  return { index, type, applicationId, result: 'rejected', errors: errors.map(formatFieldError) };
}
