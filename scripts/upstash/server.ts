// Upstash-compatible Redis REST endpoint for local development and CI, where no Upstash
// cloud database exists. Production code keeps using @upstash/redis and @upstash/ratelimit
// unchanged and only points UPSTASH_REDIS_REST_URL / _TOKEN here.

import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

import {
  BackendUnavailableError,
  createJsonLineLogger,
  rejectionReason,
  type BackendKind,
  type Command,
  type CommandBackend,
  type EndpointLogger,
} from "./backend.js";
import { MemoryStore } from "./memory-store.js";
import { RedisBackend } from "./redis-backend.js";
import { RequestError, encodeEntry, encodeResult, parseCommandList, parsePathCommand, parseSingleCommand } from "./rest-protocol.js";
import { ReplyError, describeAddress, parseRedisUrl, type Reply } from "./resp.js";

/** Redis that `backend: "auto"` tries before falling back to memory. */
const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
/** Probe timeout for the default Redis; short because the fallback is expected when no Redis runs. */
const AUTO_PROBE_TIMEOUT_MS = 500;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** This endpoint's own request body limit, not Upstash's. */
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface UpstashEndpointOptions {
  /** TCP port to listen on; 0 picks a free one, which the returned `url` then contains. */
  port: number;
  host?: string;
  /** Bearer token clients must send, as `UPSTASH_REDIS_REST_TOKEN` would be in production. */
  token: string;
  /** `redis://[[user]:password@]host[:port][/db]`. When set, Redis must be reachable or startup fails. */
  redisUrl?: string;
  /**
   * `auto` (the default) uses `redisUrl` when given, otherwise Redis on 127.0.0.1:6379 when it
   * accepts a connection, otherwise the in-memory store. `redis` and `memory` force one backend.
   */
  backend?: "auto" | BackendKind;
  logger?: EndpointLogger;
  connectTimeoutMs?: number;
  maxBodyBytes?: number;
}

export interface UpstashEndpoint {
  /** Base URL for `new Redis({ url, token })`, e.g. `http://127.0.0.1:8079`. */
  url: string;
  token: string;
  backend: BackendKind;
  /** Stops listening, drops open HTTP connections and closes the Redis connections. */
  close(): Promise<void>;
}

interface OpenedBackend {
  backend: CommandBackend;
  /** `host:port/db` of the Redis in use, for the startup log line. */
  redis?: string;
}

async function openBackend(options: UpstashEndpointOptions, logger: EndpointLogger): Promise<OpenedBackend> {
  const mode = options.backend ?? "auto";
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

  if (mode === "memory") return { backend: new MemoryStore() };
  if (mode === "redis" || options.redisUrl !== undefined) {
    const address = parseRedisUrl(options.redisUrl ?? DEFAULT_REDIS_URL);
    return { backend: await RedisBackend.open(address, connectTimeoutMs, logger), redis: describeAddress(address) };
  }

  const address = parseRedisUrl(DEFAULT_REDIS_URL);
  try {
    const backend = await RedisBackend.open(address, connectTimeoutMs, logger, Math.min(connectTimeoutMs, AUTO_PROBE_TIMEOUT_MS));
    return { backend, redis: describeAddress(address) };
  } catch (error) {
    logger.warn("redis unavailable, using in-memory store", {
      redis: describeAddress(address),
      error: error instanceof Error ? error.message : String(error),
    });
    return { backend: new MemoryStore() };
  }
}

function isAuthorized(request: http.IncomingMessage, url: URL, expectedDigest: Buffer): boolean {
  const header = request.headers.authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  const presented = match?.[1] ?? url.searchParams.get("_token");
  if (presented === null) return false;
  // Comparing fixed-length digests keeps timingSafeEqual usable for tokens of any length.
  return timingSafeEqual(createHash("sha256").update(presented).digest(), expectedDigest);
}

