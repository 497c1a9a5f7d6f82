import { createApp } from "./http/app.js";

/**
 * The Worker entry. The app is built once per isolate; each request gets its own services
 * (see `createRequestServices`), wired by the request middleware.
 */
const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Record<string, unknown>>;
