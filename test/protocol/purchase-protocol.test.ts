import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../public/assets/lib/api-client.js";
import { type Progress, PurchaseProtocol } from "../../public/assets/lib/purchase-protocol.js";
import { ServerClock } from "../../public/assets/lib/server-clock.js";
import { ShopApi } from "../../public/assets/lib/shop-api.js";
import { type Shop, startShop } from "../e2e/shop";
import { Connection, type SentRequest } from "./connection";

/** The token Turnstile's documented test site key hands out; the Worker's test secret accepts it. */
const TEST_TURNSTILE_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
const HOUR_MS = 3_600_000;
/** The period of the per-buyer purchase limit in wrangler.jsonc, which the Worker sends as Retry-After. */
const PURCHASE_LIMIT_WINDOW_MS = 10_000;

let shop: Shop;

beforeAll(async () => {
	shop = await startShop();
});

afterAll(async () => {
	await shop?.close();
});

interface Shopper {
	connection: Connection;
	protocol: PurchaseProtocol;
	progress: Progress[];
	api: ShopApi;
}

/**
 * A shopper on the sale page, as far as the protocol sees one: a connection of
 * their own, the server's clock synced as the page syncs it, and a bot check
 * that always passes.
 */
async function shopperOn(saleId: string, on: Shop = shop): Promise<Shopper> {
	const connection = new Connection(on.origin);
	const api = new ShopApi(new ApiClient({ origin: on.origin, fetch: connection.fetch }));
	const clock = new ServerClock(api);
	expect(await clock.sync()).toBe(true);
	const progress: Progress[] = [];
	const protocol = new PurchaseProtocol({
		api,
		saleId,
		clock,
		startsAt: () => Number.NaN,
		botCheckToken: async () => TEST_TURNSTILE_TOKEN,
		onProgress: (step) => progress.push(step),
	});
	return { connection, protocol, progress, api };
}

function liveSale(overrides: { totalStock?: number; maxPerUser?: number } = {}): Promise<string> {
	return shop.createSale({ startsAt: Date.now() - 1_000, ...overrides });
}

function attemptIds(requests: SentRequest[]): unknown[] {
	return requests.map((request) => request.body?.attemptId);
}

/** @param ms how long to let the local rate limiter's window run on */
function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function gapMs(requests: SentRequest[]): number {
	const [first, second] = requests;
	if (!first || !second) throw new Error(`expected two requests, got ${requests.length}`);
	return second.at - first.at;
}

