// zonectl's three output forms: a kubectl-style table (columns padded to
// the widest cell, three spaces apart, upper-case headers), JSON and YAML.

import yaml from 'js-yaml';
import type { OutputFormat } from './args.js';

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** JSON or YAML of `value`, or the table `asTable` draws. */
export function render(format: OutputFormat, value: unknown, asTable: () => string): string {
  switch (format) {
    case 'json':
      return JSON.stringify(value, null, 2) + '\n';
    case 'yaml':
      return yaml.dump(value, { lineWidth: 120, noRefs: true });
    case 'table':
      return asTable();
  }
}
