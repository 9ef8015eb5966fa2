import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Order } from "../../src/domain/order";
import { relayName, shardName, shardOf } from "../../src/domain/shards";
import type { PurchaseRelay } from "../../src/relay/purchase-relay";
import {
	admin,
	Buyer,
	call,
	createSale,
	errorCode,
	type GateCall,
	type Intercept,
	interceptedNamespace,
	objectsWith,
	saleInput,
} from "./helpers";
import { buyerIds, waitForOrderBook } from "./shard-helpers";

/**
 * Makes the relay's calls to sale objects go through `intercept`, recorded:
 * the relay's own binding, as the platform gives it, wrapped; the relay
 * keeps it until it is evicted or this is called again.
 */
async function relayCalls(name: string, intercept?: Intercept): Promise<{ calls: GateCall[] }> {
	const calls: GateCall[] = [];
	const namespace = interceptedNamespace(env.SALE_GATE, intercept ?? ((_, proceed) => proceed()), calls);
	await runInDurableObject(env.PURCHASE_RELAY.getByName(name), (relay: PurchaseRelay) => {
		Object.assign(relay, { env: { ...env, SALE_GATE: namespace } });
	});
	return { calls };
}

/** One press of Buy: once the edge knows the sale is sold out it answers at the purchase token already. */
async function press(buyer: Buyer, saleId: string): Promise<Response> {
	const token = await buyer.requestToken(saleId);
	if (token.status !== 200) return token;
	return buyer.purchase(saleId, (await token.json<{ purchaseToken: string }>()).purchaseToken);
}

