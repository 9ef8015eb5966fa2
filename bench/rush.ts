import type { HttpClient } from "./http-client.ts";
import { clientAddress, forgedPurchaseToken, sessionToken } from "./identity.ts";
import { type Answered, call, checkedOrder, type Ledger } from "./ledger.ts";
import type { Samples } from "./samples.ts";

/** Turnstile's documented test token; with the always-pass test secret the Worker accepts it offline. */
const TURNSTILE_TEST_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
/** A buyer who is too early clicks again after this long, give or take half. */
const RECLICK_MS = 150;

export type BuyerKind = "buyer" | "double-clicker" | "forged-token" | "forged-session";

/**
 * Who buyer `i` is. Fixed by index so a run is reproducible: 1 in 100 is a
 * bot with a forged session, 1 in 50 a bot with a forged purchase token, and
 * 1 in 10 of the rest clicks "buy" twice at once.
 */
export function buyerKind(i: number): BuyerKind {
	if (i % 100 === 99) return "forged-session";
	if (i % 50 === 21) return "forged-token";
	if (i % 10 === 5) return "double-clicker";
	return "buyer";
}

/** Units that real buyers (not bots) among the first `buyers` want. */
export function demandOf(buyers: number, quantity: number): number {
	let real = 0;
	for (let i = 0; i < buyers; i++) if (buyerKind(i) === "buyer" || buyerKind(i) === "double-clicker") real++;
	return real * quantity;
}

