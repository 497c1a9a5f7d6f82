// Contract shared by the Redis-backed and the in-memory command executors, plus the
// list of commands that cannot work behind a stateless HTTP request.

import { ReplyError, type Reply } from "./resp.js";

export type BackendKind = "redis" | "memory";

/** A command as sent to Redis: name first, every argument as raw bytes. */
export type Command = Buffer[];

export interface CommandBackend {
  readonly kind: BackendKind;
  /** Runs one command. Resolves with a `ReplyError` for command errors; rejects with `BackendUnavailableError` for transport failures. */
  execute(command: Command): Promise<Reply>;
  /** Runs commands in order without atomicity; each entry is that command's reply or `ReplyError`. */
  executePipeline(commands: Command[]): Promise<Reply[]>;
  /** Runs commands atomically. Resolves with the per-command replies, or with one `ReplyError` when the whole transaction was discarded. */
  executeTransaction(commands: Command[]): Promise<Reply[] | ReplyError>;
  close(): Promise<void>;
}

/** Raised when the backend cannot reach its store, as opposed to the store rejecting a command. */
export class BackendUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BackendUnavailableError";
  }
}

export interface EndpointLogger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** Writes one JSON object per line, in the same shape as the application's logger (time, level, event, fields). */
export function createJsonLineLogger(): EndpointLogger {
  const write = (level: string, event: string, fields?: Record<string, unknown>) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
    if (level === "info") console.log(line);
    else console.error(line);
  };
  return {
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
  };
}

// Each of these blocks the shared connection, changes its state for every later request, or
// makes Redis push unrequested replies, so the endpoint rejects them before they reach Redis.
const CONNECTION_STATE_COMMANDS = new Set([
  "AUTH",
  "HELLO",
  "SELECT",
  "QUIT",
  "RESET",
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "MONITOR",
  "SYNC",
  "PSYNC",
  "REPLCONF",
]);
const SUBSCRIBE_COMMANDS = new Set(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"]);
const BLOCKING_COMMANDS = new Set(["BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT", "WAITAOF"]);
const CLIENT_SUBCOMMANDS_REJECTED = new Set(["REPLY", "TRACKING", "CACHING", "KILL"]);

/**
 * Returns the reason a command cannot run through this endpoint, or undefined when it may run.
 * `/multi-exec` builds its own MULTI/EXEC, so MULTI, EXEC and WATCH are rejected inside it too.
 */
export function rejectionReason(command: Command): string | undefined {
  const name = command[0]!.toString("utf8").toUpperCase();

  if (SUBSCRIBE_COMMANDS.has(name)) {
    return `ERR ${name} is not supported by this endpoint: Pub/Sub needs a long-lived connection`;
  }
  if (BLOCKING_COMMANDS.has(name)) {
    return `ERR blocking command ${name} is not supported by this endpoint: it would stall every other request`;
  }
  if ((name === "XREAD" || name === "XREADGROUP") && command.some((arg) => arg.toString("utf8").toUpperCase() === "BLOCK")) {
    return `ERR ${name} with BLOCK is not supported by this endpoint: it would stall every other request`;
  }
  if (CONNECTION_STATE_COMMANDS.has(name)) {
    return `ERR ${name} is not supported by this endpoint: it changes connection state shared by all requests (use /multi-exec for transactions)`;
  }
  if (name === "CLIENT" && command.length > 1 && CLIENT_SUBCOMMANDS_REJECTED.has(command[1]!.toString("utf8").toUpperCase())) {
    return `ERR CLIENT ${command[1]!.toString("utf8").toUpperCase()} is not supported by this endpoint: it changes connection state shared by all requests`;
  }
  return undefined;
}
