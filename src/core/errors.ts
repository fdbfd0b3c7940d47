// Validation errors name the field and the reason. The same objects feed the
// CLI's message, the REST problem document and a status condition.

export interface FieldError {
  /** JSON path of the offending field, e.g. `privacy.countries[0][1]`. */
  path: string;
  reason: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(errors: FieldError[]): Result<T> {
  return { ok: false, errors };
}

export function formatFieldError(e: FieldError): string {
  return e.path === '' ? e.reason : `${e.path}: ${e.reason}`;
}

export function formatFieldErrors(errors: readonly FieldError[]): string {
  return errors.map(formatFieldError).join('; ');
}

/** Joins a parent path and a child key the way JSON paths read. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Thrown only at the edges (CLI, gateway) to carry field errors out. */
export class ValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(formatFieldErrors(errors));
    this.name = 'ValidationError';
  }
}

/** Characters of a bad value an error message quotes at most. */
export const QUOTE_LIMIT = 40;

/**
 * A bad value as an error message shows it: short scalars in JSON, long
 * strings cut to a prefix, lists and objects by their size only (never
 * serialised: they may be huge, or expanded from YAML aliases).
 */
export function quote(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object' && v !== null) return 'an object';
  if (typeof v === 'string' && v.length > QUOTE_LIMIT)
    return `${JSON.stringify(v.slice(0, QUOTE_LIMIT))}… (${v.length} characters)`;
  // What JSON cannot render: a function or a symbol.
  if (typeof v === 'function' || typeof v === 'symbol') return String(v);
  return JSON.stringify(v);
}

/** "is required" for a missing value, else "must be <what>, got <value>". */
export function mustBe(what: string, v: unknown): string {
  return v === undefined ? 'is required' : `must be ${what}, got ${quote(v)}`;
}