/** Runs `work(0..count-1)` on `concurrency` lanes; each lane takes the next index when it is free. */
export async function lanes(
	count: number,
	concurrency: number,
	work: (i: number) => Promise<void>,
): Promise<void> {
	let next = 0;
	const lane = async () => {
		for (let i = next++; i < count; i = next++) await work(i);
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

export interface Shop {
	client: HttpClient;
	samples: Samples;
	ledger: Ledger;
	saleId: string;
	quantity: number;
	sessionSecret: string;
	/** Buyer ids are `${buyerPrefix}${i}`; addresses come from this block. */
	buyerPrefix: string;
	addressBlock: number;
}

const EXPECT = {
	token: new Set(["200", "425 not_started", "409 sold_out"]),
	purchase: new Set(["201", "409 sold_out"]),
	doubleClick: new Set(["201", "200", "409 sold_out"]),
	forgedToken: new Set(["403 invalid_token"]),
	// The sale's state is public: once the edge knows it, it says so before reading any session.
	forgedSessionToken: new Set(["401 unauthenticated", "425 not_started", "409 sold_out"]),
	forgedSessionPurchase: new Set(["401 unauthenticated"]),
	steadyToken: new Set(["200"]),
	steadyPurchase: new Set(["201"]),
};

export interface RushPlan {
	buyers: number;
	concurrency: number;
	/** performance.now() at which the sale starts. */
	startsAt: number;
	/** Units that can be sold in all: min(stock rounded down to whole orders, demand). */
	sellable: number;
	/** Called once, when the last sellable unit has been confirmed. */
	onSoldOut: (at: number) => void;
}

/**
 * The stampede: buyers arrive from before the start, are told `not_started`
 * and click again until the doors open, then take a purchase token and buy.
 * Bots send forged sessions and forged purchase tokens; some buyers
 * double-click. Everyone who comes after the last unit is told `sold_out`.
 */
export async function rush(shop: Shop, plan: RushPlan): Promise<void> {
	let soldOut = plan.sellable === 0;
	if (soldOut) plan.onSoldOut(plan.startsAt);
	const onOrder = (at: number) => {
		if (!soldOut && shop.ledger.units >= plan.sellable) {
			soldOut = true;
			plan.onSoldOut(at);
		}
	};
	await lanes(plan.buyers, plan.concurrency, async (i) => {
		const kind = buyerKind(i);
		if (kind === "forged-session") return forgedSessionBot(shop, i);
		if (kind === "forged-token") return forgedTokenBot(shop, i);
		const token = await waitForToken(shop, i, plan.startsAt);
		if (token) await buy(shop, i, token, kind === "double-clicker", onOrder);
	});
}

function headersOf(shop: Shop, i: number, secret = shop.sessionSecret) {
	return {
		authorization: `Bearer ${sessionToken(`${shop.buyerPrefix}${i}`, secret)}`,
		"cf-connecting-ip": clientAddress(shop.addressBlock, i),
	};
}

/** Asks for a purchase token until the sale opens; null once there is nothing left to buy. */
async function waitForToken(shop: Shop, i: number, startsAt: number): Promise<string | null> {
	const headers = headersOf(shop, i);
	for (;;) {
		const answered = await call(shop.client, shop.samples, shop.ledger, {
			endpoint: "purchase-token",
			path: `/api/sales/${shop.saleId}/purchase-token`,
			headers,
			body: { turnstileToken: TURNSTILE_TEST_TOKEN },
			expected: EXPECT.token,
			who: "a buyer",
		});
		if (answered.answer.status === 200)
			return (answered.answer.body as { purchaseToken: string }).purchaseToken;
		if (answered.answer.code !== "not_started") return null;
		const untilStart = Math.max(0, startsAt - performance.now()) + Math.random() * 20;
		await sleep(Math.min(RECLICK_MS * (0.5 + Math.random()), untilStart));
	}
}

async function buy(
	shop: Shop,
	i: number,
	purchaseToken: string,
	doubleClick: boolean,
	onOrder: (at: number) => void,
): Promise<void> {
	const buyerId = `${shop.buyerPrefix}${i}`;
	const headers = headersOf(shop, i);
	const click = async () => {
		const answered = await call(shop.client, shop.samples, shop.ledger, {
			endpoint: "purchase",
			path: `/api/sales/${shop.saleId}/purchase`,
			headers,
			body: { purchaseToken, quantity: shop.quantity },
			expected: doubleClick ? EXPECT.doubleClick : EXPECT.purchase,
			who: doubleClick ? "a double-clicking buyer" : "a buyer",
		});
		record(shop, answered, buyerId, onOrder);
		return answered.outcome;
	};
	const outcomes = doubleClick ? await Promise.all([click(), click()]) : [await click()];
	if (doubleClick) {
		const pair = outcomes.sort().join(" + ");
		if (pair !== "200 + 201" && pair !== "409 sold_out + 409 sold_out") {
			shop.ledger.fail(`a double click was answered ${pair}`);
		}
	}
}

function record(shop: Shop, answered: Answered, buyerId: string, onOrder: (at: number) => void): void {
	const status = answered.answer.status;
	if (status !== 200 && status !== 201) return;
	const order = checkedOrder(shop.ledger, answered, {
		saleId: shop.saleId,
		buyerId,
		quantity: shop.quantity,
	});
	if (!order) return;
	if (status === 201) {
		shop.ledger.confirm(order, answered.end);
		onOrder(answered.end);
	} else {
		shop.ledger.replays.push({ buyerId, orderId: order.id });
	}
}

async function forgedTokenBot(shop: Shop, i: number): Promise<void> {
	await call(shop.client, shop.samples, shop.ledger, {
		endpoint: "purchase",
		path: `/api/sales/${shop.saleId}/purchase`,
		headers: headersOf(shop, i),
		body: {
			purchaseToken: forgedPurchaseToken(shop.saleId, `${shop.buyerPrefix}${i}`),
			quantity: shop.quantity,
		},
		expected: EXPECT.forgedToken,
		who: "a bot with a forged purchase token",
	});
}

/** Half of these bots ask for a purchase token, half try to buy straight away. */
async function forgedSessionBot(shop: Shop, i: number): Promise<void> {
	const headers = headersOf(shop, i, `not-${shop.sessionSecret}`);
	const who = "a bot with a forged session";
	if (i % 200 < 100) {
		await call(shop.client, shop.samples, shop.ledger, {
			endpoint: "purchase-token",
			path: `/api/sales/${shop.saleId}/purchase-token`,
			headers,
			body: { turnstileToken: TURNSTILE_TEST_TOKEN },
			expected: EXPECT.forgedSessionToken,
			who,
		});
		return;
	}
	await call(shop.client, shop.samples, shop.ledger, {
		endpoint: "purchase",
		path: `/api/sales/${shop.saleId}/purchase`,
		headers,
		body: {
			purchaseToken: forgedPurchaseToken(shop.saleId, `${shop.buyerPrefix}${i}`),
			quantity: shop.quantity,
		},
		expected: EXPECT.forgedSessionPurchase,
		who,
	});
}

/** Wraps one piece of load so its duration and CPU time can be accounted. */
export type Meter = (run: () => Promise<void>) => Promise<void>;

/**
 * Live purchases at full concurrency, every one of which takes stock. In
 * pieces of `chunk` buyers: the piece first fetches its purchase tokens (into
 * `tokenSamples`, under `meters.tokens`), then all of it buys at once (into
 * `shop.samples`, under `meters.purchases`), well within the tokens'
 * lifetime. A 100-unit rush sells out within a few hundred requests, too few
 * to measure a throughput; this is the figure compared with the minimal
 * Durable Object.
 */
export async function steadyPurchases(
	shop: Shop,
	buyers: number,
	concurrency: number,
	chunk: number,
	tokenSamples: Samples,
	meters: { tokens: Meter; purchases: Meter },
): Promise<void> {
	for (let first = 0; first < buyers; first += chunk) {
		const size = Math.min(chunk, buyers - first);
		const tokens: (string | null)[] = new Array(size).fill(null);
		await meters.tokens(() =>
			lanes(size, concurrency, async (k) => {
				const answered = await call(shop.client, tokenSamples, shop.ledger, {
					endpoint: "purchase-token",
					path: `/api/sales/${shop.saleId}/purchase-token`,
					headers: headersOf(shop, first + k),
					body: { turnstileToken: TURNSTILE_TEST_TOKEN },
					expected: EXPECT.steadyToken,
					who: "a buyer in the steady phase",
				});
				if (answered.answer.status === 200)
					tokens[k] = (answered.answer.body as { purchaseToken: string }).purchaseToken;
			}),
		);
		await meters.purchases(() =>
			lanes(size, concurrency, async (k) => {
				const purchaseToken = tokens[k];
				if (!purchaseToken) return;
				const answered = await call(shop.client, shop.samples, shop.ledger, {
					endpoint: "purchase",
					path: `/api/sales/${shop.saleId}/purchase`,
					headers: headersOf(shop, first + k),
					body: { purchaseToken, quantity: shop.quantity },
					expected: EXPECT.steadyPurchase,
					who: "a buyer in the steady phase",
				});
				record(shop, answered, `${shop.buyerPrefix}${first + k}`, () => {});
			}),
		);
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
