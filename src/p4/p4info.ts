// A P4Info indexed for lookups by ID and by name, with the defaults of
// absent fields filled in. The switch validates entries against it and the
// sidecar translates names to IDs with it.
import { readFileSync } from 'node:fs';
import { loadP4RuntimeProto, TO_OBJECT } from './p4runtime-proto.js';
import { parseTextFormat } from './text-format.js';
import type { ActionScope, CounterUnit, MatchType, P4InfoMessage } from './p4runtime-types.js';

export interface MatchFieldInfo {
  id: number;
  name: string;
  bitwidth: number;
  matchType: MatchType;
}
export interface ParamInfo {
  id: number;
  name: string;
  bitwidth: number;
}
export interface ActionInfo {
  id: number;
  name: string;
  alias: string;
  params: ParamInfo[];
  paramById: Map<number, ParamInfo>;
}
export interface TableInfo {
  id: number;
  name: string;
  alias: string;
  size: number;
  matchFields: MatchFieldInfo[];
  fieldById: Map<number, MatchFieldInfo>;
  /** action id -> scope */
  actionRefs: Map<number, ActionScope>;
  constDefaultActionId: number;
  isConst: boolean;
  /** Ternary, range or optional fields make priority mandatory (> 0). */
  needsPriority: boolean;
  /** The table's direct counter, if it has one: every entry then counts its hits. */
  directCounter: DirectCounterInfo | undefined;
}
export interface DirectCounterInfo {
  id: number;
  name: string;
  unit: CounterUnit;
  tableId: number;
}

export class P4InfoIndex {
  readonly tables: TableInfo[] = [];
  readonly actions: ActionInfo[] = [];
  private readonly tablesById = new Map<number, TableInfo>();
  private readonly tablesByName = new Map<string, TableInfo>();
  private readonly actionsById = new Map<number, ActionInfo>();
  private readonly actionsByName = new Map<string, ActionInfo>();

  constructor(readonly message: P4InfoMessage) {
    const counterByTable = new Map<number, DirectCounterInfo>();
    for (const c of message.direct_counters ?? []) {
      const info: DirectCounterInfo = {
        id: c.preamble?.id ?? 0,
        name: c.preamble?.name ?? '',
        unit: c.spec?.unit ?? 'UNSPECIFIED',
        tableId: c.direct_table_id ?? 0,
      };
      counterByTable.set(info.tableId, info);
    }
    for (const a of message.actions ?? []) {
      const params = (a.params ?? []).map((p) => ({ id: p.id ?? 0, name: p.name ?? '', bitwidth: p.bitwidth ?? 0 }));
      const info: ActionInfo = {
        id: a.preamble?.id ?? 0,
        name: a.preamble?.name ?? '',
        alias: a.preamble?.alias ?? a.preamble?.name ?? '',
        params,
        paramById: new Map(params.map((p) => [p.id, p])),
      };
      this.actions.push(info);
      this.actionsById.set(info.id, info);
      this.actionsByName.set(info.name, info);
      if (!this.actionsByName.has(info.alias)) this.actionsByName.set(info.alias, info);
    }
    for (const t of message.tables ?? []) {
      const matchFields = (t.match_fields ?? []).map((f) => ({
        id: f.id ?? 0,
        name: f.name ?? '',
        bitwidth: f.bitwidth ?? 0,
        matchType: f.match_type ?? 'UNSPECIFIED',
      }));
      const info: TableInfo = {
        id: t.preamble?.id ?? 0,
        name: t.preamble?.name ?? '',
        alias: t.preamble?.alias ?? t.preamble?.name ?? '',
        size: Number(t.size ?? '0'),
        matchFields,
        fieldById: new Map(matchFields.map((f) => [f.id, f])),
        actionRefs: new Map((t.action_refs ?? []).map((r) => [r.id ?? 0, r.scope ?? 'TABLE_AND_DEFAULT'])),
        constDefaultActionId: t.const_default_action_id ?? 0,
        isConst: t.is_const_table ?? false,
        needsPriority: matchFields.some(
          (f) => f.matchType === 'TERNARY' || f.matchType === 'RANGE' || f.matchType === 'OPTIONAL',
        ),
        directCounter: counterByTable.get(t.preamble?.id ?? 0),
      };
      this.tables.push(info);
      this.tablesById.set(info.id, info);
      this.tablesByName.set(info.name, info);
      if (!this.tablesByName.has(info.alias)) this.tablesByName.set(info.alias, info);
    }
  }

  table(id: number): TableInfo | undefined {
    return this.tablesById.get(id);
  }
  action(id: number): ActionInfo | undefined {
    return this.actionsById.get(id);
  }
  /** By fully qualified name (`ZoneIngress.zone_admit`) or alias (`zone_admit`). */
  tableByName(name: string): TableInfo | undefined {
    return this.tablesByName.get(name);
  }
  actionByName(name: string): ActionInfo | undefined {
    return this.actionsByName.get(name);
  }
}

/** Parse a P4Info in text format into the loader's object shape. */
export function parseP4InfoText(text: string): P4InfoMessage {
  const P4Info = loadP4RuntimeProto().root.lookupType('p4.config.v1.P4Info');
  const plain = parseTextFormat(text, P4Info);
  return P4Info.toObject(P4Info.fromObject(plain), TO_OBJECT);
}

export function readP4InfoFile(file: string): P4InfoMessage {
  return parseP4InfoText(readFileSync(file, 'utf8'));
}

/** The binary encoding of a P4Info, e.g. for hashing into a pipeline cookie. */
export function encodeP4Info(p4info: P4InfoMessage): Buffer {
  const P4Info = loadP4RuntimeProto().root.lookupType('p4.config.v1.P4Info');
  return Buffer.from(P4Info.encode(P4Info.fromObject(p4info)).finish());
}
