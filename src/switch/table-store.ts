// The forwarding state of one pipeline: every table's entries and default
// entry, with the per-update checks of P4Runtime specification §9.1
// (TableEntry) and §8.3 (Bytestrings). Entries are held as integers so that
// padded and canonical byte strings name the same entry, and are always read
// back in canonical form.
import * as grpc from '@grpc/grpc-js';
import { bigIntToBytes, bytesToBigInt, fitsBitwidth, maskOfWidth, prefixMask } from '../p4/bytestrings.js';
import type { ActionInfo, P4InfoIndex, TableInfo } from '../p4/p4info.js';
import type { CounterData, DirectCounterEntry, FieldMatch, TableEntry, Update } from '../p4/p4runtime-types.js';
import type { UpdateError } from '../p4/status-details.js';
import type { DefaultAction } from '../p4/program-defaults.js';

export type MatchKind = 'exact' | 'ternary' | 'lpm' | 'range' | 'optional';

export interface StoredMatch {
  fieldId: number;
  kind: MatchKind;
  /** exact/optional/ternary/lpm value; range low */
  value: bigint;
  /** ternary mask; lpm prefix mask; all ones for exact/optional; range high */
  mask: bigint;
  prefixLen: number;
}

export interface StoredEntry {
  key: string;
  /** The exact and optional fields in P4Info order, for the lookup index. */
  exactKey: string;
  tableId: number;
  match: StoredMatch[];
  priority: number;
  actionId: number;
  /** In the action's P4Info parameter order. */
  params: { id: number; value: bigint }[];
  metadata: Buffer | undefined;
  /** The entry's direct counter, when its table has one (counted on every hit). */
  counter: Counter | undefined;
}

export interface Counter {
  packets: bigint;
  bytes: bigint;
}

type DefaultEntry = DefaultAction;

interface TableState {
  info: TableInfo;
  entries: Map<string, StoredEntry>;
  /** exactKey -> entries sharing it; the packet pipeline scans only these. */
  byExact: Map<string, Set<StoredEntry>>;
  defaultEntry: DefaultEntry;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: UpdateError };
const fail = <T>(code: grpc.status, message: string): Result<T> => ({ ok: false, error: { code, message } });
export const OK: UpdateError = { code: grpc.status.OK, message: '' };

const KIND_OF: Record<string, MatchKind> = {
  EXACT: 'exact',
  TERNARY: 'ternary',
  LPM: 'lpm',
  RANGE: 'range',
  OPTIONAL: 'optional',
};

/** An entry's counts as P4Runtime carries them, in the counter's unit. */
function countsOf(counter: Counter | undefined, unit: string | undefined): CounterData {
  const c = counter ?? { packets: 0n, bytes: 0n };
  const data: CounterData = {};
  if (unit !== 'PACKETS') data.byte_count = c.bytes.toString();
  if (unit !== 'BYTES') data.packet_count = c.packets.toString();
  return data;
}

/** CounterData as written by a controller: non-negative int64 counts. */
function counterIn(d: CounterData | undefined, fallback: Counter): Result<Counter> {
  if (!d) return { ok: true, value: { ...fallback } };
  const packets = BigInt(d.packet_count ?? '0');
  const bytes = BigInt(d.byte_count ?? '0');
  if (packets < 0n || bytes < 0n)
    return fail(grpc.status.INVALID_ARGUMENT, 'counter_data: counts must not be negative');
  return { ok: true, value: { packets, bytes } };
}

function bytesIn(b: Buffer | undefined, bitwidth: number, what: string): Result<bigint> {
  if (!b || !fitsBitwidth(b, bitwidth)) {
    return fail(
      grpc.status.OUT_OF_RANGE,
      `${what}: ${b && b.length > 0 ? `value does not fit in ${bitwidth} bits` : 'empty byte string'}`,
    );
  }
  return { ok: true, value: bytesToBigInt(b) };
}

/** The oneof case of a FieldMatch, also for objects built in code (no virtual oneof field). */
function matchKindOf(fm: FieldMatch): string | undefined {
  if (fm.field_match_type) return fm.field_match_type;
  for (const k of ['exact', 'ternary', 'lpm', 'range', 'optional', 'other'] as const) if (fm[k]) return k;
  return undefined;
}

