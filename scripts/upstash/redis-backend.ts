// Command executor backed by a real Redis server over RESP2.

import { BackendUnavailableError, type Command, type CommandBackend, type EndpointLogger } from "./backend.js";
import { ReplyError, RespConnection, describeAddress, type RedisAddress, type Reply } from "./resp.js";
import { ScriptFlagRewriter } from "./script-flags.js";

// Idle dedicated connections kept for /multi-exec; more concurrent transactions open extra ones
// that are closed afterwards.
const MAX_IDLE_TRANSACTION_CONNECTIONS = 4;

/**
 * Runs single commands and pipelines on one shared, pipelined connection, and each transaction
 * on a dedicated connection, because MULTI state belongs to the connection that sent it.
 * A lost shared connection is reopened on the next request.
 */
export class RedisBackend implements CommandBackend {
  readonly kind = "redis";
  private shared: Promise<RespConnection> | undefined;
  private readonly idleTransactionConnections: RespConnection[] = [];
  private readonly openConnections = new Set<RespConnection>();
  private readonly scriptFlags = new ScriptFlagRewriter();
  private outage = false;
  private closed = false;

  private constructor(
    private readonly address: RedisAddress,
    private readonly connectTimeoutMs: number,
    private readonly logger: EndpointLogger,
  ) {}

  /**
   * Connects once so that an unreachable Redis fails here, with the connection error, instead of on
   * the first request. `initialTimeoutMs` bounds only this first attempt.
   */
  static async open(
    address: RedisAddress,
    connectTimeoutMs: number,
    logger: EndpointLogger,
    initialTimeoutMs = connectTimeoutMs,
  ): Promise<RedisBackend> {
    const backend = new RedisBackend(address, connectTimeoutMs, logger);
    const connection = await RespConnection.connect(address, initialTimeoutMs);
    backend.track(connection);
    backend.shared = Promise.resolve(connection);
    backend.watchShared(connection);
    return backend;
  }

  async execute(command: Command): Promise<Reply> {
    const [reply] = await this.executePipeline([command]);
    return reply!;
  }

  async executePipeline(commands: Command[]): Promise<Reply[]> {
    const rewritten = commands.map((command) => this.scriptFlags.rewrite(command));
    const connection = await this.sharedConnection();
    const replies = await this.guard(connection.sendMany(rewritten.map((entry) => entry.command)));
    return replies.map((reply, i) => rewritten[i]!.adjustReply(reply));
  }

  async executeTransaction(commands: Command[]): Promise<Reply[] | ReplyError> {
    const rewritten = commands.map((command) => this.scriptFlags.rewrite(command));
    const connection = this.takeIdleConnection() ?? (await this.connect());

    let replies: Reply[];
    try {
      const queued = rewritten.map((entry) => entry.command);
      replies = await this.guard(connection.sendMany([[Buffer.from("MULTI")], ...queued, [Buffer.from("EXEC")]]));
    } catch (error) {
      this.release(connection, false);
      throw error;
    }
    this.release(connection, true);

    const multiReply = replies[0];
    const execReply = replies[replies.length - 1];
    if (multiReply instanceof ReplyError) return multiReply;

    if (execReply instanceof ReplyError) {
      // EXEC replies only EXECABORT. The error that caused it arrived in place of a QUEUED reply.
      const cause = replies.slice(1, -1).find((reply): reply is ReplyError => reply instanceof ReplyError);
      return new ReplyError(cause === undefined ? execReply.message : `${execReply.message} Cause: ${cause.message}`);
    }
    if (!Array.isArray(execReply)) {
      return new ReplyError("EXECABORT Transaction aborted: EXEC returned no replies");
    }
    return execReply.map((reply, i) => rewritten[i]!.adjustReply(reply));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const connection of this.openConnections) connection.close();
    this.openConnections.clear();
    this.idleTransactionConnections.length = 0;
    this.shared = undefined;
  }

  private async sharedConnection(): Promise<RespConnection> {
    if (this.closed) throw new BackendUnavailableError("the endpoint is closed");

    const current = this.shared === undefined ? undefined : await this.shared.catch(() => undefined);
    if (current?.isOpen) return current;

    const opening = this.connect();
    this.shared = opening;
    try {
      const connection = await opening;
      this.watchShared(connection);
      return connection;
    } catch (error) {
      if (this.shared === opening) this.shared = undefined;
      throw error;
    }
  }

  private watchShared(connection: RespConnection): void {
    connection.onClose((error) => {
      if (this.closed || this.outage) return;
      this.outage = true;
      this.logger.warn("redis connection lost", { redis: describeAddress(this.address), error: error.message });
    });
  }

  /** Opens a connection, logging the first failure of an outage and the recovery after it, not every retry. */
  private async connect(): Promise<RespConnection> {
    let connection: RespConnection;
    try {
      connection = await RespConnection.connect(this.address, this.connectTimeoutMs);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!this.outage) {
        this.outage = true;
        this.logger.warn("redis connection failed", { redis: describeAddress(this.address), error: message });
      }
      throw new BackendUnavailableError(`ERR Redis is unreachable: ${message}`, { cause: error });
    }

    if (this.outage) {
      this.outage = false;
      this.logger.info("redis connection restored", { redis: describeAddress(this.address) });
    }
    if (this.closed) {
      connection.close();
      throw new BackendUnavailableError("the endpoint is closed");
    }
    this.track(connection);
    return connection;
  }

  private track(connection: RespConnection): void {
    this.openConnections.add(connection);
    connection.onClose(() => this.openConnections.delete(connection));
  }

  private takeIdleConnection(): RespConnection | undefined {
    for (;;) {
      const connection = this.idleTransactionConnections.pop();
      if (connection === undefined || connection.isOpen) return connection;
    }
  }

  private release(connection: RespConnection, reusable: boolean): void {
    if (reusable && connection.isOpen && !this.closed && this.idleTransactionConnections.length < MAX_IDLE_TRANSACTION_CONNECTIONS) {
      this.idleTransactionConnections.push(connection);
    } else {
      connection.close();
    }
  }

  /** Turns a transport rejection into `BackendUnavailableError` so the HTTP layer can tell it from a bug. */
  private async guard<T>(pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new BackendUnavailableError(`ERR Redis request failed: ${message}`, { cause: error });
    }
  }
}
