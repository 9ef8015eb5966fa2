/**
 * The real Worker for the tests that talk to it over HTTP: the browser tests
 * and the purchase protocol's tests.
 */
import path from "node:path";
import { createTestHarness } from "wrangler";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The Worker must never try to reach Cloudflare for `request.cf` on this offline machine. */
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

function secret(name: "SESSION_SECRET" | "ADMIN_TOKEN" | "TURNSTILE_SECRET_KEY"): string {
	const value = process.env[name];
	if (!value) throw new Error(`${name} is not set; vitest.config.ts sets it for the tests.`);
	return value;
}

export interface SaleInput {
	name: string;
	description: string;
	priceCents: number;
	currency: string;
	totalStock: number;
	startsAt: number;
	endsAt: number;
	maxPerUser: number;
	/** The v2 fields (shared/API.md "Sale fields"); a sale without them is a v1 sale. */
	variants?: { id: string; name: string; totalStock: number }[];
	imageUrl?: string;
	holdSeconds?: number;
	/** A draw instead of a race (shared/API.md "Draws"). */
	mode?: "first_come" | "draw";
	/** How many Durable Objects share the stock (shared/API.md "Scale"). */
	shards?: number;
}

export interface Order {
	id: string;
	saleId: string;
	userId: string;
	quantity: number;
	variantId?: string;
	status?: "held" | "confirmed" | "expired" | "cancelled";
	holdExpiresAt?: number | null;
	paidAt?: number | null;
}

/** The real Worker (API, Durable Objects, queue, D1, static assets) in local workerd. */
export interface Shop {
	origin: string;
	/** Creates a sale through the admin API; returns its id. */
	createSale(overrides?: Partial<SaleInput>): Promise<string>;
	soldCount(saleId: string): Promise<number>;
	close(): Promise<void>;
}

let saleCounter = 0;

/**
 * Starts the Worker from wrangler.jsonc on a free port with the test secrets
 * and fresh local storage, and applies the D1 migrations.
 * @param vars overrides of wrangler.jsonc "vars", e.g. a real Turnstile site key
 */
export async function startShop(vars: Record<string, string> = {}): Promise<Shop> {
	const server = createTestHarness({
		root: ROOT,
		workers: [
			{
				configPath: "./wrangler.jsonc",
				vars,
				secrets: {
					SESSION_SECRET: secret("SESSION_SECRET"),
					ADMIN_TOKEN: secret("ADMIN_TOKEN"),
					TURNSTILE_SECRET_KEY: secret("TURNSTILE_SECRET_KEY"),
				},
			},
		],
	});
	const { url } = await server.listen();
	await server.getWorker().applyD1Migrations("DB");
	const origin = url.origin;
	const admin = async (method: string, pathname: string, body?: unknown) => {
		const response = await fetch(`${origin}${pathname}`, {
			method,
			headers: { authorization: `Bearer ${secret("ADMIN_TOKEN")}`, "content-type": "application/json" },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const json = await response.json();
		if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${JSON.stringify(json)}`);
		return json;
	};
	return {
		origin,
		async createSale(overrides = {}) {
			const now = Date.now();
			const saleId = `drop-${process.pid}-${++saleCounter}-${now.toString(36)}`;
			await admin("PUT", `/admin/sales/${saleId}`, {
				name: "Limited Sneaker",
				description: "A small run of a very popular shoe.",
				priceCents: 12_900,
				currency: "USD",
				totalStock: 10,
				startsAt: now + 3_000,
				endsAt: now + 3_600_000,
				maxPerUser: 1,
				...overrides,
			});
			return saleId;
		},
		async soldCount(saleId) {
			const { stats } = (await admin("GET", `/admin/sales/${saleId}`)) as { stats: { sold: number } };
			return stats.sold;
		},
		close: () => server.close(),
	};
}
