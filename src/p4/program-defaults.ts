// Each table's default action, as the compiled program sets it. p4c writes
// it into the BMv2 JSON (`default_entry` of every table), which BMv2 runs;
// whether P4Info carries it too (`initial_default_action`) depends on the
// p4c version. So the software switch takes the defaults from the BMv2 JSON
// when the pipeline config carries one, as BMv2 does, and from P4Info only
// when it does not; a table with neither is a config error, not a silent
// "no action". Both P4Info flavours then behave the same.
import { bytesToBigInt } from './bytestrings.js';
import type { P4InfoIndex } from './p4info.js';

export interface DefaultAction {
  actionId: number;
  params: { id: number; value: bigint }[];
}

interface Bmv2Json {
  actions?: { id?: number; name?: string; runtime_data?: { name?: string }[] }[];
  pipelines?: { tables?: { name?: string; default_entry?: { action_id?: number; action_data?: string[] } }[] }[];
}

/** The BMv2 JSON in a p4_device_config, or undefined when the config is something else. */
function parseBmv2Json(deviceConfig: Uint8Array | undefined): Bmv2Json | undefined {
  if (!deviceConfig || deviceConfig.length === 0) return undefined;
  try {
    const json = JSON.parse(Buffer.from(deviceConfig).toString('utf8')) as unknown;
    if (typeof json === 'object' && json !== null && Array.isArray((json as Bmv2Json).pipelines)) return json;
  } catch {
    /* not JSON */
  }
  return undefined;
}

function fromBmv2Json(json: Bmv2Json, index: P4InfoIndex): Map<number, DefaultAction> | string {
  const out = new Map<number, DefaultAction>();
  const actions = new Map((json.actions ?? []).map((a) => [a.id, a]));
  for (const table of (json.pipelines ?? []).flatMap((p) => p.tables ?? [])) {
    const info = index.tableByName(table.name ?? '');
    // Tables p4c made for lone actions (tbl_*) have no P4Info entry.
    if (!info) continue;
    const bmv2Action = actions.get(table.default_entry?.action_id);
    if (!bmv2Action) return `BMv2 JSON: table ${info.name} has no default_entry action`;
    const action = index.actionByName(bmv2Action.name ?? '');
    if (!action) return `BMv2 JSON: default action ${bmv2Action.name ?? '?'} of ${info.name} is not in P4Info`;
    const data = table.default_entry?.action_data ?? [];
    const params: DefaultAction['params'] = [];
    for (const [i, rd] of (bmv2Action.runtime_data ?? []).entries()) {
      const param = action.params.find((p) => p.name === rd.name);
      const hex = data[i];
      if (!param || hex === undefined)
        return `BMv2 JSON: default action ${action.name} of ${info.name}: parameter ${rd.name ?? i} does not match P4Info`;
      params.push({ id: param.id, value: BigInt(hex) });
    }
    out.set(info.id, { actionId: action.id, params });
  }
  return out;
}

/** Table id -> default action, or the reason there is none for some table. */
export function programDefaults(
  index: P4InfoIndex,
  deviceConfig: Uint8Array | undefined,
): Map<number, DefaultAction> | string {
  const json = parseBmv2Json(deviceConfig);
  const fromJson = json ? fromBmv2Json(json, index) : new Map<number, DefaultAction>();
  if (typeof fromJson === 'string') return fromJson;
  for (const info of index.tables) {
    if (fromJson.has(info.id)) continue;
    const t = index.message.tables?.find((x) => x.preamble?.id === info.id);
    const initial = t?.initial_default_action;
    const actionId = initial?.action_id ?? t?.const_default_action_id ?? 0;
    if (actionId === 0) {
      return `table ${info.name} has no default action: P4Info has no initial_default_action for it and p4_device_config is ${json ? 'a BMv2 JSON without the table' : "not the program's BMv2 JSON"}`;
    }
    const params = (initial?.arguments ?? []).map((a) => ({
      id: a.param_id ?? 0,
      value: bytesToBigInt(Buffer.from(a.value ?? [])),
    }));
    fromJson.set(info.id, { actionId, params });
  }
  return fromJson;
}
