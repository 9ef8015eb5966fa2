import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Local secrets for the Worker under test. wrangler reads secrets from
 * process.env, so the Worker gets these without a .dev.vars file.
 */
Object.assign(process.env, {
	SESSION_SECRET: "test-session-secret-0123456789abcdef",
	ADMIN_TOKEN: "test-admin-token",
	// Cloudflare's documented always-pass Turnstile test secret.
	TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
});

/** Retries the dead-letter project allows the order queue's consumer before the DLQ. */
const DEAD_LETTER_MAX_RETRIES = 1;

export default defineConfig(async () => {
	const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
	return {
		test: {
			// The Worker logs one JSON line per purchase, and a test makes thousands:
			// the output shows tests, and a failing test's logs, nothing else.
			silent: "passed-only",
			projects: [
				{
					// Integration tests inside workerd: the real app, real bindings.
					plugins: [
						cloudflareTest({
							wrangler: { configPath: "./wrangler.jsonc" },
							miniflare: {
								bindings: {
									TEST_MIGRATIONS: migrations,
									// The offline payment provider, so sales with holds can be made and paid.
									PAYMENT_PROVIDER: "test",
									ALLOW_TEST_PROVIDERS: "1",
									// Tests that run a sale's alarm deadline after deadline (holds
									// expiring, waitlists handing on) would otherwise meet an order
									// book audit every 30 s of alarm time; the audit's own tests
									// drive it explicitly.
									ORDER_BOOK_AUDIT_SECONDS: "86400",
								},
							},
						}),
					],
					test: {
						name: "worker",
						include: ["test/worker/**/*.test.ts"],
						setupFiles: ["./test/worker/apply-migrations.ts"],
						testTimeout: 30_000,
					},
				},
				{
					// The order queue's dead-letter path in local workerd. Production
					// retries ten times with backoff up to a minute, which would take
					// minutes, so this project keeps the real consumer and queue but
					// allows one retry; Miniflare replaces a consumer's settings as a
					// whole, so the others are restated from wrangler.jsonc.
					plugins: [
						cloudflareTest({
							wrangler: { configPath: "./wrangler.jsonc" },
							miniflare: {
								bindings: { TEST_MIGRATIONS: migrations, TEST_MAX_RETRIES: DEAD_LETTER_MAX_RETRIES },
								queueConsumers: {
									"doorbuster-orders": {
										maxBatchSize: 100,
										maxBatchTimeout: 1,
										maxRetries: DEAD_LETTER_MAX_RETRIES,
										deadLetterQueue: "doorbuster-orders-dlq",
									},
								},
								serviceBindings: { DEAD_LETTERS: "dead-letter-inbox" },
								workers: [
									{
										name: "dead-letter-inbox",
										modules: true,
										scriptPath: "./test/dead-letter/inbox.worker.js",
										compatibilityDate: "2026-11-01",
										queueConsumers: ["doorbuster-orders-dlq"],
									},
								],
							},
						}),
					],
					test: {
						name: "dead-letter",
						include: ["test/dead-letter/**/*.test.ts"],
						setupFiles: ["./test/worker/apply-migrations.ts"],
						testTimeout: 30_000,
					},
				},
				{
					// Browser tests: Chromium (the system's, or the one from npm)
					// against the Worker in local workerd.
					test: {
						name: "e2e",
						include: ["test/e2e/**/*.test.ts"],
						globalSetup: ["./test/e2e/browser-binary.ts"],
						environment: "node",
						testTimeout: 60_000,
						hookTimeout: 120_000,
					},
				},
				{
					// The page's purchase protocol, with no DOM, against the Worker in local workerd.
					test: {
						name: "protocol",
						include: ["test/protocol/**/*.test.ts"],
						environment: "node",
						testTimeout: 30_000,
						hookTimeout: 120_000,
					},
				},
				{
					// The draw verifier as its command runs it: in Node, outside the Worker.
					test: {
						name: "draw",
						include: ["test/draw/**/*.test.ts"],
						environment: "node",
					},
				},
				{
					// The real Worker in local workerd killed mid-rush and restarted
					// on the same persisted state.
					test: {
						name: "restart",
						include: ["test/restart/**/*.test.ts"],
						environment: "node",
						testTimeout: 180_000,
					},
				},
				{
					// The stampede benchmark, small and as a correctness check only.
					test: {
						name: "bench",
						include: ["test/bench/**/*.test.ts"],
						environment: "node",
						testTimeout: 300_000,
						hookTimeout: 120_000,
					},
				},
			],
		},
	};
});
