// The shapes of P4Runtime messages as @grpc/proto-loader hands them over
// with LOADER_OPTIONS (snake_case names, uint64 as decimal strings, enums as
// names, bytes as Buffers, unset fields absent, oneof name fields present).

export interface Uint128 {
  high?: string;
  low?: string;
}

export interface FieldMatch {
  field_id?: number;
  exact?: { value?: Buffer };
  ternary?: { value?: Buffer; mask?: Buffer };
  lpm?: { value?: Buffer; prefix_len?: number };
  range?: { low?: Buffer; high?: Buffer };
  optional?: { value?: Buffer };
  other?: { type_url?: string; value?: Buffer };
  field_match_type?: 'exact' | 'ternary' | 'lpm' | 'range' | 'optional' | 'other';
}

export interface ActionParam {
  param_id?: number;
  value?: Buffer;
}
export interface P4Action {
  action_id?: number;
  params?: ActionParam[];
}

export interface TableAction {
  action?: P4Action;
  action_profile_member_id?: number;
  action_profile_group_id?: number;
  type?: 'action' | 'action_profile_member_id' | 'action_profile_group_id';
}

export interface TableEntry {
  table_id?: number;
  match?: FieldMatch[];
  action?: TableAction;
  priority?: number;
  controller_metadata?: string;
  is_default_action?: boolean;
  idle_timeout_ns?: string;
  metadata?: Buffer;
  is_const?: boolean;
  /** A direct counter's value: in reads of DirectCounterEntry, or to set it on INSERT/MODIFY. */
  counter_data?: CounterData;
}

/** int64 counts as decimal strings, as the loader hands them over. */
export interface CounterData {
  byte_count?: string;
  packet_count?: string;
}

/** The counter of one table entry (P4Runtime §9.5): `table_entry` names the entry by its key. */
export interface DirectCounterEntry {
  table_entry?: TableEntry;
  data?: CounterData;
}

export interface Entity {
  table_entry?: TableEntry;
  direct_counter_entry?: DirectCounterEntry;
  entity?: 'table_entry' | 'direct_counter_entry';
}

export type UpdateType = 'UNSPECIFIED' | 'INSERT' | 'MODIFY' | 'DELETE';
export interface Update {
  type?: UpdateType;
  entity?: Entity;
}

export type Atomicity = 'CONTINUE_ON_ERROR' | 'ROLLBACK_ON_ERROR' | 'DATAPLANE_ATOMIC';
export interface WriteRequest {
  device_id?: string;
  role_id?: string;
  role?: string;
  election_id?: Uint128;
  updates?: Update[];
  atomicity?: Atomicity;
}

export interface ReadRequest {
  device_id?: string;
  role?: string;
  entities?: Entity[];
}
export interface ReadResponse {
  entities?: Entity[];
}

export interface RpcAny {
  type_url?: string;
  value?: Buffer;
}
export interface RpcStatus {
  code?: number;
  message?: string;
  details?: RpcAny[];
}

export interface Role {
  id?: string;
  name?: string;
  config?: RpcAny;
}
export interface MasterArbitrationUpdate {
  device_id?: string;
  role?: Role;
  election_id?: Uint128;
  status?: RpcStatus;
}

export interface StreamMessageRequest {
  arbitration?: MasterArbitrationUpdate;
  other?: RpcAny;
  update?: 'arbitration' | 'other';
}

export interface StreamError {
  canonical_code?: number;
  message?: string;
  space?: string;
  code?: number;
}
export interface StreamMessageResponse {
  arbitration?: MasterArbitrationUpdate;
  other?: RpcAny;
  error?: StreamError;
  update?: 'arbitration' | 'other' | 'error';
}

export interface ForwardingPipelineConfig {
  p4info?: P4InfoMessage;
  p4_device_config?: Buffer;
  cookie?: { cookie?: string };
}

export type SetPipelineAction =
  'UNSPECIFIED' | 'VERIFY' | 'VERIFY_AND_SAVE' | 'VERIFY_AND_COMMIT' | 'COMMIT' | 'RECONCILE_AND_COMMIT';

export interface SetForwardingPipelineConfigRequest {
  device_id?: string;
  role_id?: string;
  role?: string;
  election_id?: Uint128;
  action?: SetPipelineAction;
  config?: ForwardingPipelineConfig;
}

export type GetPipelineResponseType = 'ALL' | 'COOKIE_ONLY' | 'P4INFO_AND_COOKIE' | 'DEVICE_CONFIG_AND_COOKIE';
export interface GetForwardingPipelineConfigRequest {
  device_id?: string;
  response_type?: GetPipelineResponseType;
}
export interface GetForwardingPipelineConfigResponse {
  config?: ForwardingPipelineConfig;
}

export interface CapabilitiesRequest {
  device_id?: string;
}
export interface CapabilitiesResponse {
  p4runtime_api_version?: string;
}

export interface P4Error {
  canonical_code?: number;
  message?: string;
  space?: string;
  code?: number;
  details?: RpcAny;
}

// ---- P4Info (p4.config.v1) ----

export interface Preamble {
  id?: number;
  name?: string;
  alias?: string;
  annotations?: string[];
}

export type MatchType = 'UNSPECIFIED' | 'EXACT' | 'LPM' | 'TERNARY' | 'RANGE' | 'OPTIONAL';
export interface P4InfoMatchField {
  id?: number;
  name?: string;
  annotations?: string[];
  bitwidth?: number;
  match_type?: MatchType;
  other_match_type?: string;
  match?: 'match_type' | 'other_match_type';
}

export type ActionScope = 'TABLE_AND_DEFAULT' | 'TABLE_ONLY' | 'DEFAULT_ONLY';
export interface P4InfoActionRef {
  id?: number;
  scope?: ActionScope;
  annotations?: string[];
}

export interface P4InfoTable {
  preamble?: Preamble;
  match_fields?: P4InfoMatchField[];
  action_refs?: P4InfoActionRef[];
  const_default_action_id?: number;
  initial_default_action?: { action_id?: number; arguments?: { param_id?: number; value?: Buffer }[] };
  implementation_id?: number;
  /** Direct resources (here: direct counters) attached to the table. */
  direct_resource_ids?: number[];
  size?: string;
  is_const_table?: boolean;
  has_initial_entries?: boolean;
}

export interface P4InfoParam {
  id?: number;
  name?: string;
  bitwidth?: number;
  annotations?: string[];
}
export interface P4InfoAction {
  preamble?: Preamble;
  params?: P4InfoParam[];
}

export type CounterUnit = 'UNSPECIFIED' | 'BYTES' | 'PACKETS' | 'BOTH';
export interface P4InfoDirectCounter {
  preamble?: Preamble;
  spec?: { unit?: CounterUnit };
  direct_table_id?: number;
}

export interface P4InfoMessage {
  pkg_info?: { name?: string; version?: string; arch?: string };
  tables?: P4InfoTable[];
  actions?: P4InfoAction[];
  direct_counters?: P4InfoDirectCounter[];
}
