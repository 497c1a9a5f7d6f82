export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Reads `LOG_LEVEL` from the Worker's bindings, defaulting to info for absent or unknown values. */
export function readLogLevel(bindings: Record<string, unknown> | undefined): LogLevel {
  const level = bindings?.LOG_LEVEL;
  return level === "debug" || level === "info" || level === "warn" || level === "error" ? level : "info";
}

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

/**
 * Describes a caught error for a log line: name, message, stack and cause, never shown to clients.
 * Query parameters are cut from Drizzle's "Failed query" messages because they can hold password
 * hashes and personal data; the SQL text and the driver's message remain.
 */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: String(error) };

  const fields: LogFields = {
    error: `${error.name}: ${redactParameters(error.message)}`,
    stack: error.stack ? redactParameters(error.stack) : undefined,
  };
  if (error.cause instanceof Error) fields.cause = `${error.cause.name}: ${redactParameters(error.cause.message)}`;
  return fields;
}

function redactParameters(text: string): string {
  return text.replace(/\nparams: [^\n]*/g, "\nparams: [redacted]");
}
