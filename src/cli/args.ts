// The flags of zonectl's hub commands, read the way kubectl reads its own:
// `--flag value`, `--flag=value`, short forms (`-n NS`, `-o json`, `-A`)
// and positional words. Anything unknown is a usage error naming it.

import { UsageError } from './cli-errors.js';

export { UsageError };

export interface FlagSpec {
  /** Long names of flags that take a value. */
  values: readonly string[];
  /** Long names of flags that take none. */
  switches: readonly string[];
  /** Short letter -> long name. */
  short?: Readonly<Record<string, string>>;
}

export interface ParsedArgs {
  flags: Map<string, string>;
  positional: string[];
}

export function parseArgs(argv: readonly string[], spec: FlagSpec, usage: string): ParsedArgs {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  const fail = (text: string): never => {
    throw new UsageError(`${text}\n${usage}`);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq > 0 ? a.slice(eq + 1) : undefined;
    } else if (a.startsWith('-') && a.length > 1) {
      const letter = a[1];
      const long = spec.short?.[letter];
      if (long === undefined) fail(`unknown flag -${letter}`);
      name = long as string;
      // `-nNS` and `-n=NS` as kubectl takes them.
      const rest = a.slice(2);
      inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest;
    } else {
      positional.push(a);
      continue;
    }
    if (spec.switches.includes(name)) {
      if (inline !== undefined) fail(`--${name} takes no value`);
      flags.set(name, 'true');
      continue;
    }
    if (!spec.values.includes(name)) fail(`unknown flag --${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('-') && value.length > 1))
      fail(`--${name} needs a value`);
    if (flags.has(name) && flags.get(name) !== value) fail(`--${name} is given twice`);
    flags.set(name, value);
  }
  return { flags, positional };
}

export type OutputFormat = 'table' | 'json' | 'yaml';

export function outputFormat(value: string | undefined, fallback: OutputFormat): OutputFormat {
  const v = value ?? fallback;
  if (v === 'table' || v === 'json' || v === 'yaml') return v;
  throw new UsageError(`-o/--output: must be table, json or yaml, got "${v}"`);
}
