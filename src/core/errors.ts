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
