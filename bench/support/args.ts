// `--name value` command-line options of the benchmarks.
function value(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

export function numberArg(name: string, fallback: number): number {
  const v = value(name);
  return v === undefined ? fallback : Number(v);
}

export function textArg(name: string, fallback: string): string {
  return value(name) ?? fallback;
}