export class TableStore {
  private readonly tables = new Map<number, TableState>();

  /** `defaults`: table id -> the program's default action (program-defaults.ts). */
  constructor(
    readonly p4info: P4InfoIndex,
    private readonly defaults: Map<number, DefaultAction>,
  ) {
    for (const info of p4info.tables) {
      this.tables.set(info.id, {
        info,
        entries: new Map(),
        byExact: new Map(),
        defaultEntry: this.initialDefault(info),
      });
    }
  }

  private initialDefault(info: TableInfo): DefaultEntry {
    const d = this.defaults.get(info.id);
    return d ? { actionId: d.actionId, params: d.params.map((p) => ({ ...p })) } : { actionId: 0, params: [] };
  }

  tableState(id: number): TableState | undefined {
    return this.tables.get(id);
  }
  entryCount(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.entries.size;
    return n;
  }

  // ---- key and action checks ----

  private parseKey(
    t: TableInfo,
    entry: TableEntry,
  ): Result<{ match: StoredMatch[]; priority: number; key: string; exactKey: string }> {
    const seen = new Map<number, StoredMatch>();
    for (const fm of entry.match ?? []) {
      const m = this.parseMatch(t, fm);
      if (!m.ok) return m;
      if (seen.has(m.value.fieldId)) return fail(grpc.status.INVALID_ARGUMENT, `field ${m.value.fieldId} given twice`);
      seen.set(m.value.fieldId, m.value);
    }
    for (const f of t.matchFields) {
      if (f.matchType === 'EXACT' && !seen.has(f.id))
        return fail(grpc.status.INVALID_ARGUMENT, `exact field ${f.name} (${f.id}) is missing`);
    }
    const priority = entry.priority ?? 0;
    if (t.needsPriority && priority <= 0)
      return fail(
        grpc.status.INVALID_ARGUMENT,
        `table ${t.name} has ternary, range or optional fields: priority must be > 0`,
      );
    if (!t.needsPriority && priority !== 0)
      return fail(grpc.status.INVALID_ARGUMENT, `table ${t.name} has only exact and LPM fields: priority must be 0`);
    const match = [...seen.values()].sort((a, b) => a.fieldId - b.fieldId);
    const key = `${priority}|${match.map((m) => `${m.fieldId}:${m.value.toString(16)}/${m.mask.toString(16)}`).join(',')}`;
    const exactKey = t.matchFields
      .filter((f) => f.matchType === 'EXACT')
      .map((f) => (seen.get(f.id) as StoredMatch).value.toString(16))
      .join(',');
    return { ok: true, value: { match, priority, key, exactKey } };
  }

