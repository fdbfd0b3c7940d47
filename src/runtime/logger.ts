// Structured logs: one JSON object per line on stderr, the shape log
// pipelines (Loki, Elasticsearch, `jq`) read without a parser. Child
// loggers carry fields (controller, key) so every line of a reconcile can
// be found by its key.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createLogger(opts: { level?: LogLevel; sink?: LogSink; fields?: LogFields } = {}): Logger {
  const min = RANK[opts.level ?? (process.env['LOG_LEVEL'] as LogLevel | undefined) ?? 'info'] ?? RANK.info;
  const sink = opts.sink ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = opts.fields ?? {};
  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[level] < min) return;
    const rec: LogFields = { ts: new Date().toISOString(), level, msg, ...base, ...fields };
    for (const [k, v] of Object.entries(rec)) if (v instanceof Error) rec[k] = v.message;
    sink(JSON.stringify(rec));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ level: opts.level, sink, fields: { ...base, ...fields } }),
  };
}

/** For tests: drops everything. */
export const silentLogger: Logger = createLogger({ sink: () => undefined });
