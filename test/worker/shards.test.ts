import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { issuePurchaseToken } from "../../src/auth/purchase-token";
import type { Order } from "../../src/domain/order";
import type { SaleInput } from "../../src/domain/sale";
import { shardName, shardOf } from "../../src/domain/shards";
import { admin, Buyer, call, createSale, errorCode, saleGateWith, saleInput } from "./helpers";
import { buyerIds, reportAll, waitForOrderBook } from "./shard-helpers";

interface ShardStats {
	sold: number;
	remaining: number;
	buyers: number;
	shards?: { remaining: number; sold: number; held: number }[];
	coordinatorRequests?: number;
}

async function stats(saleId: string): Promise<ShardStats> {
	const response = await admin("GET", `/sales/${saleId}`);
	expect(response.status).toBe(200);
	return (await response.json<{ stats: ShardStats }>()).stats;
}

/** Buys once for each buyer, in parallel; answers the status codes by buyer. */
async function buyAll(saleId: string, ids: readonly string[]): Promise<Map<string, number>> {
	const statuses = await Promise.all(
		ids.map(async (id) => {
			const response = await (await Buyer.named(id)).buy(saleId);
			await response.body?.cancel();
			return [id, response.status] as const;
		}),
	);
	return new Map(statuses);
}

/** Sends shard `shard` its configuration with one lease of the default size, as the sale's home object does. */
async function configureShard(
	saleId: string,
	shard: number,
	input: SaleInput,
	lease: { version: number; total: number },
): Promise<void> {
	const whole = await env.SALE_GATE.getByName(saleId).view();
	if (!whole) throw new Error(`no sale ${saleId}`);
	await env.SALE_GATE.getByName(shardName(saleId, shard)).configureShard(
		saleId,
		input,
		shard,
		{ default: lease },
		{ default: lease.total },
		{ ...whole, startsAt: input.startsAt, endsAt: input.endsAt },
	);
}

/** A purchase with a valid token the edge did not issue: it would not, while its view says the sale is not live. */
async function purchaseWithOwnToken(saleId: string, buyerId: string, expiresAt: number): Promise<Response> {
	const buyer = await Buyer.named(buyerId);
	return buyer.purchase(saleId, await issuePurchaseToken(env.SESSION_SECRET, saleId, buyerId, expiresAt));
}

function count(statuses: Map<string, number>, status: number): number {
	return [...statuses.values()].filter((each) => each === status).length;
}