  private parseMatch(t: TableInfo, fm: FieldMatch): Result<StoredMatch> {
    const f = t.fieldById.get(fm.field_id ?? 0);
    if (!f) return fail(grpc.status.INVALID_ARGUMENT, `table ${t.name} has no match field ${fm.field_id ?? 0}`);
    const kind = matchKindOf(fm);
    if (kind !== KIND_OF[f.matchType])
      return fail(grpc.status.INVALID_ARGUMENT, `field ${f.name} is ${f.matchType}, got ${kind ?? 'nothing'}`);
    const full = maskOfWidth(f.bitwidth);
    const base = { fieldId: f.id, kind, prefixLen: 0 } as const;
    switch (kind) {
      case 'exact':
      case 'optional': {
        const v = bytesIn(fm[kind]?.value, f.bitwidth, f.name);
        return v.ok ? { ok: true, value: { ...base, value: v.value, mask: full } } : v;
      }
      case 'ternary': {
        const v = bytesIn(fm.ternary?.value, f.bitwidth, f.name);
        if (!v.ok) return v;
        const m = bytesIn(fm.ternary?.mask, f.bitwidth, `${f.name} mask`);
        if (!m.ok) return m;
        if (m.value === 0n)
          return fail(grpc.status.INVALID_ARGUMENT, `${f.name}: a zero mask is a don't-care; omit the field`);
        if ((v.value & ~m.value) !== 0n)
          return fail(grpc.status.INVALID_ARGUMENT, `${f.name}: value has bits outside the mask`);
        return { ok: true, value: { ...base, value: v.value, mask: m.value } };
      }
      case 'lpm': {
        const v = bytesIn(fm.lpm?.value, f.bitwidth, f.name);
        if (!v.ok) return v;
        const len = fm.lpm?.prefix_len ?? 0;
        if (len <= 0)
          return fail(grpc.status.INVALID_ARGUMENT, `${f.name}: prefix_len 0 is a don't-care; omit the field`);
        if (len > f.bitwidth)
          return fail(grpc.status.INVALID_ARGUMENT, `${f.name}: prefix_len ${len} exceeds ${f.bitwidth} bits`);
        const pm = prefixMask(len, f.bitwidth);
        if ((v.value & ~pm) !== 0n)
          return fail(grpc.status.INVALID_ARGUMENT, `${f.name}: value has bits past the prefix`);
        return { ok: true, value: { ...base, value: v.value, mask: pm, prefixLen: len } };
      }
      case 'range': {
        const lo = bytesIn(fm.range?.low, f.bitwidth, `${f.name} low`);
        if (!lo.ok) return lo;
        const hi = bytesIn(fm.range?.high, f.bitwidth, `${f.name} high`);
        if (!hi.ok) return hi;
        if (lo.value > hi.value) return fail(grpc.status.INVALID_ARGUMENT, `${f.name}: low > high`);
        if (lo.value === 0n && hi.value === full)
          return fail(grpc.status.INVALID_ARGUMENT, `${f.name}: the full range is a don't-care; omit the field`);
        return { ok: true, value: { ...base, value: lo.value, mask: hi.value } };
      }
      default: {
        // Unreachable by type, but a match type KIND_OF lacks lets an unset kind through.
        const other = kind as string | undefined;
        return fail(grpc.status.INVALID_ARGUMENT, `${f.name}: unsupported match kind ${other ?? 'none'}`);
      }
    }
  }

  private parseAction(t: TableInfo, entry: TableEntry, asDefault: boolean): Result<DefaultEntry> {
    const ta = entry.action;
    const type =
      ta?.type ??
      (ta?.action
        ? 'action'
        : ta?.action_profile_member_id !== undefined
          ? 'action_profile_member_id'
          : ta?.action_profile_group_id !== undefined
            ? 'action_profile_group_id'
            : undefined);
    if (!ta || type !== 'action' || !ta.action) {
      return fail(
        grpc.status.INVALID_ARGUMENT,
        type ? `table ${t.name} is direct: ${type} is not allowed` : 'the entry has no action',
      );
    }
    const id = ta.action.action_id ?? 0;
    const scope = t.actionRefs.get(id);
    const a: ActionInfo | undefined = this.p4info.action(id);
    if (scope === undefined || !a)
      return fail(grpc.status.INVALID_ARGUMENT, `action ${id} is not an action of table ${t.name}`);
    if (asDefault && scope === 'TABLE_ONLY')
      return fail(grpc.status.PERMISSION_DENIED, `${a.name} is @tableonly in ${t.name}`);
    if (!asDefault && scope === 'DEFAULT_ONLY')
      return fail(grpc.status.PERMISSION_DENIED, `${a.name} is @defaultonly in ${t.name}`);
    const given = new Map<number, bigint>();
    for (const p of ta.action.params ?? []) {
      const info = a.paramById.get(p.param_id ?? 0);
      if (!info) return fail(grpc.status.INVALID_ARGUMENT, `${a.name} has no parameter ${p.param_id ?? 0}`);
      if (given.has(info.id))
        return fail(grpc.status.INVALID_ARGUMENT, `${a.name}: parameter ${info.name} given twice`);
      const v = bytesIn(p.value, info.bitwidth, `${a.name}.${info.name}`);
      if (!v.ok) return v;
      given.set(info.id, v.value);
    }
    for (const p of a.params) {
      if (!given.has(p.id)) return fail(grpc.status.INVALID_ARGUMENT, `${a.name}: parameter ${p.name} is missing`);
    }
    return {
      ok: true,
      value: { actionId: id, params: a.params.map((p) => ({ id: p.id, value: given.get(p.id) as bigint })) },
    };
  }

  // ---- writes ----