describe("the purchase protocol against the Worker", () => {
	it("signs in, gets one purchase token, buys once, and names the attempt", async () => {
		const saleId = await liveSale();
		const { connection, protocol, api } = await shopperOn(saleId);

		const result = await protocol.buy(1);

		expect(result.outcome).toBe("bought");
		const held = await api.order(saleId);
		expect(held.ok && held.data.order).toEqual(result.outcome === "bought" && result.order);
		expect(connection.sentTo("POST", "/api/session")).toHaveLength(1);
		expect(connection.sentTo("POST", "/purchase-token")).toHaveLength(1);
		const [purchase] = connection.sentTo("POST", "/purchase");
		expect(purchase?.body).toMatchObject({ quantity: 1, purchaseToken: expect.any(String) });
		expect(purchase?.body?.attemptId).toMatch(/^[0-9a-f]{32}$/);
		expect(await shop.soldCount(saleId)).toBe(1);
	});

	it("gives a second press the order already held, under a new attempt", async () => {
		const saleId = await liveSale({ maxPerUser: 2 });
		const { connection, protocol } = await shopperOn(saleId);
		const first = await protocol.buy(2);
		const second = await protocol.buy(1);

		expect(first.outcome).toBe("bought");
		expect(second).toEqual({ outcome: "already_held", order: first.outcome === "bought" && first.order });
		const [one, two] = attemptIds(connection.sentTo("POST", "/purchase"));
		expect(one).not.toBe(two);
		expect(await shop.soldCount(saleId)).toBe(2);
	});

	it("waits out a 429 for its Retry-After in seconds, then gets the token and buys", async () => {
		const saleId = await liveSale();
		const { connection, protocol, progress } = await shopperOn(saleId);
		connection.answerNext("POST", "/purchase-token", {
			status: 429,
			code: "rate_limited",
			headers: { "retry-after": "1" },
		});

		const result = await protocol.buy(1);

		expect(result.outcome).toBe("bought");
		const tokenRequests = connection.sentTo("POST", "/purchase-token");
		expect(tokenRequests).toHaveLength(2);
		expect(gapMs(tokenRequests)).toBeGreaterThanOrEqual(1_000);
		expect(progress).toContainEqual({ kind: "waiting", code: "rate_limited", waitMs: expect.any(Number) });
	});

	it("reads an HTTP-date Retry-After on the server's clock and sends the same attempt again", async () => {
		const saleId = await liveSale();
		const { connection, protocol } = await shopperOn(saleId);
		// A server whose clock is an hour behind this device's: measured on the
		// device's clock, the date would already have passed.
		const serverNow = Date.now() - HOUR_MS;
		connection.answerNext("POST", "/purchase", {
			status: 503,
			code: "overloaded",
			headers: {
				date: new Date(serverNow).toUTCString(),
				"retry-after": new Date(serverNow + 2_000).toUTCString(),
			},
		});

		const result = await protocol.buy(1);

		expect(result.outcome).toBe("bought");
		const purchases = connection.sentTo("POST", "/purchase");
		expect(purchases).toHaveLength(2);
		expect(gapMs(purchases)).toBeGreaterThanOrEqual(2_000);
		const [first, retry] = attemptIds(purchases);
		expect(retry).toBe(first);
		expect(purchases[1]?.body?.purchaseToken).toBe(purchases[0]?.body?.purchaseToken);
		expect(connection.sentTo("POST", "/purchase-token")).toHaveLength(1);
		expect(await shop.soldCount(saleId)).toBe(1);
	});

	it("honours the Worker's own 429 when the buyer has sent too many purchases", async () => {
		const saleId = await liveSale();
		const { connection, protocol, progress, api } = await shopperOn(saleId);
		const bought = await protocol.buy(1);
		expect(bought.outcome).toBe("bought");
		// The per-buyer limit (wrangler.jsonc: 30 in 10 s) is spent with the same
		// token, as a script would; each answer is the order already held. The
		// local limiter counts in 10 s windows aligned to the clock, so the
		// spending starts early in one, leaving the press below inside it.
		const intoWindow = Date.now() % PURCHASE_LIMIT_WINDOW_MS;
		if (intoWindow > PURCHASE_LIMIT_WINDOW_MS / 2) await sleep(PURCHASE_LIMIT_WINDOW_MS - intoWindow);
		const [purchase] = connection.sentTo("POST", "/purchase");
		const body = { purchaseToken: String(purchase?.body?.purchaseToken), quantity: 1, attemptId: "script" };
		let refusal = await api.purchase(saleId, body);
		for (let sent = 1; refusal.ok && sent < 40; sent++) refusal = await api.purchase(saleId, body);
		expect(refusal).toMatchObject({ ok: false, status: 429, code: "rate_limited", retryAfterMs: 10_000 });
		const scripted = connection.sentTo("POST", "/purchase").length;

		const again = await protocol.buy(1);

		expect(again).toEqual({ outcome: "already_held", order: bought.outcome === "bought" && bought.order });
		expect(progress).toContainEqual({ kind: "waiting", code: "rate_limited", waitMs: expect.any(Number) });
		const pressed = connection.sentTo("POST", "/purchase").slice(scripted);
		expect(pressed).toHaveLength(2);
		expect(gapMs(pressed)).toBeGreaterThanOrEqual(PURCHASE_LIMIT_WINDOW_MS);
		expect(new Set(attemptIds(pressed)).size).toBe(1);
	}, 60_000);

	it("renews a refused purchase token and sends the same attempt with the new one", async () => {
		const saleId = await liveSale();
		const { connection, protocol } = await shopperOn(saleId);
		connection.answerNext("POST", "/purchase", { status: 403, code: "invalid_token" });

		const result = await protocol.buy(1);

		expect(result.outcome).toBe("bought");
		expect(connection.sentTo("POST", "/purchase-token")).toHaveLength(2);
		const purchases = connection.sentTo("POST", "/purchase");
		expect(purchases).toHaveLength(2);
		expect(new Set(attemptIds(purchases)).size).toBe(1);
		expect(purchases[1]?.body?.purchaseToken).not.toBe(purchases[0]?.body?.purchaseToken);
	});

	it("holds a press that reached the Worker a moment before the start, and buys at the start", async () => {
		const startsAt = Date.now() + 1_500;
		const saleId = await shop.createSale({ startsAt });
		const { connection, protocol, progress } = await shopperOn(saleId);

		const result = await protocol.buy(1);

		expect(result.outcome).toBe("bought");
		expect(progress).toContainEqual({ kind: "almost_open" });
		const tokenRequests = connection.sentTo("POST", "/purchase-token");
		expect(tokenRequests.length).toBeGreaterThanOrEqual(2);
		expect(tokenRequests[0]?.at).toBeLessThan(startsAt);
		expect(tokenRequests.at(-1)?.at).toBeGreaterThanOrEqual(startsAt);
		expect(result.outcome === "bought" && result.order.createdAt).toBeGreaterThanOrEqual(startsAt);
	});

	it("gives back a start that is further away than a clock can be wrong, without waiting for it", async () => {
		const startsAt = Date.now() + 60_000;
		const saleId = await shop.createSale({ startsAt });
		const { connection, protocol } = await shopperOn(saleId);

		const result = await protocol.buy(1);

		expect(result).toMatchObject({
			outcome: "refused",
			failure: { status: 425, code: "not_started", details: { startsAt } },
		});
		expect(connection.sentTo("POST", "/purchase-token")).toHaveLength(1);
		expect(connection.sentTo("POST", "/purchase")).toEqual([]);
	});

	it("sends the same attempt and token again on the press after a request that never arrived", async () => {
		const saleId = await liveSale();
		const { connection, protocol } = await shopperOn(saleId);
		connection.dropNext("POST", "/purchase");

		const lost = await protocol.buy(1);
		expect(lost).toMatchObject({ outcome: "refused", failure: { code: "network_failure" } });
		const again = await protocol.buy(1);

		expect(again.outcome).toBe("bought");
		expect(connection.sentTo("POST", "/purchase-token")).toHaveLength(1);
		const purchases = connection.sentTo("POST", "/purchase");
		expect(new Set(attemptIds(purchases)).size).toBe(1);
		expect(new Set(purchases.map((purchase) => purchase.body?.purchaseToken)).size).toBe(1);
		expect(await shop.soldCount(saleId)).toBe(1);
	});

	it("sends the same attempt again after an answer that was lost, and gets the order it made", async () => {
		const saleId = await liveSale();
		const { connection, protocol, api } = await shopperOn(saleId);
		connection.loseNextAnswer("POST", "/purchase");

		const lost = await protocol.buy(1);
		expect(lost).toMatchObject({ outcome: "refused", failure: { code: "network_failure" } });
		const made = await api.order(saleId);
		expect(made.ok).toBe(true);
		const again = await protocol.buy(1);

		// The first attempt's order, whichever way the Worker words it: `201`
		// once it recognises its own attempt, `200` before.
		expect(again.outcome === "bought" || again.outcome === "already_held").toBe(true);
		expect("order" in again && again.order).toEqual(made.ok && made.data.order);
		expect(new Set(attemptIds(connection.sentTo("POST", "/purchase"))).size).toBe(1);
		expect(await shop.soldCount(saleId)).toBe(1);
	});
});

