/**
 * Creates a request body sent in chunks without Content-Length: `chunks` pieces of `chunkBytes` bytes.
 * Fetch needs `duplex: "half"` alongside it.
 */
export function chunkedBody(chunkBytes: number, chunks: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode("x".repeat(chunkBytes));
  let sent = 0;

  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= chunks) return controller.close();
      sent += 1;
      controller.enqueue(chunk);
    },
  });
}
