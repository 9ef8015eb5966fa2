import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HttpClient } from "./http-client.ts";
import { clientAddress, sessionToken } from "./identity.ts";
import { SECRETS, startRuntime } from "./runtime.ts";
import { lanes, sleep } from "./rush.ts";
import type { HoldMany } from "./workers/reference.ts";

/** Turnstile's documented test token; with the always-pass test secret the Worker accepts it offline. */
const TURNSTILE_TEST_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
const SIZES = ["us-9", "us-10"] as const;

export interface HoldsOptions {
	/** Buyers per sale in each throughput round. */
	buyers: number;
	/** Units of the handoff sale (split over two sizes); as many buyers wait as holds go unpaid. */
	stock: number;
	/** Holds that expire together while purchases are measured. */
	massHolds: number;
	concurrency: number;
	/** Share of the handoff sale's winners who pay through the test provider. */
	payShare: number;
	log?: (line: string) => void;
}

interface HeldOrder {
	id: string;
	userId: string;
	variantId: string;
	status: "held" | "confirmed" | "expired" | "cancelled";
	createdAt: number;
	holdExpiresAt: number | null;
}

export interface Percentiles {
	count: number;
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
}

export interface HoldsResult {
	ok: boolean;
	failures: { message: string; count: number }[];
	startedAt: string;
	options: Required<Omit<HoldsOptions, "log">>;
	machine: { cpus: number; loadAverageBefore: number[]; loadAverageAfter: number[] };
	throughput: {
		/** Purchases/s per round, in the order run (rounds alternate). */
		withoutHolds: number[];
		withHolds: number[];
		/** mean(with holds) ÷ mean(without); target ≥ 0.9. */
		ratio: number;
		met: boolean;
	};
	handoff: Percentiles & {
		/** Unpaid holds that expired, paid ones, waiting buyers handed a unit. */
		expired: number;
		paid: number;
		handedOver: number;
		/** Invariant samples taken from the first purchase to the end, and how many failed. */
		samples: number;
		met: boolean;
	};
	massExpiry: {
		holds: number;
		/** From the first of these holds' deadlines to the last, ms. */
		deadlineSpreadMs: number;
		before: Percentiles;
		during: Percentiles;
		/** p99 during ÷ p99 before; target ≤ 2. */
		ratio: number;
		met: boolean;
	};
	orderBook: { orders: number; matched: boolean; catchUpMs: number | null };
}

/** A buyer of one sale: id, session and address. */
class Buyer {
	readonly id: string;
	readonly headers: Record<string, string>;

	constructor(id: string, index: number, block: number) {
		this.id = id;
		this.headers = {
			authorization: `Bearer ${sessionToken(id, SECRETS.SESSION_SECRET)}`,
			"cf-connecting-ip": clientAddress(block, index),
		};
	}
}

/** The HTTP calls of the scenario, each checked against the contract's status. */
class Shop {
	/** What went against the contract or an invariant, counted by kind. */
	readonly failures = new Map<string, number>();
	readonly client: HttpClient;
	readonly #admin = { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}` };

	constructor(client: HttpClient) {
		this.client = client;
	}

	fail(message: string): void {
		this.failures.set(message, (this.failures.get(message) ?? 0) + 1);
	}

