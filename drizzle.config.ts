import { defineConfig } from "drizzle-kit";

// Migrations are generated offline from the schema (`npm run db:generate`) and committed under drizzle/.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
