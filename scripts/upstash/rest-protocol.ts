// Request parsing and response encoding for Upstash's Redis REST API, as used by
// @upstash/redis 1.39 (pkg/http.ts): commands are JSON arrays, results come back as
// {"result": ...} or {"error": "..."}, and with `Upstash-Encoding: base64` every string
// in a result is base64-encoded except the status reply "OK".

import type { Command } from "./backend.js";
import { ReplyError, SimpleString, type Reply } from "./resp.js";

/** A request the endpoint rejects before any command runs; `status` is the HTTP status to send. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

function toArgument(value: unknown, position: string): Buffer {
  if (typeof value === "string") return Buffer.from(value, "utf8");
  // NOTE: JSON.parse turns integers above 2^53 into doubles before they get here, so such
  // numbers lose precision; @upstash/redis sends them as JSON numbers only when the caller passed a JS number.
  if (typeof value === "number" || typeof value === "boolean") return Buffer.from(String(value), "utf8");
  throw new RequestError(400, `ERR invalid argument at ${position}: expected a string, number or boolean, got ${value === null ? "null" : typeof value}`);
}

function toCommand(value: unknown, position: string): Command {
  if (!Array.isArray(value)) throw new RequestError(400, `ERR invalid command at ${position}: expected a JSON array such as ["GET","key"]`);
  if (value.length === 0) throw new RequestError(400, `ERR empty command at ${position}`);
  return value.map((item, index) => toArgument(item, `${position}[${index}]`));
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new RequestError(400, `ERR failed to parse request body as JSON: ${(error as Error).message}`);
  }
}

/** Parses the body of `POST /`: one command as a JSON array. */
export function parseSingleCommand(body: Buffer): Command {
  return toCommand(parseJson(body), "body");
}

/** Parses the body of `POST /pipeline` or `POST /multi-exec`: a non-empty JSON array of commands. */
export function parseCommandList(body: Buffer): Command[] {
  const value = parseJson(body);
  if (!Array.isArray(value) || value.length === 0) {
    throw new RequestError(400, 'ERR invalid body: expected a non-empty JSON array of commands such as [["SET","k","v"],["GET","k"]]');
  }
  return value.map((command, index) => toCommand(command, `body[${index}]`));
}

/**
 * Builds a command from the path form, e.g. `/set/key/value?EX=100` → `SET key value EX 100`.
 * A non-empty POST body is appended as the last argument, as Upstash does for values that do not fit a URL.
 */
export function parsePathCommand(url: URL, body: Buffer): Command {
  let segments: string[];
  try {
    segments = url.pathname
      .split("/")
      .filter((segment) => segment !== "")
      .map((segment) => decodeURIComponent(segment));
  } catch {
    throw new RequestError(400, `ERR invalid percent-encoding in path ${JSON.stringify(url.pathname)}`);
  }
  if (segments.length === 0) {
    throw new RequestError(400, 'ERR missing command: POST a JSON array such as ["GET","key"] to / or use the path form /get/key');
  }

  const command: Command = segments.map((segment) => Buffer.from(segment, "utf8"));
  if (body.length > 0) command.push(body);
  for (const [name, value] of url.searchParams) {
    if (name === "_token") continue;
    command.push(Buffer.from(name, "utf8"));
    if (value !== "") command.push(Buffer.from(value, "utf8"));
  }
  return command;
}

/** Serializes a reply as JSON text. Integers are written from bigints so 64-bit values stay exact. */
export function encodeResult(reply: Reply, base64: boolean): string {
  if (reply === null) return "null";
  if (typeof reply === "bigint") return reply.toString();
  if (Buffer.isBuffer(reply)) return JSON.stringify(base64 ? reply.toString("base64") : reply.toString("utf8"));
  if (reply instanceof SimpleString) {
    const encoded = base64 && reply.value !== "OK" ? Buffer.from(reply.value, "utf8").toString("base64") : reply.value;
    return JSON.stringify(encoded);
  }
  // NOTE: an error nested in an array (a Lua script can return one) becomes its unencoded message string.
  // Upstash does not document how it renders this case.
  if (reply instanceof ReplyError) return JSON.stringify(reply.message);
  return `[${reply.map((item) => encodeResult(item, base64)).join(",")}]`;
}

/** Encodes one entry of a pipeline or transaction response: `{"result":...}` or `{"error":"..."}`. */
export function encodeEntry(reply: Reply, base64: boolean): string {
  if (reply instanceof ReplyError) return JSON.stringify({ error: reply.message });
  return `{"result":${encodeResult(reply, base64)}}`;
}