  apply(update: Update): UpdateError {
    const entry = update.entity?.table_entry;
    if (!entry) {
      // An update must name one entity (specification: a malformed request
      // is INVALID_ARGUMENT); other entity kinds exist but are not served here.
      const kind = update.entity?.entity ?? Object.keys(update.entity ?? {}).find((k) => k !== 'entity');
      if (!kind) return { code: grpc.status.INVALID_ARGUMENT, message: 'the update has no entity' };
      return { code: grpc.status.UNIMPLEMENTED, message: `entity ${kind} is not supported` };
    }
    const state = this.tables.get(entry.table_id ?? 0);
    if (!state) return { code: grpc.status.NOT_FOUND, message: `no table with id ${entry.table_id ?? 0}` };
    const t = state.info;
    const type = update.type ?? 'UNSPECIFIED';
    if (type === 'UNSPECIFIED') return { code: grpc.status.INVALID_ARGUMENT, message: 'update type is UNSPECIFIED' };
    if (entry.is_const) return { code: grpc.status.INVALID_ARGUMENT, message: 'is_const is read-only' };
    if (entry.idle_timeout_ns !== undefined && entry.idle_timeout_ns !== '0') {
      return { code: grpc.status.INVALID_ARGUMENT, message: `table ${t.name} does not support idle timeout` };
    }
    if (t.isConst) return { code: grpc.status.PERMISSION_DENIED, message: `table ${t.name} is const` };

    if (entry.is_default_action) return this.applyDefault(state, type, entry);

    if (t.matchFields.length === 0 && type === 'INSERT')
      return {
        code: grpc.status.INVALID_ARGUMENT,
        message: `table ${t.name} has no key: only its default entry can be written`,
      };
    const key = this.parseKey(t, entry);
    if (!key.ok) return key.error;
    const existing = state.entries.get(key.value.key);
    if (type === 'DELETE') {
      if (!existing) return { code: grpc.status.NOT_FOUND, message: `no such entry in ${t.name}` };
      this.remove(state, existing);
      return OK;
    }
    const action = this.parseAction(t, entry, false);
    if (!action.ok) return action.error;
    let counter: Counter | undefined;
    if (t.directCounter) {
      // INSERT starts at zero, MODIFY keeps the count (P4Runtime §9.5); either may set it with counter_data.
      const c = counterIn(entry.counter_data, existing?.counter ?? { packets: 0n, bytes: 0n });
      if (!c.ok) return c.error;
      counter = c.value;
    } else if (entry.counter_data) {
      return { code: grpc.status.INVALID_ARGUMENT, message: `table ${t.name} has no direct counter` };
    }
    if (type === 'INSERT') {
      if (existing) return { code: grpc.status.ALREADY_EXISTS, message: `the entry already exists in ${t.name}` };
      if (state.entries.size >= t.size)
        return { code: grpc.status.RESOURCE_EXHAUSTED, message: `table ${t.name} is full (${t.size} entries)` };
    } else if (!existing) {
      return { code: grpc.status.NOT_FOUND, message: `no such entry in ${t.name}` };
    }
    if (existing) this.remove(state, existing);
    const stored: StoredEntry = {
      ...key.value,
      tableId: t.id,
      actionId: action.value.actionId,
      params: action.value.params,
      metadata: entry.metadata && entry.metadata.length > 0 ? Buffer.from(entry.metadata) : undefined,
      counter,
    };
    state.entries.set(stored.key, stored);
    let set = state.byExact.get(stored.exactKey);
    if (!set) {
      set = new Set();
      state.byExact.set(stored.exactKey, set);
    }
    set.add(stored);
    return OK;
  }

  private remove(state: TableState, e: StoredEntry): void {
    state.entries.delete(e.key);
    const set = state.byExact.get(e.exactKey);
    set?.delete(e);
    if (set && set.size === 0) state.byExact.delete(e.exactKey);
  }

