import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import type { StackLogger } from "./log.js";

/**
 * A Postgres wire-protocol server in front of one embedded PGlite, for many client connections.
 *
 * PGlite is a single backend, so connections take turns. Two bugs of `@electric-sql/pglite-socket`
 * 0.2 ruled it out for the Neon driver, which opens a new connection for every request:
 * - Its default `maxConnections` is 1, and a closed connection is released a tick late. A client
 *   that reconnects at once got a bare "Too many connections" line and no protocol message, so the
 *   driver waited for a response that never came.
 * - With a higher limit it interleaves single messages of different connections, so connection B's
 *   Parse can replace connection A's unnamed statement between A's Bind and Execute. Concurrent
 *   inserts then broke the session for everyone.
 * This server runs a connection's messages up to and including each Sync (or simple Query) as one
 * batch, and while a connection has a transaction open no other connection runs at all.
 *
 * NOTE: session state (SET, temporary tables, named prepared statements) is shared by all
 * connections, because there is only one backend. The application uses none of these.
 */

const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;
const CANCEL_REQUEST_CODE = 80877102;
const PROTOCOL_VERSION_3 = 196608;

/** Frontend message types after which the client waits for a response (protocol v3). */
const BATCH_END_TYPES = new Set(["S", "Q", "H", "c", "f"]);

/** Serialises access to the backend; the owner of an open transaction keeps it until the end. */
class BackendLock {
  private owner: number | null = null;
  private waiters: Array<() => void> = [];

  async acquire(connectionId: number): Promise<void> {
    while (this.owner !== null && this.owner !== connectionId) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.owner = connectionId;
  }

  release(connectionId: number): void {
    if (this.owner !== connectionId) return;
    this.owner = null;
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }
}

export interface PGliteServer {
  port: number;
  close(): Promise<void>;
}

export async function startPGliteServer(database: PGlite, logger: StackLogger): Promise<PGliteServer> {
  const lock = new BackendLock();
  const sockets = new Set<Socket>();
  let nextConnectionId = 1;

  const server: Server = createServer((socket) => {
    const connectionId = nextConnectionId++;
    sockets.add(socket);
    socket.setNoDelay(true);

    let buffered = Buffer.alloc(0);
    let started = false;
    let batch: Buffer[] = [];
    // One chain per connection keeps its batches in order.
    let chain: Promise<void> = Promise.resolve();

    const run = (messages: Buffer) => {
      chain = chain.then(async () => {
        await lock.acquire(connectionId);
        try {
          const output = await database.execProtocolRaw(new Uint8Array(messages));
          if (!socket.destroyed) socket.write(output);
        } catch (error) {
          logger.warn("pglite.protocol_error", { connection: connectionId, error: String(error) });
          socket.destroy();
        } finally {
          if (!database.isInTransaction()) lock.release(connectionId);
        }
      });
    };

    const finish = () => {
      sockets.delete(socket);
      chain = chain.then(async () => {
        // A client that vanished inside a transaction must not keep the backend locked.
        await lock.acquire(connectionId);
        try {
          if (database.isInTransaction()) await database.exec("rollback");
        } catch (error) {
          logger.warn("pglite.rollback_failed", { connection: connectionId, error: String(error) });
        } finally {
          lock.release(connectionId);
        }
      });
    };

    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);

      while (true) {
        if (!started) {
          if (buffered.length < 8) return;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) return;
          const code = buffered.readInt32BE(4);
          const message = buffered.subarray(0, length);
          buffered = buffered.subarray(length);

          if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
            socket.write("N");
            continue;
          }
          if (code === CANCEL_REQUEST_CODE || code !== PROTOCOL_VERSION_3) {
            socket.end();
            return;
          }
          started = true;
          run(Buffer.from(message));
          continue;
        }

        if (buffered.length < 5) return;
        const type = String.fromCharCode(buffered[0]!);
        const length = 1 + buffered.readInt32BE(1);
        if (buffered.length < length) return;
        const message = Buffer.from(buffered.subarray(0, length));
        buffered = buffered.subarray(length);

        // Terminate is handled here: PGlite's single session must outlive every client.
        if (type === "X") {
          socket.end();
          return;
        }

        batch.push(message);
        if (BATCH_END_TYPES.has(type)) {
          run(Buffer.concat(batch));
          batch = [];
        }
      }
    });

    socket.once("close", finish);
    socket.on("error", (error) => logger.warn("pglite.socket_error", { connection: connectionId, error: error.message }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });

  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
