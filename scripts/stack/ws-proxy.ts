import { createConnection } from "node:net";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { StackLogger } from "./log.js";

export interface WebSocketProxy {
  /** `host:port` to hand to `neonConfig.wsProxy`, with no scheme. */
  address: string;
  close(): Promise<void>;
}

/**
 * Starts a WebSocket-to-TCP proxy speaking the protocol of Neon's wsproxy, so that
 * `@neondatabase/serverless` reaches a plain Postgres server exactly as it reaches Neon.
 *
 * The client opens `ws://<proxy>/v2?address=<host>:<port>` and every binary frame is copied to
 * the TCP socket and back. Only `allowedTarget` may be dialled, so the proxy is not an open relay.
 */
export async function startWebSocketProxy(options: {
  allowedTarget: { host: string; port: number };
  port?: number;
  logger: StackLogger;
}): Promise<WebSocketProxy> {
  const { allowedTarget, logger } = options;
  const server = new WebSocketServer({ host: "127.0.0.1", port: options.port ?? 0 });

  server.on("connection", (socket, request) => {
    const requested = new URL(request.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const target = parseAddress(requested);

    // The driver names the database host from the connection string. The proxy dials only the
    // configured server whatever that name is, so "localhost" and "127.0.0.1" both work.
    if (target === null) {
      logger.warn("ws_proxy.rejected", { address: requested, reason: "address must be host:port" });
      socket.close(1008, "address must be host:port");
      return;
    }

    const tcp = createConnection({ host: allowedTarget.host, port: allowedTarget.port });
    tcp.setNoDelay(true);
    const pending: Buffer[] = [];
    let connected = false;

    tcp.on("connect", () => {
      connected = true;
      for (const chunk of pending) tcp.write(chunk);
      pending.length = 0;
    });
    tcp.on("data", (chunk) => socket.send(chunk, { binary: true }));
    tcp.on("error", (error) => {
      logger.warn("ws_proxy.tcp_error", { address: requested, error: error.message });
      socket.close(1011, "upstream connection failed");
    });
    tcp.on("close", () => socket.close());

    socket.on("message", (data) => {
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (connected) tcp.write(chunk);
      else pending.push(chunk);
    });
    socket.on("close", () => tcp.end());
    socket.on("error", (error) => {
      logger.warn("ws_proxy.socket_error", { address: requested, error: error.message });
      tcp.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });

  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

function parseAddress(value: string): { host: string; port: number } | null {
  const match = /^(.+):(\d{1,5})$/.exec(value);
  if (match === null) return null;
  return { host: match[1]!, port: Number(match[2]) };
}
