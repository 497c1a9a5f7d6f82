// In-process fallback for when no Redis is reachable. It implements only the string commands the
// project uses, with Redis 7.0 semantics and error messages; everything else is rejected.

import type { Command, CommandBackend } from "./backend.js";
import { ReplyError, SimpleString, type Reply } from "./resp.js";

interface Entry {
  value: Buffer;
  /** Expiry as Unix time in milliseconds; undefined means the key never expires. */
  expiresAt: number | undefined;
}

type Handler = (args: Buffer[]) => Reply;

const OK = new SimpleString("OK");
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const NOT_AN_INTEGER = "ERR value is not an integer or out of range";
const SCRIPTING_COMMANDS = new Set(["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "SCRIPT", "FCALL", "FCALL_RO", "FUNCTION"]);
const SWEEP_INTERVAL_MS = 10_000;

/** Arity in Redis's convention: a positive number is exact, a negative one is a minimum; both count the command name. */
const ARITY: Record<string, number> = {
  PING: -1,
  GET: 2,
  SET: -3,
  DEL: -2,
  EXISTS: -2,
  EXPIRE: -3,
  PEXPIRE: -3,
  TTL: 2,
  PTTL: 2,
  PERSIST: 2,
  INCR: 2,
  INCRBY: 3,
  DECR: 2,
  DECRBY: 3,
  MGET: -2,
  FLUSHDB: -1,
};

/** Parses a signed 64-bit decimal the way Redis does: no sign other than `-`, no spaces, no leading zeros. */
function parseInt64(bytes: Buffer): bigint | undefined {
  const text = bytes.toString("latin1");
  if (!/^-?(0|[1-9][0-9]*)$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

function upper(bytes: Buffer): string {
  return bytes.toString("utf8").toUpperCase();
}

export interface MemoryStoreOptions {
  /** Clock in Unix milliseconds; tests replace it to step through expiry. */
  now?: () => number;
}

export class MemoryStore implements CommandBackend {
  readonly kind = "memory";
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly handlers: Record<string, Handler>;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    // Expired keys are dropped when read; the sweep bounds memory for keys never read again.
    this.sweepTimer = setInterval(() => this.sweepExpired(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    this.handlers = {
      PING: (args) => (args.length > 1 ? args[1]! : new SimpleString("PONG")),
      GET: (args) => this.read(args[1]!)?.value ?? null,
      SET: (args) => this.set(args),
      DEL: (args) => this.del(args.slice(1)),
      EXISTS: (args) => BigInt(args.slice(1).filter((key) => this.read(key) !== undefined).length),
      EXPIRE: (args) => this.expire(args, 1000),
      PEXPIRE: (args) => this.expire(args, 1),
      TTL: (args) => this.ttl(args[1]!, 1000),
      PTTL: (args) => this.ttl(args[1]!, 1),
      PERSIST: (args) => this.persist(args[1]!),
      INCR: (args) => this.incrementBy(args[1]!, 1n),
      DECR: (args) => this.incrementBy(args[1]!, -1n),
      INCRBY: (args) => this.incrementByArgument(args[1]!, args[2]!, 1n),
      DECRBY: (args) => this.incrementByArgument(args[1]!, args[2]!, -1n),
      MGET: (args) => args.slice(1).map((key) => this.read(key)?.value ?? null),
      FLUSHDB: () => {
        this.entries.clear();
        return OK;
      },
    };
  }

  async execute(command: Command): Promise<Reply> {
    return this.run(command);
  }

  async executePipeline(commands: Command[]): Promise<Reply[]> {
    return commands.map((command) => this.run(command));
  }

  /**
   * Runs all commands without yielding, which makes them atomic in this single-threaded store.
   * Like Redis, unknown commands and wrong arity discard the whole transaction before any command runs.
   */
  async executeTransaction(commands: Command[]): Promise<Reply[] | ReplyError> {
    for (const command of commands) {
      const error = this.validate(command);
      if (error !== undefined) {
        return new ReplyError(`EXECABORT Transaction discarded because of previous errors. Cause: ${error.message}`);
      }
    }
    return commands.map((command) => this.run(command));
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.entries.clear();
  }

  private run(command: Command): Reply {
    const error = this.validate(command);
    if (error !== undefined) return error;
    return this.handlers[upper(command[0]!)]!(command);
  }

  private validate(command: Command): ReplyError | undefined {
    const name = upper(command[0]!);
    if (SCRIPTING_COMMANDS.has(name)) {
      return new ReplyError(
        `ERR ${name} is not supported by the in-memory store: start Redis on 127.0.0.1:6379 or pass a Redis URL (redisUrl option, --redis-url flag) to run Lua scripts`,
      );
    }
    const arity = ARITY[name];
    if (arity === undefined) {
      return new ReplyError(`ERR unknown command '${name}' for the in-memory store, which supports only: ${Object.keys(ARITY).join(", ")}`);
    }
    const argumentCountValid = arity >= 0 ? command.length === arity : command.length >= -arity;
    if (!argumentCountValid) return new ReplyError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
    return undefined;
  }

  /** Returns the live entry for `key`, deleting it first when it has expired. */
  private read(key: Buffer): Entry | undefined {
    const mapKey = key.toString("latin1");
    const entry = this.entries.get(mapKey);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(mapKey);
      return undefined;
    }
    return entry;
  }

  private write(key: Buffer, entry: Entry): void {
    this.entries.set(key.toString("latin1"), entry);
  }

  private sweepExpired(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.entries.delete(key);
    }
  }

  /** SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-seconds | PXAT unix-milliseconds | KEEPTTL] */
  private set(args: Buffer[]): Reply {
    const key = args[1]!;
    const value = args[2]!;
    let condition: "NX" | "XX" | undefined;
    let returnOld = false;
    let keepTtl = false;
    let expiresAt: number | undefined;

    for (let i = 3; i < args.length; i++) {
      const option = upper(args[i]!);
      if (option === "NX" || option === "XX") {
        if (condition !== undefined && condition !== option) return new ReplyError("ERR syntax error");
        condition = option;
      } else if (option === "GET") {
        returnOld = true;
      } else if (option === "KEEPTTL") {
        if (expiresAt !== undefined) return new ReplyError("ERR syntax error");
        keepTtl = true;
      } else if (option === "EX" || option === "PX" || option === "EXAT" || option === "PXAT") {
        const amountBytes = args[i + 1];
        if (amountBytes === undefined || keepTtl || expiresAt !== undefined) return new ReplyError("ERR syntax error");
        i++;
        const amount = parseInt64(amountBytes);
        if (amount === undefined) return new ReplyError(NOT_AN_INTEGER);
        if (amount <= 0n) return new ReplyError("ERR invalid expire time in 'set' command");
        const milliseconds = option === "EX" || option === "EXAT" ? Number(amount) * 1000 : Number(amount);
        expiresAt = option === "EX" || option === "PX" ? this.now() + milliseconds : milliseconds;
      } else {
        return new ReplyError("ERR syntax error");
      }
    }

    const existing = this.read(key);
    const oldValue = existing?.value ?? null;
    const conditionMet = condition === undefined || (condition === "NX" ? existing === undefined : existing !== undefined);
    if (conditionMet) {
      this.write(key, { value: Buffer.from(value), expiresAt: keepTtl ? existing?.expiresAt : expiresAt });
    }

    if (returnOld) return oldValue;
    return conditionMet ? OK : null;
  }

  private del(keys: Buffer[]): Reply {
    let removed = 0n;
    for (const key of keys) {
      if (this.read(key) !== undefined) {
        this.entries.delete(key.toString("latin1"));
        removed++;
      }
    }
    return removed;
  }

  /** EXPIRE / PEXPIRE key amount [NX | XX | GT | LT]; `unitMs` is 1000 for seconds, 1 for milliseconds. */
  private expire(args: Buffer[], unitMs: number): Reply {
    const commandName = upper(args[0]!).toLowerCase();
    const amount = parseInt64(args[2]!);
    if (amount === undefined) return new ReplyError(NOT_AN_INTEGER);

    const flags = new Set<string>();
    for (const option of args.slice(3)) {
      const flag = upper(option);
      if (flag !== "NX" && flag !== "XX" && flag !== "GT" && flag !== "LT") {
        return new ReplyError(`ERR Unsupported option ${option.toString("utf8")}`);
      }
      flags.add(flag);
    }
    if (flags.has("NX") && flags.size > 1) return new ReplyError("ERR NX and XX, GT or LT options at the same time are not compatible");
    if (flags.has("GT") && flags.has("LT")) return new ReplyError("ERR GT and LT options at the same time are not compatible");

    const milliseconds = Number(amount) * unitMs;
    if (!Number.isSafeInteger(milliseconds) || !Number.isSafeInteger(this.now() + milliseconds)) {
      return new ReplyError(`ERR invalid expire time in '${commandName}' command`);
    }

    const entry = this.read(args[1]!);
    if (entry === undefined) return 0n;

    const newExpiresAt = this.now() + milliseconds;
    // Redis treats a key without TTL as having an infinite one when comparing with GT and LT.
    const current = entry.expiresAt ?? Number.POSITIVE_INFINITY;
    if (flags.has("NX") && entry.expiresAt !== undefined) return 0n;
    if (flags.has("XX") && entry.expiresAt === undefined) return 0n;
    if (flags.has("GT") && !(newExpiresAt > current)) return 0n;
    if (flags.has("LT") && !(newExpiresAt < current)) return 0n;

    if (milliseconds <= 0) {
      this.entries.delete(args[1]!.toString("latin1"));
    } else {
      entry.expiresAt = newExpiresAt;
    }
    return 1n;
  }

  /** TTL / PTTL: -2 when the key is missing, -1 when it has no expiry. TTL rounds to the nearest second like Redis. */
  private ttl(key: Buffer, unitMs: number): Reply {
    const entry = this.read(key);
    if (entry === undefined) return -2n;
    if (entry.expiresAt === undefined) return -1n;
    const remaining = entry.expiresAt - this.now();
    return BigInt(unitMs === 1 ? remaining : Math.floor((remaining + 500) / 1000));
  }

  private persist(key: Buffer): Reply {
    const entry = this.read(key);
    if (entry === undefined || entry.expiresAt === undefined) return 0n;
    entry.expiresAt = undefined;
    return 1n;
  }

  private incrementByArgument(key: Buffer, incrementBytes: Buffer, sign: bigint): Reply {
    const increment = parseInt64(incrementBytes);
    if (increment === undefined) return new ReplyError(NOT_AN_INTEGER);
    if (sign < 0n && increment === INT64_MIN) return new ReplyError("ERR decrement would overflow");
    return this.incrementBy(key, increment * sign);
  }

  /** Adds `increment` to the integer stored at `key` (0 when missing), keeping its TTL as Redis does. */
  private incrementBy(key: Buffer, increment: bigint): Reply {
    const entry = this.read(key);
    const current = entry === undefined ? 0n : parseInt64(entry.value);
    if (current === undefined) return new ReplyError(NOT_AN_INTEGER);

    const next = current + increment;
    if (next < INT64_MIN || next > INT64_MAX) return new ReplyError("ERR increment or decrement would overflow");

    this.write(key, { value: Buffer.from(next.toString()), expiresAt: entry?.expiresAt });
    return next;
  }
}