	async createSale(saleId: string, sale: Record<string, unknown>): Promise<void> {
		const { answer } = await this.client.send("PUT", `/admin/sales/${saleId}`, this.#admin, {
			name: "Hold benchmark",
			description: "A sale created by npm run bench -- --holds.",
			priceCents: 12_900,
			currency: "USD",
			startsAt: Date.now() - 1_000,
			endsAt: Date.now() + 3_600_000,
			maxPerUser: 1,
			...sale,
		});
		if (answer.status !== 201)
			throw new Error(`Creating ${saleId}: ${answer.status} ${JSON.stringify(answer.body)}`);
	}

	async token(saleId: string, buyer: Buyer): Promise<string | null> {
		const { answer } = await this.client.send("POST", `/api/sales/${saleId}/purchase-token`, buyer.headers, {
			turnstileToken: TURNSTILE_TEST_TOKEN,
		});
		if (answer.status === 200) return (answer.body as { purchaseToken: string }).purchaseToken;
		this.fail(`purchase token: ${answer.status} ${answer.code}`);
		return null;
	}

	/** One purchase; the held or confirmed order, or null (failure recorded), with its latency. */
	async purchase(
		saleId: string,
		buyer: Buyer,
		purchaseToken: string,
		variantId: string | undefined,
	): Promise<{ order: HeldOrder | null; startedAt: number; ms: number }> {
		const startedAt = Date.now();
		const { answer, start, end } = await this.client.send(
			"POST",
			`/api/sales/${saleId}/purchase`,
			buyer.headers,
			{
				purchaseToken,
				variantId,
			},
		);
		if (answer.status !== 201) {
			this.fail(`purchase: ${answer.status} ${answer.code}`);
			return { order: null, startedAt, ms: end - start };
		}
		return { order: (answer.body as { order: HeldOrder }).order, startedAt, ms: end - start };
	}

	async post(
		saleId: string,
		buyer: Buyer,
		pathName: string,
		body: unknown,
		expected: number,
	): Promise<unknown> {
		const { answer } = await this.client.send(
			"POST",
			`/api/sales/${saleId}/${pathName}`,
			buyer.headers,
			body,
		);
		if (answer.status !== expected) this.fail(`${pathName}: ${answer.status} ${answer.code}`);
		return answer.body;
	}

	/** The buyer's order as the sale's object has it (`GET …/order`), or null on 404. */
	async orderOf(saleId: string, buyer: Buyer): Promise<HeldOrder | null> {
		const { answer } = await this.client.send("GET", `/api/sales/${saleId}/order`, buyer.headers);
		if (answer.status === 404) return null;
		if (answer.status !== 200) this.fail(`order: ${answer.status} ${answer.code}`);
		return (answer.body as { order: HeldOrder }).order;
	}

	async adminSale(saleId: string): Promise<{
		sale: { variants: { id: string; totalStock: number }[]; waitlist: number };
		stats: {
			held: number;
			expired: number;
			variants: { id: string; held: number; confirmed: number; remaining: number }[];
		};
	}> {
		const { answer } = await this.client.send("GET", `/admin/sales/${saleId}`, this.#admin);
		if (answer.status !== 200) throw new Error(`Reading ${saleId}: ${answer.status}`);
		return answer.body as Awaited<ReturnType<Shop["adminSale"]>>;
	}

	async orderBook(saleId: string): Promise<HeldOrder[]> {
		const orders: HeldOrder[] = [];
		let cursor: string | null = null;
		do {
			const query: string = cursor === null ? "limit=1000" : `limit=1000&cursor=${cursor}`;
			const { answer } = await this.client.send("GET", `/admin/sales/${saleId}/orders?${query}`, this.#admin);
			if (answer.status !== 200) throw new Error(`Reading the order book: ${answer.status}`);
			const page = answer.body as { orders: HeldOrder[]; nextCursor: string | null };
			orders.push(...page.orders);
			cursor = page.nextCursor;
		} while (cursor !== null);
		return orders;
	}
}

export function percentiles(values: number[]): Percentiles {
	const sorted = [...values].sort((a, b) => a - b);
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
	return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? 0 };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/**
 * The hold scenario: purchase throughput on a sized sale with holds against
 * the same sale without; a sized sale whose winners partly pay through the
 * test provider while the rest of their holds expire to buyers on the
 * waitlist, with the unit invariants checked at every sample and the order
 * book compared with the objects at the end; and purchase latency while
 * thousands of holds expire, against just before.
 */
export async function runHolds(input: HoldsOptions): Promise<HoldsResult> {
	const options = {
		buyers: input.buyers,
		stock: input.stock,
		massHolds: input.massHolds,
		concurrency: input.concurrency,
		payShare: input.payShare,
	};
	const log = input.log ?? (() => {});
	const startedAt = new Date().toISOString();
	const loadAverageBefore = os.loadavg();
	const tag = Date.now().toString(36);
	log("Bundling Doorbuster, starting workerd with the test payment provider…");
	const runtime = await startRuntime(await mkdtemp(path.join(os.tmpdir(), "doorbuster-holds-")), {
		layout: "worker-only",
		vars: { PAYMENT_PROVIDER: "test", ALLOW_TEST_PROVIDERS: "1" },
	});
	const client = new HttpClient(runtime.origin, options.concurrency);
	const shop = new Shop(client);
	try {
		const throughput = await measureThroughput(shop, options, tag, log);
		const handoff = await measureHandoff(shop, options, tag, log);
		const massExpiry = await measureMassExpiry(shop, options, tag, log);
		return {
			ok: shop.failures.size === 0,
			failures: [...shop.failures].map(([message, count]) => ({ message, count })),
			startedAt,
			options,
			machine: { cpus: os.cpus().length, loadAverageBefore, loadAverageAfter: os.loadavg() },
			throughput,
			handoff: handoff.handoff,
			massExpiry,
			orderBook: handoff.orderBook,
		};
	} finally {
		await client.close();
		await runtime.dispose();
	}
}

/** Tokens for every buyer first (not timed), then every buyer buys at full concurrency: purchases/s. */
async function purchaseRound(
	shop: Shop,
	saleId: string,
	buyers: Buyer[],
	concurrency: number,
	variantOf: (i: number) => string | undefined = (i) => SIZES[i % 2],
): Promise<{ perSecond: number; orders: (HeldOrder | null)[] }> {
	const tokens: (string | null)[] = new Array(buyers.length).fill(null);
	await lanes(buyers.length, concurrency, async (i) => {
		const buyer = buyers[i];
		if (buyer) tokens[i] = await shop.token(saleId, buyer);
	});
	const orders: (HeldOrder | null)[] = new Array(buyers.length).fill(null);
	const began = performance.now();
	await lanes(buyers.length, concurrency, async (i) => {
		const buyer = buyers[i];
		const token = tokens[i];
		if (buyer && token) orders[i] = (await shop.purchase(saleId, buyer, token, variantOf(i))).order;
	});
	return { perSecond: buyers.length / ((performance.now() - began) / 1000), orders };
}

async function measureThroughput(
	shop: Shop,
	options: Required<Omit<HoldsOptions, "log">>,
	tag: string,
	log: (line: string) => void,
): Promise<HoldsResult["throughput"]> {
	const withoutHolds: number[] = [];
	const withHolds: number[] = [];
	const variants = SIZES.map((id) => ({ id, name: id, totalStock: options.buyers }));
	// A first round of each warms the JIT and is not counted; then rounds
	// alternate, so a change in the machine's load falls on both sides.
	for (const [round, holdSeconds] of [0, 3_600, 0, 3_600, 0, 3_600, 0, 3_600].entries()) {
		const saleId = `tp-${holdSeconds > 0 ? "held" : "plain"}-${round}-${tag}`;
		await shop.createSale(saleId, { variants, totalStock: 2 * options.buyers, holdSeconds });
		const buyers = Array.from(
			{ length: options.buyers },
			(_, i) => new Buyer(`t${round}-${i}`, i, 20 + round),
		);
		const { perSecond, orders } = await purchaseRound(shop, saleId, buyers, options.concurrency);
		const expected = holdSeconds > 0 ? "held" : "confirmed";
		const wrong = orders.filter((order) => order?.status !== expected).length;
		if (wrong > 0) shop.fail(`${saleId}: ${wrong} purchases did not end ${expected}`);
		if (round < 2) continue;
		(holdSeconds > 0 ? withHolds : withoutHolds).push(perSecond);
		log(
			`Throughput ${holdSeconds > 0 ? "with holds" : "without holds"}: ${Math.round(perSecond)} purchases/s`,
		);
	}
	const ratio = mean(withHolds) / mean(withoutHolds);
	return { withoutHolds, withHolds, ratio, met: ratio >= 0.9 };
}

/** Per size: remaining + held + confirmed = total; and no buyer with two live orders in the order book. */
async function checkInvariants(shop: Shop, saleId: string): Promise<void> {
	const { sale, stats } = await shop.adminSale(saleId);
	for (const variant of sale.variants) {
		const figures = stats.variants.find((entry) => entry.id === variant.id);
		const counted = (figures?.remaining ?? 0) + (figures?.held ?? 0) + (figures?.confirmed ?? 0);
		if (counted !== variant.totalStock)
			shop.fail(
				`${saleId} ${variant.id}: remaining + held + confirmed = ${counted}, not ${variant.totalStock}`,
			);
	}
	const live = new Map<string, number>();
	for (const order of await shop.orderBook(saleId)) {
		if (order.status === "held" || order.status === "confirmed")
			live.set(order.userId, (live.get(order.userId) ?? 0) + 1);
	}
	const twice = [...live.values()].filter((n) => n > 1).length;
	if (twice > 0) shop.fail(`${saleId}: ${twice} buyers hold two live orders in the order book`);
}

/** Samples the invariants every `everyMs` until `stop` resolves; returns how many samples were taken. */
async function sampleWhile(
	shop: Shop,
	saleId: string,
	stop: Promise<unknown>,
	everyMs = 250,
): Promise<number> {
	let done = false;
	void stop.finally(() => {
		done = true;
	});
	let samples = 0;
	while (!done) {
		await checkInvariants(shop, saleId);
		samples++;
		await sleep(everyMs);
	}
	await checkInvariants(shop, saleId);
	return samples + 1;
}

async function measureHandoff(
	shop: Shop,
	options: Required<Omit<HoldsOptions, "log">>,
	tag: string,
	log: (line: string) => void,
): Promise<{ handoff: HoldsResult["handoff"]; orderBook: HoldsResult["orderBook"] }> {
	const saleId = `handoff-${tag}`;
	const holdSeconds = 5;
	const perSize = Math.floor(options.stock / 2);
	await shop.createSale(saleId, {
		variants: SIZES.map((id) => ({ id, name: id, totalStock: perSize })),
		totalStock: 2 * perSize,
		holdSeconds,
	});
	const winners = Array.from({ length: 2 * perSize }, (_, i) => new Buyer(`h${i}`, i, 30));
	const payers = winners.filter((_, i) => i < Math.round(options.payShare * winners.length));
	const unpaid = winners.length - payers.length;
	const waiters = Array.from({ length: unpaid }, (_, i) => new Buyer(`w${i}`, i, 31));

	let finish: () => void = () => {};
	const finished = new Promise<void>((resolve) => {
		finish = resolve;
	});
	const sampling = sampleWhile(shop, saleId, finished);
	log(
		`Handoff: ${winners.length} buyers take every unit, ${payers.length} pay, ${unpaid} wait for the rest…`,
	);
	const { orders } = await purchaseRound(shop, saleId, winners, options.concurrency);
	// Waiting buyers join while every unit is held; winners pay meanwhile.
	await lanes(waiters.length, options.concurrency, async (i) => {
		const waiter = waiters[i];
		if (!waiter) return;
		const purchaseToken = await shop.token(saleId, waiter);
		if (purchaseToken)
			await shop.post(saleId, waiter, "waitlist", { purchaseToken, variantId: SIZES[i % 2] }, 202);
	});
	await lanes(payers.length, options.concurrency, async (i) => {
		const payer = payers[i];
		if (payer) await shop.post(saleId, payer, "order/test-payment", { outcome: "paid" }, 200);
	});
	// Unpaid holds expire on the object's alarm; wait until every one has gone to a waiting buyer.
	const lastDeadline = Math.max(...orders.map((order) => order?.holdExpiresAt ?? 0));
	await sleep(lastDeadline - Date.now() + 2_500);
	const deadline = Date.now() + 30_000;
	while ((await shop.adminSale(saleId)).sale.waitlist > 0 && Date.now() < deadline) await sleep(200);
	const handed = await Promise.all(waiters.map((waiter) => shop.orderOf(saleId, waiter)));
	// Half of the buyers handed a unit pay for it; the other half let it expire back to stock.
	const handedPayers = waiters.filter((_, i) => i % 2 === 0 && handed[i]?.status === "held");
	await lanes(handedPayers.length, options.concurrency, async (i) => {
		const payer = handedPayers[i];
		if (payer) await shop.post(saleId, payer, "order/test-payment", { outcome: "paid" }, 200);
	});
	const lastHanded = Math.max(...handed.map((order) => order?.holdExpiresAt ?? 0));
	await sleep(lastHanded - Date.now() + 2_500);
	finish();
	const samples = await sampling;

	// Per size, the k-th unpaid hold to expire hands its unit to the k-th order handed over.
	const latencies: number[] = [];
	for (const size of SIZES) {
		const expired = orders
			.filter((order, i) => order?.variantId === size && !payers.includes(winners[i] as Buyer))
			.map((order) => order?.holdExpiresAt ?? 0)
			.sort((a, b) => a - b);
		const created = handed
			.filter((order) => order?.variantId === size)
			.map((order) => order?.createdAt ?? 0)
			.sort((a, b) => a - b);
		if (created.length !== expired.length)
			shop.fail(`${size}: ${expired.length} holds expired, ${created.length} went to waiting buyers`);
		latencies.push(...created.map((at, k) => at - (expired[k] ?? at)));
	}
	const handoff = percentiles(latencies);
	log(`Handoff after expiry: p50 ${handoff.p50Ms} ms, p99 ${handoff.p99Ms} ms over ${handoff.count} units`);

	const everyone = [...winners, ...waiters];
	const truth = await Promise.all(everyone.map((buyer) => shop.orderOf(saleId, buyer)));
	const orderBook = await waitForOrderBook(shop, saleId, truth);
	const { stats } = await shop.adminSale(saleId);
	const expectConfirmed = payers.length + handedPayers.length;
	const confirmed = stats.variants.reduce((sum, variant) => sum + variant.confirmed, 0);
	if (confirmed !== expectConfirmed) shop.fail(`${confirmed} units confirmed, ${expectConfirmed} were paid`);
	if (stats.held !== 0) shop.fail(`${stats.held} units still held at the end`);
	return {
		handoff: {
			...handoff,
			expired: unpaid,
			paid: expectConfirmed,
			handedOver: latencies.length,
			samples,
			met: handoff.p99Ms <= 2_000,
		},
		orderBook,
	};
}

/** Waits until the order book (D1) holds exactly the orders the objects answer, at the same statuses. */
async function waitForOrderBook(
	shop: Shop,
	saleId: string,
	truth: (HeldOrder | null)[],
): Promise<HoldsResult["orderBook"]> {
	const expected = new Map(truth.flatMap((order) => (order ? [[order.id, order.status]] : [])));
	const began = performance.now();
	let book: HeldOrder[] = [];
	const matches = () =>
		book.length === expected.size && book.every((order) => expected.get(order.id) === order.status);
	while (performance.now() - began < 30_000) {
		book = await shop.orderBook(saleId);
		if (matches()) return { orders: book.length, matched: true, catchUpMs: performance.now() - began };
		await sleep(250);
	}
	shop.fail(
		`${saleId}: the order book never matched the objects (${book.length} rows, ${expected.size} orders)`,
	);
	return { orders: book.length, matched: false, catchUpMs: null };
}

/** Units each seed buyer holds: the most a sale lets one buyer take (`maxPerUser` ≤ 1,000). */
const SEED_UNITS = 1_000;

/**
 * Purchase latency over HTTP while `massHolds` holds in one sale expire
 * together, against just before. Placed one by one (over HTTP or RPC),
 * 10,000 holds take half a minute, so they would come due over as long.
 * So they are placed the way the app places many at once: a few seed
 * buyers hold the whole "mass" size, `massHolds` buyers join its waitlist,
 * and when the seed holds expire (in one transaction: fewer than
 * EXPIRE_BATCH) the object hands every unit to a waiting buyer as a fresh
 * hold, all at the same instant. Those real held orders then expire
 * together while other buyers buy the "probe" size over HTTP.
 */
async function measureMassExpiry(
	shop: Shop,
	options: Required<Omit<HoldsOptions, "log">>,
	tag: string,
	log: (line: string) => void,
): Promise<HoldsResult["massExpiry"]> {
	const saleId = `mass-${tag}`;
	const holdSeconds = 60;
	const probeLanes = 20;
	await shop.createSale(saleId, {
		variants: [
			{ id: "mass", name: "mass", totalStock: options.massHolds },
			{ id: "probe", name: "probe", totalStock: 100_000 },
		],
		totalStock: options.massHolds + 100_000,
		maxPerUser: SEED_UNITS,
		holdSeconds,
	});
	const appCall = async (route: string, query: string): Promise<unknown> => {
		const { answer } = await shop.client.send("POST", `/ref/app/${route}?sale=${saleId}&${query}`, {});
		if (answer.status !== 200) throw new Error(`${route}: ${answer.status}`);
		return answer.body;
	};
	const seeds = Math.ceil(options.massHolds / SEED_UNITS);
	const seeded = await Promise.all(
		Array.from({ length: seeds }, (_, s) => {
			const quantity = Math.min(SEED_UNITS, options.massHolds - s * SEED_UNITS);
			return appCall("hold-many", `prefix=seed&from=${s}&count=1&quantity=${quantity}&variant=mass`);
		}),
	);
	const seedDeadline = Math.max(...seeded.map((placed) => (placed as HoldMany).lastDeadline ?? 0));
	log(
		`Mass expiry: ${seeds} seed buyers hold the ${options.massHolds} units; as many buyers join the waitlist…`,
	);
	const joining = performance.now();
	const joins = await Promise.all(
		Array.from({ length: seeds }, (_, s) =>
			appCall("join-many", `prefix=m&from=${s * SEED_UNITS}&count=${SEED_UNITS}&variant=mass`),
		),
	);
	const joined = joins.reduce((sum: number, body) => sum + (body as { joined: number }).joined, 0);
	log(`${joined} buyers joined in ${Math.round(performance.now() - joining)} ms.`);
	if (joined < options.massHolds) shop.fail(`${joined} of ${options.massHolds} buyers joined the waitlist`);
	if (Date.now() >= seedDeadline) shop.fail("the waitlist filled after the seed holds expired");

	// The seed holds expire on the alarm and their units go to the waiting buyers; the order book shows those holds.
	await sleep(seedDeadline - Date.now());
	let handed: HeldOrder[] = [];
	const waitUntil = Date.now() + 30_000;
	while (handed.length < joined && Date.now() < waitUntil) {
		await sleep(250);
		handed = (await shop.orderBook(saleId)).filter(
			(order) => order.variantId === "mass" && order.status === "held",
		);
	}
	const deadlines = handed.map((order) => order.holdExpiresAt ?? 0);
	const held = deadlines.length;
	if (held !== options.massHolds) shop.fail(`${held} of ${options.massHolds} mass holds were handed over`);
	const first = Math.min(...deadlines);
	const last = Math.max(...deadlines);
	log(`${held} holds handed over; their deadlines span ${last - first} ms.`);
	if (Date.now() >= first)
		shop.fail("handing the holds over took longer than the hold: no window before expiry");

	// Other buyers keep buying from now until after the last of those holds has expired.
	const latencies: { startedAt: number; ms: number }[] = [];
	let next = 0;
	const probe = async () => {
		while (Date.now() < last + 2_000) {
			const buyer = new Buyer(`p${next}`, next, 41);
			next++;
			const purchaseToken = await shop.token(saleId, buyer);
			if (!purchaseToken) continue;
			const { startedAt, ms } = await shop.purchase(saleId, buyer, purchaseToken, "probe");
			latencies.push({ startedAt, ms });
		}
	};
	await Promise.all(Array.from({ length: probeLanes }, probe));
	// "Before" counts only purchases answered before the first deadline, so none of them waited on the expiry.
	const before = percentiles(latencies.filter((l) => l.startedAt + l.ms < first).map((l) => l.ms));
	const during = percentiles(
		latencies.filter((l) => l.startedAt >= first && l.startedAt <= last + 1_000).map((l) => l.ms),
	);
	const { stats } = await shop.adminSale(saleId);
	// The seed orders expired too: `expired` counts orders.
	if (stats.expired < held + seeds) shop.fail(`${stats.expired} of ${held + seeds} orders expired`);
	const ratio = before.p99Ms > 0 ? during.p99Ms / before.p99Ms : 0;
	log(`Purchase p99 before ${before.p99Ms.toFixed(1)} ms, while expiring ${during.p99Ms.toFixed(1)} ms`);
	return { holds: held, deadlineSpreadMs: last - first, before, during, ratio, met: ratio <= 2 };
}