describe("a sale spread over shards", () => {
	it("sells exactly its stock to buyers on every shard, each buyer once, and the order book gets every order", async () => {
		const sale = await createSale("shards-spread", { totalStock: 24, shards: 4 });
		expect(sale.shards).toBe(4);
		const ids = buyerIds(sale.id, 4, 60, () => true);
		const statuses = await buyAll(sale.id, ids);
		expect(count(statuses, 201)).toBe(24);
		expect(count(statuses, 409)).toBe(36);

		const rows = await waitForOrderBook(sale.id, 24);
		expect(rows).toHaveLength(24);
		expect(new Set(rows.map((row) => row.userId)).size).toBe(24);
		const bought = ids.filter((id) => statuses.get(id) === 201);
		expect(new Set(rows.map((row) => row.userId))).toEqual(new Set(bought));

		await reportAll(sale.id, 4);
		const figures = await stats(sale.id);
		expect(figures.sold).toBe(24);
		expect(figures.remaining).toBe(0);
		expect(figures.buyers).toBe(24);
		expect(figures.shards).toHaveLength(4);
		expect(figures.shards?.reduce((sum, shard) => sum + shard.sold, 0)).toBe(24);
		expect(figures.shards?.reduce((sum, shard) => sum + shard.remaining, 0)).toBe(0);
		// Every shard sold to its own buyers.
		for (const [shard, figure] of (figures.shards ?? []).entries()) {
			expect(figure.sold).toBe(bought.filter((id) => shardOf(sale.id, id, 4) === shard).length);
		}
	});

	it("sells every unit when all buyers land on one shard: the others' units are recalled", async () => {
		const sale = await createSale("shards-skewed", { totalStock: 16, shards: 4 });
		const ids = buyerIds(sale.id, 4, 30, (shard) => shard === 2);
		const statuses = new Map<string, number>();
		// One after another, so each dry moment asks the coordinator. Once a buyer has been told
		// sold_out, the edge knows the sale is and says so at the purchase token already.
		for (const id of ids) {
			const buyer = await Buyer.named(id);
			const token = await buyer.requestToken(sale.id);
			const response =
				token.status === 200
					? await buyer.purchase(sale.id, (await token.json<{ purchaseToken: string }>()).purchaseToken)
					: token;
			statuses.set(id, response.status);
			if (response.status === 409) expect(await errorCode(response)).toBe("sold_out");
			else await response.body?.cancel();
		}
		expect(count(statuses, 201)).toBe(16);
		expect(count(statuses, 409)).toBe(14);
		// Sold out was said only once nothing was left.
		expect([...statuses.values()].slice(0, 16)).toEqual(Array(16).fill(201));
	});

	it("tells a concurrent crowd on one shard sold_out, not to retry, once it has bought every unit", async () => {
		const sale = await createSale("shards-skewed-crowd", { totalStock: 16, shards: 4 });
		const ids = buyerIds(sale.id, 4, 30, (shard) => shard === 2);
		const answers = await Promise.all(
			ids.map(async (id) => {
				const buyer = await Buyer.named(id);
				const token = await buyer.purchaseToken(sale.id);
				const response = await buyer.purchase(sale.id, token);
				return response.status === 201 ? "bought" : `${response.status} ${await errorCode(response)}`;
			}),
		);
		expect(answers.filter((answer) => answer === "bought")).toHaveLength(16);
		expect(answers.filter((answer) => answer !== "bought")).toEqual(Array(14).fill("409 sold_out"));
	});

	it("sells each size exactly, two units at a time, to a concurrent crowd over 16 shards", async () => {
		const sale = await createSale("shards-sizes", {
			totalStock: undefined,
			variants: [
				{ id: "us-9", name: "US 9", totalStock: 15 },
				{ id: "us-10", name: "US 10", totalStock: 8 },
			],
			maxPerUser: 2,
			shards: 16,
		});
		const ids = buyerIds(sale.id, 16, 48, () => true);
		const answers = await Promise.all(
			ids.map(async (id, i) => {
				const variantId = i % 2 === 0 ? "us-9" : "us-10";
				const response = await (await Buyer.named(id)).buyVariant(sale.id, variantId, 2);
				const body = await response.json<{ order?: Order; error?: { code: string } }>();
				return { variantId, status: response.status, body };
			}),
		);
		for (const variantId of ["us-9", "us-10"]) {
			const mine = answers.filter((answer) => answer.variantId === variantId);
			const units = mine.filter((answer) => answer.status === 201).length * 2;
			// 24 buyers of two units each want more than either size has: all but an odd last unit sells.
			expect(units).toBe(variantId === "us-9" ? 14 : 8);
			for (const refused of mine.filter((answer) => answer.status !== 201)) {
				expect(refused.status).toBe(409);
				expect(refused.body.error?.code).toBe("sold_out");
			}
		}
		// The last US 9 unit is still for sale, to a buyer of one.
		const [single] = buyerIds(sale.id, 16, 49, () => true).slice(48);
		const last = await (await Buyer.named(single ?? "")).buyVariant(sale.id, "us-9", 1);
		expect(last.status).toBe(201);
		// 7 + 1 orders of US 9, 4 of US 10.
		expect(await waitForOrderBook(sale.id, 12)).toHaveLength(12);
	});

	it("gives the last units to a late buyer on another shard after one shard sold the rest", async () => {
		const sale = await createSale("shards-trickle", { totalStock: 12, shards: 3 });
		const first = buyerIds(sale.id, 3, 11, (shard) => shard === 0);
		for (const id of first) expect((await (await Buyer.named(id)).buy(sale.id)).status).toBe(201);
		const [late] = buyerIds(sale.id, 3, 1, (shard) => shard === 1);
		const response = await (await Buyer.named(late ?? "")).buy(sale.id);
		expect(response.status).toBe(201);
		const [after] = buyerIds(sale.id, 3, 1, (shard) => shard === 2);
		const refused = await (await Buyer.named(after ?? "")).buy(sale.id);
		expect(refused.status).toBe(409);
		expect(await errorCode(refused)).toBe("sold_out");
	});

	it("makes no shard object for a sale of one shard: its one object takes the orders", async () => {
		const sale = await createSale("shards-one", { totalStock: 5 });
		expect((await (await Buyer.named("only-object-buyer")).buy(sale.id)).status).toBe(201);
		const tables = await runInDurableObject(env.SALE_GATE.getByName(shardName(sale.id, 0)), (_, state) =>
			state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray(),
		);
		expect(tables).toEqual([]);
		const figures = await stats(sale.id);
		expect(figures).toMatchObject({ sold: 1, remaining: 4 });
		expect(figures.shards).toBeUndefined();
	});

	it("keeps a buyer's order on their shard: a retry gets it back, and GET order finds it", async () => {
		const sale = await createSale("shards-retry", { totalStock: 10, shards: 8 });
		const buyer = await Buyer.named("retrying-shopper");
		const first = await buyer.buy(sale.id);
		expect(first.status).toBe(201);
		const order = (await first.json<{ order: Order }>()).order;
		const again = await buyer.buy(sale.id);
		expect(again.status).toBe(200);
		expect((await again.json<{ order: Order }>()).order.id).toBe(order.id);
		const read = await buyer.order(sale.id);
		expect(read.status).toBe(200);
		expect((await read.json<{ order: Order }>()).order.id).toBe(order.id);
	});

	it("keeps selling to other shards' buyers after a retry on a shard that has no units left of its own", async () => {
		// One unit lent to each shard and none in the pool: a shard that sells its one is dry while the others are not.
		const sale = await createSale("shards-retry-dry", { totalStock: 4, shards: 4 });
		const [first, ...others] = buyerIds(sale.id, 4, 4, () => true);
		const buyer = await Buyer.named(first ?? "");
		expect((await buyer.buy(sale.id)).status).toBe(201);
		const again = await buyer.buy(sale.id);
		expect(again.status).toBe(200);
		await again.body?.cancel();

		for (const id of others) {
			const response = await (await Buyer.named(id)).buy(sale.id);
			expect({ id, status: response.status }).toEqual({ id, status: 201 });
		}
	});

	it("tells the next buyer sold_out at the purchase token, as one object does, once a shard was told no unit is left", async () => {
		const sale = await createSale("shards-final", { totalStock: 4, shards: 4 });
		const [last, next, ...buyers] = buyerIds(sale.id, 4, 6, () => true);
		expect(await buyAll(sale.id, buyers)).toEqual(new Map(buyers.map((id) => [id, 201])));
		const refused = await (await Buyer.named(last ?? "")).buy(sale.id);
		expect(refused.status).toBe(409);
		expect(await errorCode(refused)).toBe("sold_out");

		const { bindings, calls } = saleGateWith();
		const late = await Buyer.named(next ?? "");
		const answer = await call("POST", `/api/sales/${sale.id}/purchase-token`, {
			token: late.session,
			ip: late.ip,
			body: { turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" },
			bindings,
		});
		expect(answer.status).toBe(409);
		expect(await errorCode(answer)).toBe("sold_out");
		expect(calls).toEqual([]);
	});

	it("keeps the sale on sale when a shard asks again before a lease it was sent reached it", async () => {
		// One unit lent to each shard and none in the pool.
		const sale = await createSale("shards-lease-overtaken", { totalStock: 4, shards: 4 });
		const [first] = buyerIds(sale.id, 4, 1, (shard) => shard === 0);
		expect((await (await Buyer.named(first ?? "")).buy(sale.id)).status).toBe(201);

		// Shard 0, dry, asks twice for the same lease, as two buyers waiting on it can; the
		// first answer, which lends it the three units recalled from the others, is lost.
		const home = env.SALE_GATE.getByName(sale.id);
		const ask = {
			variantId: "default",
			quantity: 1,
			wanted: 3,
			have: { version: 1, total: 1 },
			unsold: 0,
			ahead: false,
		};
		expect((await home.acquireLease(0, ask)).verdict).toBe("granted");
		expect((await home.acquireLease(0, ask)).verdict).toBe("granted");
		expect((await stats(sale.id)).remaining).toBeGreaterThanOrEqual(3);

		const statuses = await buyAll(
			sale.id,
			buyerIds(sale.id, 4, 4, () => true).filter((id) => id !== first),
		);
		expect(count(statuses, 201)).toBe(3);
	});

	it("takes a configuration that reaches a shard after its old start, before anyone bought there", async () => {
		const startsAt = Date.now() + 200;
		const sale = await createSale("shards-late-setup", { totalStock: 8, shards: 2, startsAt });
		await new Promise((resolve) => setTimeout(resolve, 300));
		// The admin moved the start an hour on; shard 1 could not be reached then, and the retry comes now.
		const moved = saleInput({ totalStock: 8, shards: 2, startsAt: Date.now() + 3_600_000 });
		await configureShard(sale.id, 1, moved, { version: 1, total: 2 });

		const [late] = buyerIds(sale.id, 2, 1, (shard) => shard === 1);
		const refused = await purchaseWithOwnToken(sale.id, late ?? "", Date.now() + 60_000);
		expect(refused.status).toBe(425);
		expect(await errorCode(refused)).toBe("not_started");
	});

	it("answers 503, not sold_out, while a shard whose configuration never arrived may hold units", async () => {
		// One unit lent to each shard and none in the pool; shard 3 never got its configuration.
		const sale = await createSale("shards-unconfigured", { totalStock: 4, shards: 4 });
		const unconfigured = env.SALE_GATE.getByName(shardName(sale.id, 3));
		await runInDurableObject(unconfigured, (_, state) => state.storage.deleteAll());
		await evictDurableObject(unconfigured).catch(() => undefined);

		const elsewhere = [1, 2].flatMap((shard) => buyerIds(sale.id, 4, 1, (each) => each === shard));
		expect(await buyAll(sale.id, elsewhere)).toEqual(new Map(elsewhere.map((id) => [id, 201])));
		const [first, second] = buyerIds(sale.id, 4, 2, (shard) => shard === 0);
		expect((await (await Buyer.named(first ?? "")).buy(sale.id)).status).toBe(201);
		const refused = await (await Buyer.named(second ?? "")).buy(sale.id);
		expect(refused.status).toBe(503);
		expect(await errorCode(refused)).toBe("unavailable");
		expect((await stats(sale.id)).remaining).toBeGreaterThan(0);
	});

	it("ignores a configuration older than a lease the shard has applied since: no unit is lent twice", async () => {
		// One unit lent to each shard and none in the pool.
		const sale = await createSale("shards-stale-setup", { totalStock: 2, shards: 2 });
		const first = buyerIds(sale.id, 2, 2, (shard) => shard === 0);
		// The second buyer of shard 0 takes the unit recalled from shard 1, which has no buyer.
		expect(await buyAll(sale.id, first.slice(0, 1))).toEqual(new Map([[first[0], 201]]));
		expect(await buyAll(sale.id, first.slice(1))).toEqual(new Map([[first[1], 201]]));

		// The set-up call that lent shard 1 its first unit arrives again, late.
		const input = saleInput({ totalStock: 2, shards: 2, startsAt: sale.startsAt, endsAt: sale.endsAt });
		await configureShard(sale.id, 1, input, { version: 1, total: 1 });

		const [other] = buyerIds(sale.id, 2, 1, (shard) => shard === 1);
		const refused = await purchaseWithOwnToken(sale.id, other ?? "", Date.now() + 60_000);
		expect(refused.status).toBe(409);
		expect(await errorCode(refused)).toBe("sold_out");
	});

	it("opens on time after a restarted shard lent no units refused a purchase sent before the start", async () => {
		// Four units over eight shards: shards 4 to 7 are lent none.
		const startsAt = Date.now() + 3_000;
		const sale = await createSale("shards-restart-early", { totalStock: 4, shards: 8, startsAt });
		const [early] = buyerIds(sale.id, 8, 1, (shard) => shard >= 4);
		await evictDurableObject(env.SALE_GATE.getByName(shardName(sale.id, shardOf(sale.id, early ?? "", 8))));
		// A token from a clock a little ahead of the sale's: the shard is the one to say it has not started.
		const refused = await purchaseWithOwnToken(sale.id, early ?? "", startsAt + 60_000);
		expect(refused.status).toBe(425);
		expect(await errorCode(refused)).toBe("not_started");

		await new Promise((resolve) => setTimeout(resolve, Math.max(0, startsAt - Date.now()) + 50));
		const [late] = buyerIds(sale.id, 8, 1, (shard) => shard < 4);
		const opened = await (await Buyer.named(late ?? "")).buy(sale.id);
		expect(opened.status).toBe(201);
	});

	it("answers the buyers of a shard that cannot be reached 503 with Retry-After, while the other shards sell", async () => {
		const sale = await createSale("shards-down", { totalStock: 20, shards: 4 });
		const down = shardName(sale.id, 1);
		const { bindings } = saleGateWith((gateCall, proceed) => {
			if (gateCall.saleId === down)
				throw Object.assign(new Error("Network connection lost."), { retryable: true });
			return proceed();
		});
		const ids = buyerIds(sale.id, 4, 16, () => true);
		const answers = await Promise.all(
			ids.map(async (id) => {
				const buyer = await Buyer.named(id);
				const token = await buyer.purchaseToken(sale.id);
				const response = await buyer.purchase(sale.id, token, undefined, { bindings });
				return { id, response };
			}),
		);
		for (const { id, response } of answers) {
			if (shardOf(sale.id, id, 4) === 1) {
				expect(response.status).toBe(503);
				expect(response.headers.get("retry-after")).toBe("1");
				expect(await errorCode(response)).toBe("unavailable");
			} else {
				expect(response.status).toBe(201);
			}
		}
	});

	describe("while the sale's coordinator cannot be reached", () => {
		afterEach(() => vi.restoreAllMocks());

		it("lets every shard sell the units it was lent, answers 503 (not sold_out) once it runs dry, and sells the rest after", async () => {
			// 40 units over 4 shards: each is lent 5 at the start, 20 stay with the coordinator.
			const sale = await createSale("shards-coordinator-down", { totalStock: 40, shards: 4 });
			const early = await Buyer.named("early-bird");
			expect((await early.buy(sale.id)).status).toBe(201);

			// The home object fails every call, from the edge and from the shards alike.
			const namespace = env.SALE_GATE;
			const getByName = namespace.getByName.bind(namespace);
			vi.spyOn(namespace, "getByName").mockImplementation((name: string) => {
				if (name !== sale.id) return getByName(name);
				throw Object.assign(new Error("Network connection lost."), { retryable: false });
			});

			const ids = buyerIds(sale.id, 4, 40, () => true);
			const statuses = new Map<string, number>();
			for (const id of ids) {
				const response = await (await Buyer.named(id)).buy(sale.id);
				statuses.set(id, response.status);
				if (response.status === 503) {
					expect(await errorCode(response)).toBe("unavailable");
					expect(response.headers.get("retry-after")).toBe("1");
				} else {
					expect(response.status).toBe(201);
				}
			}
			// What the shards held, less the early bird's unit: nobody was told sold out.
			expect(count(statuses, 201)).toBe(19);
			expect(count(statuses, 503)).toBe(ids.length - 19);

			vi.restoreAllMocks();
			const refused = ids.filter((id) => statuses.get(id) === 503);
			const again = await buyAll(sale.id, refused);
			// The coordinator's 20, and one buyer too many.
			expect(count(again, 201)).toBe(20);
			expect(count(again, 409)).toBe(refused.length - 20);
			expect(await waitForOrderBook(sale.id, 40)).toHaveLength(40);
		});
	});

	describe("with holds", () => {
		it("sells a unit cancelled on one shard to a buyer of another once that shard has reported it", async () => {
			const sale = await createSale("shards-holds", { totalStock: 4, shards: 2, holdSeconds: 300 });
			const holders = buyerIds(sale.id, 2, 4, (shard) => shard === 0);
			for (const id of holders) expect((await (await Buyer.named(id)).buy(sale.id)).status).toBe(201);
			const [other] = buyerIds(sale.id, 2, 1, (shard) => shard === 1);
			const outsider = await Buyer.named(other ?? "");
			const soldOut = await outsider.buy(sale.id);
			expect(soldOut.status).toBe(409);

			const canceller = await Buyer.named(holders[0] ?? "");
			const cancelled = await canceller.post(sale.id, "order/cancel");
			expect(cancelled.status).toBe(200);
			await reportAll(sale.id, 2);
			// The outsider's shard took the coordinator's word that the sale was sold out for at most 1 s.
			await new Promise((resolve) => setTimeout(resolve, 1_100));
			const bought = await outsider.buy(sale.id);
			expect(bought.status).toBe(201);
			expect((await bought.json<{ order: Order }>()).order.status).toBe("held");
		});

		it("confirms a held order on its shard when its buyer pays, and the sale's figures count it", async () => {
			const sale = await createSale("shards-pay", { totalStock: 6, shards: 3, holdSeconds: 300 });
			const ids = buyerIds(sale.id, 3, 3, () => true);
			for (const id of ids) expect((await (await Buyer.named(id)).buy(sale.id)).status).toBe(201);
			const payer = await Buyer.named(ids[1] ?? "");
			const checkout = await payer.post(sale.id, "order/checkout");
			expect(checkout.status).toBe(200);
			const paid = await payer.post(sale.id, "order/test-payment", { outcome: "paid" });
			expect(paid.status).toBe(200);
			const order = await payer.order(sale.id);
			expect((await order.json<{ order: Order }>()).order.status).toBe("confirmed");

			await reportAll(sale.id, 3);
			const figures = await stats(sale.id);
			expect(figures).toMatchObject({ sold: 3, remaining: 3, held: 2, confirmed: 1 });
		});
	});

	describe("the sale's one waitlist", () => {
		async function orderOf(buyer: Buyer, saleId: string): Promise<Order | null> {
			const response = await buyer.order(saleId);
			if (response.status === 404) {
				await response.body?.cancel();
				return null;
			}
			return (await response.json<{ order: Order }>()).order;
		}

		async function waitForOrder(buyer: Buyer, saleId: string): Promise<Order | null> {
			for (let attempt = 0; attempt < 100; attempt++) {
				const order = await orderOf(buyer, saleId);
				if (order) return order;
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			return null;
		}

		it("hands a unit cancelled on one shard to the earliest waiting buyer, whatever their shard", async () => {
			const sale = await createSale("shards-waitlist", { totalStock: 2, shards: 2, holdSeconds: 300 });
			const holders = await Promise.all(
				buyerIds(sale.id, 2, 2, (shard) => shard === 0).map((id) => Buyer.named(id)),
			);
			for (const holder of holders) expect((await holder.buy(sale.id)).status).toBe(201);
			await reportAll(sale.id, 2);

			// The first to wait is served by shard 1, the second by shard 0.
			const [first] = buyerIds(sale.id, 2, 1, (shard) => shard === 1);
			const [second] = buyerIds(sale.id, 2, 3, (shard) => shard === 0).slice(2);
			const firstWaiter = await Buyer.named(first ?? "");
			const secondWaiter = await Buyer.named(second ?? "");
			const joined = await firstWaiter.joinWaitlist(sale.id);
			expect(joined.status).toBe(202);
			expect((await secondWaiter.joinWaitlist(sale.id)).status).toBe(202);
			expect((await (await secondWaiter.waitlist(sale.id)).json<{ position: number }>()).position).toBe(2);

			expect((await (holders[0] as Buyer).post(sale.id, "order/cancel")).status).toBe(200);
			const handed = await waitForOrder(firstWaiter, sale.id);
			expect(handed).toMatchObject({ status: "held", userId: firstWaiter.userId, quantity: 1 });
			expect(await orderOf(secondWaiter, sale.id)).toBeNull();
			expect((await (await secondWaiter.waitlist(sale.id)).json<{ position: number }>()).position).toBe(1);

			await reportAll(sale.id, 2);
			expect(await stats(sale.id)).toMatchObject({ sold: 2, remaining: 0, held: 2, waitlist: 1 });
		});

		it("places a unit handed to a waiting buyer before recalling that buyer's shard, when the hand-over's first delivery was lost", async () => {
			// One unit lent to each shard, two in the pool.
			const sale = await createSale("shards-handover-lost", { totalStock: 4, shards: 2, holdSeconds: 300 });
			const [waiterId] = buyerIds(sale.id, 2, 1, (shard) => shard === 1);
			const waiter = await Buyer.named(waiterId ?? "");
			// The coordinator handed a unit of the pool to a waiting buyer of shard 1; the call to shard 1 never arrived.
			await runInDurableObject(env.SALE_GATE.getByName(sale.id), (_, state) => {
				state.storage.sql.exec(
					"UPDATE lease_ledger SET version = 2, allotted = 2 WHERE shard = 1 AND variant_id = 'default'",
				);
				state.storage.sql.exec(
					"INSERT INTO handovers (user_id, shard, variant_id, quantity, version, total) VALUES (?, 1, 'default', 1, 2, 2)",
					waiter.userId,
				);
			});

			// Shard 0's buyers take its unit and the pool's last, then need shard 1's unsold unit.
			for (const id of buyerIds(sale.id, 2, 3, (shard) => shard === 0)) {
				expect((await (await Buyer.named(id)).buy(sale.id)).status).toBe(201);
			}
			expect(await orderOf(waiter, sale.id)).toMatchObject({ status: "held", userId: waiter.userId });
			await reportAll(sale.id, 2);
			expect(await stats(sale.id)).toMatchObject({ sold: 4, remaining: 0, held: 4 });
		});

		it("refuses a buyer who holds an order on their shard, and one while units remain", async () => {
			const sale = await createSale("shards-waitlist-refusals", {
				totalStock: 3,
				shards: 2,
				holdSeconds: 300,
			});
			const [holderId] = buyerIds(sale.id, 2, 1, (shard) => shard === 1);
			const holder = await Buyer.named(holderId ?? "");
			expect((await holder.buy(sale.id)).status).toBe(201);
			await reportAll(sale.id, 2);
			const early = await (await Buyer.named("too-early")).joinWaitlist(sale.id);
			expect(early.status).toBe(409);
			expect(await errorCode(early)).toBe("not_sold_out");
			for (const id of buyerIds(sale.id, 2, 2, (shard) => shard === 0)) {
				expect((await (await Buyer.named(id)).buy(sale.id)).status).toBe(201);
			}
			await reportAll(sale.id, 2);
			const again = await holder.joinWaitlist(sale.id);
			expect(again.status).toBe(409);
			expect(await errorCode(again)).toBe("has_order");
		});
	});
});