/** Reads the whole body; rejects with 413 past `limit` bytes but keeps draining so the response can still be sent. */
function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => {
      if (size > limit) reject(new RequestError(413, `ERR request body of ${size} bytes exceeds the limit of ${limit} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    request.on("error", reject);
  });
}

function assertAllowed(commands: Command[]): void {
  for (const command of commands) {
    const reason = rejectionReason(command);
    if (reason !== undefined) throw new RequestError(400, reason);
  }
}

function requirePost(request: http.IncomingMessage, path: string): void {
  if (request.method !== "POST") throw new RequestError(405, `ERR method ${request.method} is not allowed on ${path}: use POST`);
}

interface Response {
  status: number;
  body: string;
}

function errorResponse(status: number, message: string): Response {
  return { status, body: JSON.stringify({ error: message }) };
}

function singleResponse(reply: Reply, base64: boolean): Response {
  if (reply instanceof ReplyError) return errorResponse(400, reply.message);
  return { status: 200, body: `{"result":${encodeResult(reply, base64)}}` };
}

function listResponse(replies: Reply[], base64: boolean): Response {
  return { status: 200, body: `[${replies.map((reply) => encodeEntry(reply, base64)).join(",")}]` };
}

async function route(request: http.IncomingMessage, url: URL, body: Buffer, backend: CommandBackend, base64: boolean): Promise<Response> {
  const path = url.pathname.replace(/\/+$/, "") || "/";

  if (path === "/" && request.method === "POST") {
    const command = parseSingleCommand(body);
    assertAllowed([command]);
    return singleResponse(await backend.execute(command), base64);
  }
  if (path === "/pipeline") {
    requirePost(request, path);
    const commands = parseCommandList(body);
    assertAllowed(commands);
    return listResponse(await backend.executePipeline(commands), base64);
  }
  if (path === "/multi-exec") {
    requirePost(request, path);
    const commands = parseCommandList(body);
    assertAllowed(commands);
    const replies = await backend.executeTransaction(commands);
    if (replies instanceof ReplyError) return errorResponse(400, replies.message);
    return listResponse(replies, base64);
  }

  if (request.method !== "GET" && request.method !== "POST") {
    throw new RequestError(405, `ERR method ${request.method} is not allowed: use GET or POST`);
  }
  const command = parsePathCommand(url, body);
  assertAllowed([command]);
  return singleResponse(await backend.execute(command), base64);
}

/**
 * Starts the endpoint and resolves once it listens. Rejects when the port is taken or when a
 * required Redis (`redisUrl` set, or `backend: "redis"`) is unreachable.
 */
export async function startUpstashEndpoint(options: UpstashEndpointOptions): Promise<UpstashEndpoint> {
  const host = options.host ?? "127.0.0.1";
  const logger = options.logger ?? createJsonLineLogger();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (options.token === "") throw new Error("token must not be empty: clients authenticate with it as a bearer token");
  const tokenDigest = createHash("sha256").update(options.token).digest();

  const { backend, redis } = await openBackend(options, logger);
  // Upstash uses this token for read-your-writes across replicas. A single store is always
  // consistent, so here a counter only keeps the header present for clients that echo it.
  let syncToken = 0;

  const server = http.createServer((request, response) => {
    const send = ({ status, body }: Response) => {
      syncToken++;
      response.writeHead(status, { "content-type": "application/json", "upstash-sync-token": String(syncToken) });
      response.end(body);
    };

    // Prefixing the origin keeps a path such as `//set/k` a path instead of a host.
    let url: URL;
    try {
      url = new URL(`http://endpoint.invalid${request.url ?? "/"}`);
    } catch {
      request.resume();
      send(errorResponse(400, `ERR invalid request target ${JSON.stringify(request.url)}`));
      return;
    }

    if (!isAuthorized(request, url, tokenDigest)) {
      request.resume();
      send(errorResponse(401, "Unauthorized"));
      return;
    }

    const handle = async (): Promise<Response> => {
      const format = request.headers["upstash-response-format"];
      if (format !== undefined && String(format).toLowerCase() !== "json") {
        throw new RequestError(400, `ERR Upstash-Response-Format ${JSON.stringify(format)} is not supported by this endpoint: omit the header or send "json"`);
      }
      const base64 = String(request.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
      const body = await readBody(request, maxBodyBytes);
      return route(request, url, body, backend, base64);
    };

    handle().then(send, (error: unknown) => {
      if (error instanceof RequestError) {
        send(errorResponse(error.status, error.message));
      } else if (error instanceof BackendUnavailableError) {
        // RedisBackend already logged the outage once; logging here would repeat it per request.
        send(errorResponse(503, error.message));
      } else {
        logger.error("request failed", {
          method: request.method,
          path: url.pathname,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          stack: error instanceof Error ? error.stack : undefined,
        });
        send(errorResponse(500, "ERR internal error in the local Upstash endpoint: see the endpoint log"));
      }
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await backend.close();
    throw error;
  }

  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  logger.info("upstash endpoint started", { url, backend: backend.kind, ...(redis === undefined ? {} : { redis }) });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections from fetch would otherwise hold server.close() open.
        server.closeAllConnections();
      });
      await backend.close();
      logger.info("upstash endpoint stopped", { url });
    })();
    return closing;
  };

  return { url, token: options.token, backend: backend.kind, close };
}