  private applyDefault(state: TableState, type: string, entry: TableEntry): UpdateError {
    const t = state.info;
    if (type !== 'MODIFY')
      return { code: grpc.status.INVALID_ARGUMENT, message: 'the default entry can only be modified' };
    if ((entry.match ?? []).length > 0 || (entry.priority ?? 0) !== 0) {
      return { code: grpc.status.INVALID_ARGUMENT, message: 'a default entry has no match and priority 0' };
    }
    if (t.constDefaultActionId !== 0)
      return { code: grpc.status.PERMISSION_DENIED, message: `the default action of ${t.name} is const` };
    if (!entry.action) {
      state.defaultEntry = this.initialDefault(t);
      return OK;
    }
    const action = this.parseAction(t, entry, true);
    if (!action.ok) return action.error;
    state.defaultEntry = action.value;
    return OK;
  }

  // ---- reads ----

  /** The entries one read entity asks for, canonical; or the error for it. */
  read(entry: TableEntry): TableEntry[] | UpdateError {
    const tableId = entry.table_id ?? 0;
    const states = tableId === 0 ? [...this.tables.values()] : [this.tables.get(tableId)];
    if (states[0] === undefined) return { code: grpc.status.NOT_FOUND, message: `no table with id ${tableId}` };
    const out: TableEntry[] = [];
    if (entry.is_default_action) {
      for (const s of states as TableState[]) out.push(this.defaultToEntry(s));
      return out;
    }
    let wanted: string | undefined;
    if ((entry.match ?? []).length > 0) {
      if (tableId === 0) return { code: grpc.status.INVALID_ARGUMENT, message: 'a match filter needs a table_id' };
      const key = this.parseKey(states[0].info, entry);
      if (!key.ok) return key.error;
      wanted = key.value.key;
    }
    const priority = entry.priority ?? 0;
    const actionId = entry.action?.action?.action_id ?? 0;
    // counter_data set in the request, even empty, asks for each entry's counts (P4Runtime §9.1).
    const withCounts = entry.counter_data !== undefined;
    for (const s of states as TableState[]) {
      const candidates =
        wanted !== undefined
          ? [s.entries.get(wanted)].filter((e): e is StoredEntry => e !== undefined)
          : s.entries.values();
      for (const e of candidates) {
        if (priority !== 0 && e.priority !== priority) continue;
        if (actionId !== 0 && e.actionId !== actionId) continue;
        out.push(this.toEntry(e, withCounts));
      }
    }
    return out;
  }

  /** Whether the table has a direct counter (its entries carry counts). */
  hasDirectCounter(tableId: number): boolean {
    return this.tables.get(tableId)?.info.directCounter !== undefined;
  }

  /**
   * The direct counters one DirectCounterEntry read asks for (P4Runtime
   * §9.5): table_id 0 reads every counted table, a table_id alone every
   * entry of that table, a key the one entry. Default entries are not
   * counted by this target (a miss counts nothing), so reading one is
   * refused.
   */
  readCounters(req: DirectCounterEntry): DirectCounterEntry[] | UpdateError {
    const entry = req.table_entry ?? {};
    const tableId = entry.table_id ?? 0;
    if (entry.is_default_action)
      return { code: grpc.status.UNIMPLEMENTED, message: 'default entries have no direct counter on this target' };
    let states: TableState[];
    if (tableId === 0) {
      if ((entry.match ?? []).length > 0)
        return { code: grpc.status.INVALID_ARGUMENT, message: 'a match filter needs a table_id' };
      states = [...this.tables.values()].filter((s) => s.info.directCounter);
    } else {
      const s = this.tables.get(tableId);
      if (!s) return { code: grpc.status.NOT_FOUND, message: `no table with id ${tableId}` };
      if (!s.info.directCounter)
        return { code: grpc.status.INVALID_ARGUMENT, message: `table ${s.info.name} has no direct counter` };
      states = [s];
    }
    let wanted: string | undefined;
    if (tableId !== 0 && (entry.match ?? []).length > 0) {
      const key = this.parseKey(states[0].info, entry);
      if (!key.ok) return key.error;
      wanted = key.value.key;
    }
    const out: DirectCounterEntry[] = [];
    for (const s of states) {
      const unit = s.info.directCounter?.unit;
      const candidates =
        wanted !== undefined
          ? [s.entries.get(wanted)].filter((e): e is StoredEntry => e !== undefined)
          : s.entries.values();
      for (const e of candidates) {
        const data = countsOf(e.counter, unit);
        // The entry is named by its key only (table, match, priority): the action is not part of it.
        const { table_id, match, priority } = this.toEntry(e);
        const key: TableEntry = { table_id, match };
        if (priority !== undefined) key.priority = priority;
        out.push({ table_entry: key, data });
      }
    }
    return out;
  }

