/**
 * Structured logging (winston): JSON lines when stdout is not a TTY (journald, CI, log shippers),
 * readable single lines on a TTY. Every adapter receives a `Logger` from the composition root; no
 * module-level logger state anywhere else.
 */
import winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** The logging surface adapters use: message plus structured fields. */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** force JSON (true) or readable (false); default: JSON unless stdout is a TTY */
  readonly json?: boolean;
  /** extra sink, e.g. a stream for tests */
  readonly stream?: NodeJS.WritableStream;
}

const readable = winston.format.printf((info) => {
  const { level, message, timestamp, ...rest } = info as Record<string, unknown>;
  const fields = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
  return `${String(timestamp)} ${String(level).padEnd(5)} ${String(message)}${fields}`;
});

/**
 * winston formats (timestamp, JSON) every entry before its transports drop the ones below their level,
 * ~10 µs each; a debug line per NOTIFY outcome then costs a fan-out tens of milliseconds. So the level
 * is checked here first.
 */
function wrap(w: winston.Logger): Logger {
  return {
    error: (m, f) => void (w.isErrorEnabled() && w.error(m, f)),
    warn: (m, f) => void (w.isWarnEnabled() && w.warn(m, f)),
    info: (m, f) => void (w.isInfoEnabled() && w.info(m, f)),
    debug: (m, f) => void (w.isDebugEnabled() && w.debug(m, f)),
    child: (fields) => wrap(w.child(fields)),
  };
}

/** Creates the process logger. */
export function createLogger(options: LoggerOptions): Logger {
  const json = options.json ?? !process.stdout.isTTY;
  const format = json
    ? winston.format.combine(winston.format.timestamp(), winston.format.json())
    : winston.format.combine(winston.format.timestamp(), readable);
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: [] });
  return wrap(winston.createLogger({ level: options.level, format, transports: [transport] }));
}
