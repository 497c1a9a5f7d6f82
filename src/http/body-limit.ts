import { createMiddleware } from "hono/factory";
import { DomainError } from "../domain/errors.js";
import type { AppEnv } from "./types.js";

/**
 * Bytes of an oversized chunked body read and thrown away before the 413 response. Responding
 * while the client is still sending made `wrangler dev` (workerd) stall the next request on that
 * connection; draining lets the connection finish cleanly. Past this amount the stream is cancelled.
 */
const MAX_DRAIN_BYTES = 8 * 1024 * 1024;

function tooLarge(maxBytes: number): DomainError {
  return new DomainError("PAYLOAD_TOO_LARGE", `The request body exceeds ${maxBytes} bytes. Send a smaller body.`);
}

/**
 * Rejects request bodies over `maxBytes` with 413 before any route parses them. A declared
 * Content-Length is checked without reading; a chunked body is read up to the limit and buffered.
 */
export function limitBody(maxBytes: number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();

    const declared = c.req.header("Content-Length");
    if (declared !== undefined && !c.req.header("Transfer-Encoding")) {
      if (Number(declared) > maxBytes) throw tooLarge(maxBytes);
      return next();
    }

    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;

    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;

      if (size > maxBytes) {
        await drain(reader, size);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }

    const buffered = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      buffered.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.raw, { body: buffered });
    return next();
  });
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<void> {
  let total = alreadyRead;
  try {
    while (total <= MAX_DRAIN_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
    }
    await reader.cancel("request body too large");
  } catch {
    // The client may close the connection as soon as the 413 arrives, so nothing is left to drain.
  }
}
