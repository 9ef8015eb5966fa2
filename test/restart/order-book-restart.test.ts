import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { afterAll, describe, expect, it } from "vitest";
import { sessionToken } from "../../bench/identity.ts";
import { applyMigrations, bundle, findWorkerdPid, SECRETS, workerFromConfig } from "../../bench/runtime.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CONFIG = path.join(ROOT, "wrangler.jsonc");
const BUYERS = 150;
/** Purchases under way at once. */
const LANES = 15;
/** The rush is cut once this many buyers were told they bought. */
const KILL_AFTER = 60;
/** The audit's interval for this test; production's default is 30 s. */
const AUDIT_SECONDS = 2;
const TURNSTILE_TEST_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

/** Doorbuster alone in a local workerd whose storage (objects, D1, queues) lives in `stateDir`. */
interface LocalRuntime {
	origin: string;
	mf: Miniflare;
	/** Kills workerd outright: no draining, no clean shutdown, whatever is in flight is gone. */
	kill(): Promise<void>;
	close(): Promise<void>;
}

async function startRuntime(stateDir: string, bundleDir: string): Promise<LocalRuntime> {
	const app = workerFromConfig(CONFIG, "doorbuster", bundleDir);
	app.bindings = { ...app.bindings, ...SECRETS, ORDER_BOOK_AUDIT_SECONDS: String(AUDIT_SECONDS) };
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			host: "127.0.0.1",
			port: 0,
			cf: false,
			logRequests: false,
			handleStructuredLogs: () => {},
			resourcePersistencePath: path.join(stateDir, "state"),
			workers: [app],
		}),
	);
	const url = await mf.ready;
	const pid = await findWorkerdPid();
	return {
		origin: url.origin,
		mf,
		async kill() {
			if (pid === null) throw new Error("workerd's process was not found");
			process.kill(pid, "SIGKILL");
			// Miniflare's own side (its loopback server) still needs closing; workerd is already gone.
			await mf.dispose().catch(() => undefined);
		},
		close: () => mf.dispose(),
	};
}

async function admin(origin: string, method: string, pathname: string, body?: unknown): Promise<Response> {
	return fetch(`${origin}/admin${pathname}`, {
		method,
		headers: { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}`, "content-type": "application/json" },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
}

/** One buyer's press of Buy: a purchase token, then the purchase. True once the buyer is told it bought. */
async function buy(origin: string, saleId: string, i: number): Promise<boolean> {
	const headers = {
		authorization: `Bearer ${sessionToken(`restart-buyer-${i}`, SECRETS.SESSION_SECRET)}`,
		"cf-connecting-ip": `10.9.${i >> 8}.${i & 255}`,
		"content-type": "application/json",
	};
	const token = await fetch(`${origin}/api/sales/${saleId}/purchase-token`, {
		method: "POST",
		headers,
		body: JSON.stringify({ turnstileToken: TURNSTILE_TEST_TOKEN }),
	});
	if (token.status !== 200) return false;
	const { purchaseToken } = (await token.json()) as { purchaseToken: string };
	const purchase = await fetch(`${origin}/api/sales/${saleId}/purchase`, {
		method: "POST",
		headers,
		body: JSON.stringify({ purchaseToken }),
	});
	return purchase.status === 201 || purchase.status === 200;
}

/**
 * Buyers not yet told they bought press Buy, LANES at a time, until each is
 * or `stop()` says to stop; a buyer whose call failed (the runtime died
 * under it) is simply not counted.
 */
async function rush(origin: string, saleId: string, bought: Set<number>, stop: () => boolean): Promise<void> {
	const waiting = Array.from({ length: BUYERS }, (_, i) => i).filter((i) => !bought.has(i));
	await Promise.all(
		Array.from({ length: LANES }, async () => {
			for (let i = waiting.shift(); i !== undefined && !stop(); i = waiting.shift()) {
				if (await buy(origin, saleId, i).catch(() => false)) bought.add(i);
			}
		}),
	);
}

async function stats(origin: string, saleId: string): Promise<{ sold: number; ordersRecorded: number }> {
	const response = await admin(origin, "GET", `/sales/${saleId}`);
	expect(response.status).toBe(200);
	return ((await response.json()) as { stats: { sold: number; ordersRecorded: number } }).stats;
}

describe("the order book after the runtime is killed in the middle of a rush", () => {
	const dirs: string[] = [];
	afterAll(async () => {
		for (const dir of dirs) await rm(dir, { recursive: true, force: true });
	});

	it("ends with every order recorded, with no reconcile and no other human step", async () => {
		const stateDir = await mkdtemp(path.join(os.tmpdir(), "doorbuster-restart-"));
		dirs.push(stateDir);
		const bundleDir = await bundle(CONFIG, path.join(stateDir, "bundle"));
		const saleId = `restart-${Date.now().toString(36)}`;
		const bought = new Set<number>();

		const first = await startRuntime(stateDir, bundleDir);
		await applyMigrations(first.mf);
		const created = await admin(first.origin, "PUT", `/sales/${saleId}`, {
			name: "Restart Sneaker",
			description: "Sold while the runtime dies.",
			priceCents: 12_900,
			currency: "USD",
			totalStock: BUYERS,
			startsAt: Date.now() - 1_000,
			endsAt: Date.now() + 3_600_000,
			maxPerUser: 1,
		});
		expect(created.status).toBe(201);
		// The rush, cut by killing workerd while purchases and queue deliveries are in flight.
		await Promise.all([
			rush(first.origin, saleId, bought, () => bought.size >= KILL_AFTER),
			(async () => {
				while (bought.size < KILL_AFTER) await new Promise((resolve) => setTimeout(resolve, 5));
				await first.kill();
			})(),
		]);
		expect(bought.size).toBeGreaterThanOrEqual(KILL_AFTER);
		expect(bought.size).toBeLessThan(BUYERS);

		// Restarted on the same state: every buyer told they bought still holds an order, and the rest buy.
		const second = await startRuntime(stateDir, bundleDir);
		try {
			await rush(second.origin, saleId, bought, () => false);
			expect(bought.size).toBe(BUYERS);
			expect((await stats(second.origin, saleId)).sold).toBe(BUYERS);

			// No one calls reconcile: the sale's object notices on its alarm and sends again what D1 lacks.
			const deadline = Date.now() + 60_000;
			let recorded = 0;
			while (recorded < BUYERS && Date.now() < deadline) {
				recorded = (await stats(second.origin, saleId)).ordersRecorded;
				if (recorded < BUYERS) await new Promise((resolve) => setTimeout(resolve, 250));
			}
			expect(recorded).toBe(BUYERS);
		} finally {
			await second.close();
		}
	}, 180_000);
});
