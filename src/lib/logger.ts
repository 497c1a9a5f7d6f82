export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** Returns a logger that adds `fields` to every line, such as the request id or the user id. */
  child(fields: LogFields): Logger;
}

/**
 * Creates a JSON-lines logger. Workers Logs and `wrangler tail` parse one JSON object per
 * console line, so each line is a single `console.log` call.
 */
export function createLogger(minimum: LogLevel = "info", base: LogFields = {}): Logger {
  const write = (level: LogLevel, event: string, fields?: LogFields) => {
    if (LEVEL_RANK[level] < LEVEL_RANK[minimum]) return;

    const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...base, ...fields });
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  };

  return {
    debug: (event, fields) => write("debug", event, fields),
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
    child: (fields) => createLogger(minimum, { ...base, ...fields }),
  };
}

/** Describes a caught error for a log line: name, message and stack, never shown to clients. */
export function describeError(error: unknown): LogFields {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? { cause: `${error.cause.name}: ${error.cause.message}` } : {};
    return { error: `${error.name}: ${error.message}`, stack: error.stack, ...cause };
  }
  return { error: String(error) };
}