describe("a waitlist join and a draw entry, through the same session and token as a purchase", () => {
	/** A shop that takes payments offline, so a sale can hold orders and keep a waitlist. */
	let holdingShop: Shop;

	beforeAll(async () => {
		holdingShop = await startShop({ PAYMENT_PROVIDER: "test", ALLOW_TEST_PROVIDERS: "1" });
	});

	afterAll(async () => {
		await holdingShop?.close();
	});

	it("joins the waitlist after signing in again when the session lapsed, and names the size", async () => {
		const saleId = await holdingShop.createSale({
			startsAt: Date.now() - 1_000,
			variants: [{ id: "m", name: "M", totalStock: 1 }],
			totalStock: 1,
			holdSeconds: 120,
		});
		const holder = await shopperOn(saleId, holdingShop);
		expect((await holder.protocol.buy(1, "m")).outcome).toBe("bought");
		const { connection, protocol } = await shopperOn(saleId, holdingShop);
		connection.answerNext("POST", "/waitlist", { status: 401, code: "unauthenticated" });

		const result = await protocol.joinWaitlist(1, "m");

		expect(result).toEqual({ outcome: "waiting", position: 1 });
		expect(connection.sentTo("POST", "/api/session")).toHaveLength(2);
		const joins = connection.sentTo("POST", "/waitlist");
		expect(joins).toHaveLength(2);
		expect(joins[1]?.body).toMatchObject({ quantity: 1, variantId: "m" });
		expect(joins[1]?.body?.purchaseToken).not.toBe(joins[0]?.body?.purchaseToken);
	});

	it("enters a draw with a renewed token after a refused one, and a second press shows the same entry", async () => {
		const saleId = await shop.createSale({ mode: "draw", startsAt: Date.now() - 1_000, totalStock: 3 });
		const { connection, protocol, progress } = await shopperOn(saleId);
		connection.answerNext("POST", "/entry", { status: 403, code: "invalid_token" });

		const first = await protocol.enter(1, null);
		const second = await protocol.enter(1, null);

		expect(first.outcome).toBe("entered");
		expect(second).toEqual({ outcome: "already_entered", entry: "entry" in first && first.entry });
		const entries = connection.sentTo("POST", "/entry");
		expect(entries).toHaveLength(3);
		expect(entries[0]?.body).not.toHaveProperty("variantId");
		expect(entries[1]?.body?.purchaseToken).not.toBe(entries[0]?.body?.purchaseToken);
		expect(progress.filter((step) => step.kind === "entering")).toHaveLength(3);
	});
});
