import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createApp } from "../src/http/app.js";

/**
 * `npm run client:generate`: writes client/openapi.json from the REST adapter's schemas and
 * compiles the typed tRPC client with its declaration files into client/dist.
 */
// The document needs no database; these placeholders only satisfy the environment check, and the
// driver never connects because no query runs.
const placeholderBindings = { DATABASE_URL: "postgres://unused@127.0.0.1:1/unused", JWT_SECRET: "x".repeat(32) };
const response = await createApp().request("/openapi.json", {}, placeholderBindings);
if (!response.ok) throw new Error(`GET /openapi.json returned ${response.status}`);
const document = await response.json();
await writeFile(new URL("../client/openapi.json", import.meta.url), `${JSON.stringify(document, null, 2)}\n`);

execFileSync(process.execPath, [new URL("../node_modules/typescript/bin/tsc", import.meta.url).pathname, "-p", "client/tsconfig.json"], {
  stdio: "inherit",
});
process.stdout.write("client/openapi.json and client/dist written\n");
