/**
 * Structured logs: one JSON object per line, written synchronously so that the last events
 * before a crash are on disk. Fields: `time` (ISO 8601), `level`, `event`, then the event's own
 * fields. Bigints are written as decimal strings and byte arrays as lowercase hex.
 * @module
 */
import { jsonReplacer } from './json.ts';

/** Severity of a log event. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Extra fields of one event. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A logger; {@link Logger.child} adds fields to every line it writes. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Where lines go: anything with a `write(string)` (a stream, or an array collector in tests). */
export interface LogSink {
  write(line: string): unknown;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Events below this level are dropped. Default `'info'`. */
  readonly level?: LogLevel;
  /** Clock for the `time` field; default `Date.now`. */
  readonly now?: () => number;
}

/** Creates a JSON-lines logger writing to `sink`. */
export function createLogger(sink: LogSink, options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const min = RANK[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const emit = (level: LogLevel, event: string, fields: LogFields = {}): void => {
    if (RANK[level] < min) return;
    const line = { time: new Date(now()).toISOString(), level, event, ...base, ...fields };
    sink.write(JSON.stringify(line, jsonReplacer) + '\n');
  };
  return {
    debug: (event, fields) => emit('debug', event, fields),
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
    child: (fields) => createLogger(sink, options, { ...base, ...fields }),
  };
}

/** A logger that drops everything (library default when the caller passes none). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
