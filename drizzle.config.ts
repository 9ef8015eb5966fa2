import { defineConfig } from "drizzle-kit";

export default defineConfig({
	dialect: "sqlite",
	schema: "./src/db/schema.ts",
	out: "./migrations",
	// Flat NNNN_name.sql files, the layout `wrangler d1 migrations apply` and
	// the Vitest integration's readD1Migrations both read.
	migrations: { prefix: "index" },
});