  toEntry(e: StoredEntry, withCounts = false): TableEntry {
    const state = this.tables.get(e.tableId) as TableState;
    const match: FieldMatch[] = e.match.map((m) => {
      const field_id = m.fieldId;
      switch (m.kind) {
        case 'exact':
          return { field_id, exact: { value: bigIntToBytes(m.value) } };
        case 'optional':
          return { field_id, optional: { value: bigIntToBytes(m.value) } };
        case 'ternary':
          return { field_id, ternary: { value: bigIntToBytes(m.value), mask: bigIntToBytes(m.mask) } };
        case 'lpm':
          return { field_id, lpm: { value: bigIntToBytes(m.value), prefix_len: m.prefixLen } };
        default:
          return { field_id, range: { low: bigIntToBytes(m.value), high: bigIntToBytes(m.mask) } };
      }
    });
    const out: TableEntry = {
      table_id: state.info.id,
      match,
      action: {
        action: {
          action_id: e.actionId,
          params: e.params.map((p) => ({ param_id: p.id, value: bigIntToBytes(p.value) })),
        },
      },
    };
    // Proto3 leaves a zero priority off the wire (protobufjs would write an
    // explicit 0); BMv2 sends none, and reads must look the same.
    if (e.priority !== 0) out.priority = e.priority;
    if (e.metadata) out.metadata = e.metadata;
    if (withCounts && state.info.directCounter) out.counter_data = countsOf(e.counter, state.info.directCounter.unit);
    return out;
  }

  private defaultToEntry(s: TableState): TableEntry {
    const d = s.defaultEntry;
    const out: TableEntry = { table_id: s.info.id, is_default_action: true };
    if (d.actionId !== 0)
      out.action = {
        action: {
          action_id: d.actionId,
          params: d.params.map((p) => ({ param_id: p.id, value: bigIntToBytes(p.value) })),
        },
      };
    return out;
  }

  // ---- packet lookups ----

  /**
   * Look a key up as the data plane does: exact fields select candidates,
   * ternary/LPM fields must match under their masks, the highest priority
   * (or, in priority-less tables, the longest prefix) wins; a miss yields
   * the default entry. With `packetLength`, a hit counts one packet of
   * that many bytes in the entry's direct counter, if the table has one.
   */
  lookup(
    tableName: string,
    keyValues: bigint[],
    packetLength?: number,
  ): { hit: boolean; actionName: string; params: Map<string, bigint> } {
    const t = this.p4info.tableByName(tableName);
    if (!t) throw new Error(`no table ${tableName}`);
    const s = this.tables.get(t.id) as TableState;
    const exactKey = t.matchFields
      .map((f, i) => (f.matchType === 'EXACT' ? keyValues[i].toString(16) : undefined))
      .filter((x): x is string => x !== undefined)
      .join(',');
    let best: StoredEntry | undefined;
    let bestRank = -1;
    for (const e of s.byExact.get(exactKey) ?? []) {
      let matches = true;
      let rank = e.priority;
      for (const m of e.match) {
        const idx = t.matchFields.findIndex((f) => f.id === m.fieldId);
        const v = keyValues[idx];
        if (m.kind === 'range') {
          if (v < m.value || v > m.mask) {
            matches = false;
            break;
          }
          continue;
        }
        if ((v & m.mask) !== m.value) {
          matches = false;
          break;
        }
        if (m.kind === 'lpm' && !t.needsPriority) rank = m.prefixLen;
      }
      if (matches && rank > bestRank) {
        best = e;
        bestRank = rank;
      }
    }
    if (best?.counter && packetLength !== undefined) {
      best.counter.packets += 1n;
      best.counter.bytes += BigInt(packetLength);
    }
    const chosen = best ?? s.defaultEntry;
    const a = this.p4info.action(chosen.actionId);
    const params = new Map<string, bigint>();
    for (const p of chosen.params) params.set(a?.paramById.get(p.id)?.name ?? String(p.id), p.value);
    return { hit: best !== undefined, actionName: a?.alias ?? '', params };
  }
}
