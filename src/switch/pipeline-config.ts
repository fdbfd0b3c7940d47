// Checks that a ForwardingPipelineConfig can be realised by the software
// switch (SetForwardingPipelineConfig VERIFY*): a P4Info whose IDs carry the
// right prefixes (P4Runtime specification §6.3 "ID allocation"), are unique,
// and whose tables reference actions that exist.
import { P4InfoIndex } from '../p4/p4info.js';
import { programDefaults, type DefaultAction } from '../p4/program-defaults.js';
import type { ForwardingPipelineConfig } from '../p4/p4runtime-types.js';

export const PREFIX_ACTION = 0x01;
export const PREFIX_TABLE = 0x02;

export interface Pipeline {
  config: ForwardingPipelineConfig;
  index: P4InfoIndex;
  /** Table id -> the program's default action (program-defaults.ts). */
  defaults: Map<number, DefaultAction>;
}

/** The problem with the config, or undefined when it can be realised. */
export function verifyPipeline(config: ForwardingPipelineConfig | undefined): {
  pipeline?: Pipeline;
  problem?: string;
} {
  const p4info = config?.p4info;
  if (!config || !p4info) return { problem: 'no forwarding pipeline config (p4info) given' };
  const ids = new Set<number>();
  const actionIds = new Set<number>();
  for (const a of p4info.actions ?? []) {
    const id = a.preamble?.id ?? 0;
    if (id >>> 24 !== PREFIX_ACTION)
      return { problem: `action ${a.preamble?.name ?? '?'} id 0x${id.toString(16)} lacks the 0x01 prefix` };
    if (ids.has(id)) return { problem: `id 0x${id.toString(16)} is used twice` };
    ids.add(id);
    actionIds.add(id);
    for (const p of a.params ?? [])
      if ((p.bitwidth ?? 0) <= 0)
        return { problem: `param ${p.name ?? '?'} of ${a.preamble?.name ?? '?'} has no bitwidth` };
  }
  for (const t of p4info.tables ?? []) {
    const id = t.preamble?.id ?? 0;
    const name = t.preamble?.name ?? '?';
    if (id >>> 24 !== PREFIX_TABLE) return { problem: `table ${name} id 0x${id.toString(16)} lacks the 0x02 prefix` };
    if (ids.has(id)) return { problem: `id 0x${id.toString(16)} is used twice` };
    ids.add(id);
    if (Number(t.size ?? '0') <= 0) return { problem: `table ${name} has no size` };
    for (const f of t.match_fields ?? []) {
      if ((f.bitwidth ?? 0) <= 0) return { problem: `match field ${f.name ?? '?'} of ${name} has no bitwidth` };
      if (!f.match_type || f.match_type === 'UNSPECIFIED')
        return { problem: `match field ${f.name ?? '?'} of ${name} has no match type` };
    }
    for (const r of t.action_refs ?? []) {
      if (!actionIds.has(r.id ?? 0)) return { problem: `table ${name} refers to unknown action ${r.id ?? 0}` };
    }
  }
  const index = new P4InfoIndex(p4info);
  const defaults = programDefaults(index, config.p4_device_config);
  if (typeof defaults === 'string') return { problem: defaults };
  return { pipeline: { config, index, defaults } };
}