describe("a sale whose purchases go through relays", () => {
	it("sells exactly its stock over shards, each buyer once, a double click getting the same order, and the edge calls no sale object to buy", async () => {
		const sale = await createSale("relays-spread", { totalStock: 24, shards: 4, relays: 2 });
		expect(sale.relays).toBe(2);
		const { bindings, calls } = objectsWith();
		const ids = buyerIds(sale.id, 4, 60, () => true);
		// Every buyer presses twice at once: both purchases are in flight together, often in one relayed call.
		const answers = await Promise.all(
			ids.map(async (id) => {
				const buyer = await Buyer.named(id);
				const [token, again] = [await buyer.purchaseToken(sale.id), await buyer.purchaseToken(sale.id)];
				const responses = await Promise.all(
					[token, again].map((each) => buyer.purchase(sale.id, each, undefined, { bindings })),
				);
				return { id, responses };
			}),
		);
		const bought = new Map<string, string>();
		for (const { id, responses } of answers) {
			const statuses = responses.map((response) => response.status).sort();
			if (statuses.includes(201)) {
				// One press made the order; the other got it back.
				expect(statuses).toEqual([200, 201]);
				const orders = await Promise.all(responses.map((response) => response.json<{ order: Order }>()));
				expect(orders[0]?.order.id).toBe(orders[1]?.order.id);
				bought.set(id, orders[0]?.order.id ?? "");
			} else {
				expect(statuses).toEqual([409, 409]);
				for (const response of responses) expect(await errorCode(response)).toBe("sold_out");
			}
		}
		expect(bought.size).toBe(24);

		const rows = await waitForOrderBook(sale.id, 24);
		expect(rows).toHaveLength(24);
		expect(new Map(rows.map((row) => [row.userId, row.id]))).toEqual(bought);

		// The edge bought only through the relays of each buyer's shard.
		const purchases = calls.filter((each) => each.method === "purchase");
		expect(purchases.length).toBeGreaterThan(0);
		const relaysOf = (shard: number) => [0, 1].map((relay) => relayName(shardName(sale.id, shard), relay));
		for (const each of purchases)
			expect(relaysOf(0).concat(relaysOf(1), relaysOf(2), relaysOf(3))).toContain(each.saleId);
	});

	it("sells every unit when all buyers land on one shard: relayed purchases wait for units recalled from the others", async () => {
		const sale = await createSale("relays-skewed", { totalStock: 16, shards: 4, relays: 3 });
		const ids = buyerIds(sale.id, 4, 30, (shard) => shard === 1);
		const answers = await Promise.all(
			ids.map(async (id) => {
				const buyer = await Buyer.named(id);
				const response = await press(buyer, sale.id);
				return { buyer, status: response.status, code: response.ok ? null : await errorCode(response) };
			}),
		);
		expect(answers.filter((answer) => answer.status === 201)).toHaveLength(16);
		for (const { status, code } of answers.filter((answer) => answer.status !== 201)) {
			expect([status, code]).toEqual([409, "sold_out"]);
		}
		expect(await waitForOrderBook(sale.id, 16)).toHaveLength(16);
	});

	it("relays the purchases of a sale of one object to that object", async () => {
		const sale = await createSale("relays-one-object", { totalStock: 5, relays: 4 });
		const { bindings, calls } = objectsWith();
		const statuses = await Promise.all(
			Array.from({ length: 12 }, async (_, i) => {
				const buyer = await Buyer.named(`one-object-${i}`);
				const response = await buyer.purchase(sale.id, await buyer.purchaseToken(sale.id), undefined, {
					bindings,
				});
				await response.body?.cancel();
				return response.status;
			}),
		);
		expect(statuses.filter((status) => status === 201)).toHaveLength(5);
		expect(statuses.filter((status) => status === 409)).toHaveLength(7);
		const relays = [0, 1, 2, 3].map((relay) => relayName(sale.id, relay));
		for (const each of calls.filter((call) => call.method === "purchase"))
			expect(relays).toContain(each.saleId);
	});

	it("answers the buyers whose relay cannot be reached 503 with Retry-After, and their retry buys", async () => {
		const sale = await createSale("relays-down", { totalStock: 20, shards: 2, relays: 1 });
		const down = relayName(shardName(sale.id, 1), 0);
		const { bindings } = objectsWith((objectCall, proceed) => {
			if (objectCall.saleId === down)
				throw Object.assign(new Error("Network connection lost."), { retryable: true });
			return proceed();
		});
		const ids = buyerIds(sale.id, 2, 8, () => true);
		for (const id of ids) {
			const buyer = await Buyer.named(id);
			const response = await buyer.purchase(sale.id, await buyer.purchaseToken(sale.id), undefined, {
				bindings,
			});
			if (shardOf(sale.id, id, 2) === 1) {
				expect(response.status).toBe(503);
				expect(response.headers.get("retry-after")).toBe("1");
				expect(await errorCode(response)).toBe("unavailable");
				// Once the relay answers again, the buyer's retry buys.
				expect((await buyer.buy(sale.id)).status).toBe(201);
			} else {
				expect(response.status).toBe(201);
			}
		}
		expect(await waitForOrderBook(sale.id, 8)).toHaveLength(8);
	});

	it("sends the purchases that reach a relay while its call is on its way together, in the next call", async () => {
		const sale = await createSale("relays-batching", { totalStock: 30 });
		const { calls } = await relayCalls(relayName(sale.id, 0));
		const results = await runInDurableObject(
			env.PURCHASE_RELAY.getByName(relayName(sale.id, 0)),
			(relay: PurchaseRelay) =>
				Promise.all(
					Array.from({ length: 20 }, (_, i) =>
						relay.purchase(sale.id, { userId: `batched-${i}`, quantity: 1 }),
					),
				),
		);
		expect(results.map((result) => result.ok && result.created)).toEqual(Array(20).fill(true));
		const sent = calls
			.filter((each) => each.method === "purchaseEach")
			.map((each) => each.args[0] as unknown[]);
		// The first went alone; the other 19 arrived while it was on its way.
		expect(sent.map((requests) => requests.length)).toEqual([1, 19]);
	});

	it.each([
		["overloaded", { overloaded: true }, 503, "overloaded"],
		["unreachable", { retryable: true }, 503, "unavailable"],
	] as const)(
		"answers 503 with Retry-After while a relay's object is %s, and buys through the relay after",
		async (_, flags, status, code) => {
			const sale = await createSale(`relays-object-${code}`, { totalStock: 5, relays: 1 });
			const failing = await relayCalls(relayName(sale.id, 0), (objectCall, proceed) => {
				if (objectCall.method === "purchaseEach") throw Object.assign(new Error("The object failed."), flags);
				return proceed();
			});
			const buyer = await Buyer.named("relayed-through-failure");
			const refused = await buyer.buy(sale.id);
			expect(refused.status).toBe(status);
			expect(refused.headers.get("retry-after")).toBe("1");
			expect(await errorCode(refused)).toBe(code);
			expect(failing.calls.filter((each) => each.method === "purchaseEach").length).toBeGreaterThan(0);

			await relayCalls(relayName(sale.id, 0));
			expect((await buyer.buy(sale.id)).status).toBe(201);
			expect(await waitForOrderBook(sale.id, 1)).toHaveLength(1);
		},
	);

	it("gives a relay's batch back in the order it was sent, each purchase answered as if it came alone", async () => {
		const sale = await createSale("relays-direct", { totalStock: 3, maxPerUser: 2 });
		const relay = env.PURCHASE_RELAY.getByName(relayName(sale.id, 0));
		const buyers = ["a", "b", "c", "a", "d"];
		const results = await Promise.all(
			buyers.map((userId, i) => relay.purchase(sale.id, { userId, quantity: 1, attemptId: `attempt-${i}` })),
		);
		expect(
			results.map((result) => (result.ok ? (result.created ? "created" : "again") : result.reason)),
		).toEqual(["created", "created", "created", "again", "sold_out"]);
		const [first, , , again] = results;
		expect(first?.ok && again?.ok && again.order.id === first.order.id).toBe(true);
	});
});

describe("the relays setting", () => {
	it.each([
		[{ relays: 9 }, "relays"],
		[{ relays: -1 }, "relays"],
		[{ relays: 1.5 }, "relays"],
		[{ relays: "2" }, "relays"],
		[{ mode: "draw", relays: 2 }, "relays"],
	])("refuses %j with 400 naming the field, and creates nothing", async (overrides, field) => {
		const saleId = `relays-bad-${Math.random().toString(36).slice(2, 10)}`;
		const response = await admin("PUT", `/sales/${saleId}`, { ...saleInput(), ...overrides });
		expect(response.status).toBe(400);
		const body = await response.json<{ error: { code: string; message: string } }>();
		expect(body.error.code).toBe("invalid_request");
		expect(body.error.message).toContain(field);
		expect((await admin("GET", `/sales/${saleId}`)).status).toBe(404);
	});

	it("is 0 unless set, and shows in the public view", async () => {
		const plain = await createSale("relays-default");
		expect(plain.relays).toBe(0);
		const relayed = await createSale("relays-shown", { shards: 2, relays: 4 });
		const view = await call("GET", `/api/sales/${relayed.id}`);
		expect(view.status).toBe(200);
		expect((await view.json<{ sale: { relays: number } }>()).sale.relays).toBe(4);
	});
});
