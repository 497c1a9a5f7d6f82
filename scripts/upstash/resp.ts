// RESP2 protocol types, encoder, incremental parser and a pipelining TCP connection.
// RESP2 (no HELLO 3) is used on purpose: Upstash's REST replies follow RESP2 shapes,
// e.g. doubles and maps arrive as bulk strings and flat arrays.

import net from "node:net";

/** Simple-string reply such as `OK` or `PONG`, kept apart from bulk strings because Upstash never base64-encodes `OK`. */
export class SimpleString {
  constructor(readonly value: string) {}
}

/** Error reply sent by Redis (or by the in-memory store), such as `ERR value is not an integer or out of range`. */
export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplyError";
  }
}

/** A decoded RESP2 reply: bulk strings are Buffers so binary values survive, integers are bigints so 64-bit values stay exact. */
export type Reply = SimpleString | ReplyError | Buffer | bigint | null | Reply[];

export type CommandArgument = Buffer | string;

const CRLF = Buffer.from("\r\n");

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly CommandArgument[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "utf8") : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** Raised when the byte stream from Redis is not valid RESP2, after which the connection cannot be trusted. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

type ParseResult = { reply: Reply; next: number } | undefined;

/**
 * Parses one reply starting at `offset`. Returns undefined when `buffer` ends before the reply does,
 * so the caller can wait for more bytes and retry from the same offset.
 */
export function parseReply(buffer: Buffer, offset: number): ParseResult {
  if (offset >= buffer.length) return undefined;

  const lineEnd = buffer.indexOf(CRLF, offset);
  if (lineEnd === -1) return undefined;

  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString("utf8", offset + 1, lineEnd);
  const afterLine = lineEnd + 2;

  switch (type) {
    case "+":
      return { reply: new SimpleString(line), next: afterLine };
    case "-":
      return { reply: new ReplyError(line), next: afterLine };
    case ":":
      return { reply: BigInt(line), next: afterLine };
    case "$": {
      const length = Number.parseInt(line, 10);
      if (length === -1) return { reply: null, next: afterLine };
      if (!Number.isInteger(length) || length < 0) throw new ProtocolError(`invalid bulk string length: ${line}`);
      const end = afterLine + length;
      if (buffer.length < end + 2) return undefined;
      return { reply: Buffer.from(buffer.subarray(afterLine, end)), next: end + 2 };
    }
    case "*": {
      const count = Number.parseInt(line, 10);
      if (count === -1) return { reply: null, next: afterLine };
      if (!Number.isInteger(count) || count < 0) throw new ProtocolError(`invalid array length: ${line}`);
      const items: Reply[] = [];
      let position = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, position);
        if (item === undefined) return undefined;
        items.push(item.reply);
        position = item.next;
      }
      return { reply: items, next: position };
    }
    default:
      throw new ProtocolError(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/** Redis host, port, credentials and database index, parsed from a `redis://` URL. */
export interface RedisAddress {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
}

/** Parses `redis://[[username]:password@]host[:port][/db]`. TLS (`rediss://`) is not supported. */
export function parseRedisUrl(url: string): RedisAddress {
  const parsed = new URL(url);
  if (parsed.protocol !== "redis:") {
    throw new Error(`unsupported Redis URL scheme ${JSON.stringify(parsed.protocol)}: expected redis://host:port[/db]`);
  }

  const dbPath = parsed.pathname.replace(/^\//, "");
  const db = dbPath === "" ? 0 : Number(dbPath);
  if (!Number.isInteger(db) || db < 0) throw new Error(`invalid Redis database index ${JSON.stringify(dbPath)} in Redis URL`);

  // URL keeps IPv6 hosts in brackets, which net.connect does not accept.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    host,
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    username: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === "" ? undefined : decodeURIComponent(parsed.password),
    db,
  };
}

/** `host:port/db` for log lines, without credentials. */
export function describeAddress(address: RedisAddress): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `${host}:${address.port}/${address.db}`;
}

interface PendingReply {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

/**
 * One TCP connection to Redis. Commands are pipelined: each write appends to the socket and its
 * reply is matched by order, because Redis replies in command order on a single connection.
 * Error replies resolve as `ReplyError` values; only transport failures reject.
 */
export class RespConnection {
  private readonly pending: PendingReply[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private closedError: Error | undefined;
  private readonly closeListeners: Array<(error: Error) => void> = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("Redis connection closed")));
  }

  /** Opens a connection, then sends AUTH and SELECT as the address requires. Rejects when any step fails or times out. */
  static async connect(address: RedisAddress, connectTimeoutMs: number): Promise<RespConnection> {
    const connection = await new Promise<RespConnection>((resolve, reject) => {
      const socket = net.connect({ host: address.host, port: address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to Redis at ${describeAddress(address)} timed out after ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new RespConnection(socket));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`connecting to Redis at ${describeAddress(address)} failed: ${error.message}`, { cause: error }));
      });
    });

    try {
      if (address.password !== undefined) {
        const auth = address.username === undefined ? ["AUTH", address.password] : ["AUTH", address.username, address.password];
        const reply = await connection.send(auth);
        if (reply instanceof ReplyError) throw new Error(`Redis AUTH failed: ${reply.message}`);
      }
      if (address.db !== 0) {
        const reply = await connection.send(["SELECT", String(address.db)]);
        if (reply instanceof ReplyError) throw new Error(`Redis SELECT ${address.db} failed: ${reply.message}`);
      }
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  get isOpen(): boolean {
    return this.closedError === undefined;
  }

  /** Registers a callback that runs once when the connection closes or fails. */
  onClose(listener: (error: Error) => void): void {
    if (this.closedError !== undefined) listener(this.closedError);
    else this.closeListeners.push(listener);
  }

  send(args: readonly CommandArgument[]): Promise<Reply> {
    return this.sendMany([args]).then((replies) => replies[0]!);
  }

  /** Writes all commands in one socket write, so no other caller's command lands between them. */
  sendMany(commands: ReadonlyArray<readonly CommandArgument[]>): Promise<Reply[]> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);

    const replies = commands.map(
      () =>
        new Promise<Reply>((resolve, reject) => {
          this.pending.push({ resolve, reject });
        }),
    );
    this.socket.write(Buffer.concat(commands.map((args) => encodeCommand(args))));
    return Promise.all(replies);
  }

  close(): void {
    this.fail(new Error("Redis connection closed by the endpoint"));
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);

    let offset = 0;
    try {
      for (;;) {
        const parsed = parseReply(this.buffer, offset);
        if (parsed === undefined) break;
        offset = parsed.next;
        const waiter = this.pending.shift();
        if (waiter === undefined) throw new ProtocolError("Redis sent a reply that no command was waiting for");
        waiter.resolve(parsed.reply);
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
  }

  private fail(error: Error): void {
    if (this.closedError !== undefined) return;
    this.closedError = error;
    this.socket.destroy();
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
    for (const listener of this.closeListeners.splice(0)) listener(error);
  }
}
