import {
	createExecutionContext,
	createMessageBatch,
	getQueueResult,
	runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type OrderMessage, type OrderQueueBody, ordersIn } from "../../src/domain/order";
import worker from "../../src/index";
import type { SaleGate } from "../../src/sale-object";
import { createSale, orderBookRows, saleStats, uniqueSaleId } from "./helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

/** Orders of a sale with seqs `from`…, as its object would put them on the queue. */
function orders(saleId: string, count: number, from = 1): OrderMessage[] {
	return Array.from({ length: count }, (_, i) => ({
		id: crypto.randomUUID(),
		saleId,
		userId: `buyer-${from + i}`,
		variantId: "default",
		quantity: 1,
		amountCents: 12_900,
		currency: "USD",
		status: "confirmed",
		createdAt: 1_700_000_000_000 + from + i,
		holdExpiresAt: null,
		paidAt: null,
		seq: from + i,
		version: 1,
	}));
}

/** The orders cut into packs of `size`, one message each. */
function packs(all: readonly OrderMessage[], size: number): OrderQueueBody[] {
	const bodies: OrderQueueBody[] = [];
	for (let i = 0; i < all.length; i += size) bodies.push({ orders: all.slice(i, i + size) });
	return bodies;
}

/** One delivery of these message bodies to the real consumer; message ids are `m0`, `m1`, … */
async function deliver(bodies: readonly OrderQueueBody[], attempts = 1) {
	const batch = createMessageBatch<OrderQueueBody>(
		"doorbuster-orders",
		bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, env);
	const result = await getQueueResult(batch, ctx);
	return {
		acked: [...result.explicitAcks].sort(),
		retried: result.retryMessages.map((retry) => retry.msgId).sort(),
	};
}

/** Each recorded order's id, status and version, in seq order. */
async function recorded(saleId: string) {
	const { results } = await env.DB.prepare(
		"SELECT id, status, version FROM orders WHERE sale_id = ? ORDER BY seq",
	)
		.bind(saleId)
		.all<{ id: string; status: string; version: number }>();
	return results;
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => `m${i}`).sort();

describe("packed order messages", () => {
	it("records each order once when packs are delivered again, reordered and packed differently", async () => {
		const saleId = uniqueSaleId("pack-redelivery");
		const all = orders(saleId, 60);

		expect(await deliver(packs(all, 20))).toEqual({ acked: ids(3), retried: [] });
		const again = packs([...all].reverse(), 15);
		expect(await deliver(again, 2)).toEqual({ acked: ids(4), retried: [] });

		const rows = await recorded(saleId);
		expect(rows.map((row) => row.id)).toEqual(all.map((order) => order.id));
		expect(rows.every((row) => row.version === 1)).toBe(true);
	});

	it("never moves an order back when a pack with an older version comes after a newer one", async () => {
		const saleId = uniqueSaleId("pack-reorder");
		const [held, other] = orders(saleId, 2).map((order) => ({ ...order, status: "held" as const }));
		if (!held || !other) throw new Error("two orders expected");
		const cancelled = { ...held, status: "cancelled" as const, version: 2 };

		// Newer first, in separate deliveries; then both versions in one delivery, older last.
		await deliver([{ orders: [cancelled, other] }]);
		await deliver([{ orders: [held, other] }]);
		expect(await recorded(saleId)).toEqual([
			{ id: held.id, status: "cancelled", version: 2 },
			{ id: other.id, status: "held", version: 1 },
		]);
		const confirmed = { ...other, status: "confirmed" as const, version: 2 };
		expect(await deliver([{ orders: [confirmed] }, { orders: [other, held] }])).toEqual({
			acked: ids(2),
			retried: [],
		});
		expect(await recorded(saleId)).toEqual([
			{ id: held.id, status: "cancelled", version: 2 },
			{ id: other.id, status: "confirmed", version: 2 },
		]);
	});

	it("takes lone orders from before packs, even without versions, in the same delivery as packs", async () => {
		const saleId = uniqueSaleId("pack-mixed");
		const all = orders(saleId, 9);
		const [first, second, third, ...rest] = all;
		if (!first || !second || !third) throw new Error("orders expected");
		// A message as a v1 object sent it: no version, variant, amount or currency.
		const { version: _v, variantId: _variant, amountCents: _amount, currency: _currency, ...v1 } = third;
		const bodies = [first, ...packs(rest, 3), second, v1 as OrderMessage];

		expect(await deliver(bodies)).toEqual({ acked: ids(bodies.length), retried: [] });
		expect(await recorded(saleId)).toEqual(
			all.map((order) => ({ id: order.id, status: "confirmed", version: order === third ? 0 : 1 })),
		);
		expect((await orderBookRows(saleId))[2]).toMatchObject({
			variantId: "default",
			amountCents: 0,
			currency: "",
		});
	});
});

describe("a poison order inside a pack", () => {
	it("keeps a malformed order out, records the rest of its pack and of the delivery, and retries only its message", async () => {
		const saleId = uniqueSaleId("pack-malformed");
		const [a, b, c, d, e] = orders(saleId, 5);
		if (!a || !b || !c || !d || !e) throw new Error("orders expected");
		const { userId: _missing, ...poison } = b;

		const result = await deliver([{ orders: [a, poison as OrderMessage, c] }, { orders: [d, e] }]);

		expect(result).toEqual({ acked: ["m1"], retried: ["m0"] });
		expect((await recorded(saleId)).map((row) => row.id)).toEqual([a.id, c.id, d.id, e.id]);
	});

	it("finds an order D1 refuses by halving, records every other order, and retries only the messages that carried it", async () => {
		const saleId = uniqueSaleId("pack-refused");
		const [taken, ...all] = orders(saleId, 41);
		if (!taken) throw new Error("orders expected");
		await deliver([taken]);
		// Same sale and seq as an order already recorded, under another id: the
		// order book's unique (sale, seq) index refuses it, as D1 would refuse a damaged row.
		const clash = { ...taken, id: crypto.randomUUID() };
		const bodies = [
			...packs(all.slice(0, 30), 10),
			{ orders: [all[30], clash, ...all.slice(31)] as OrderMessage[] },
		];
		const batch = vi.spyOn(env.DB, "batch");

		expect(await deliver(bodies)).toEqual({ acked: ["m0", "m1", "m2"], retried: ["m3"] });

		expect((await recorded(saleId)).map((row) => row.id)).toEqual([taken, ...all].map((order) => order.id));
		// One try, then two halves per level down to the one row: 41 rows in 6 levels.
		expect(batch.mock.calls.length).toBeLessThanOrEqual(1 + 2 * 6);
	});

	it("costs three D1 writes, not one per order, when D1 is down, and acks nothing", async () => {
		const saleId = uniqueSaleId("pack-outage");
		const bodies = packs(orders(saleId, 500), 10);
		const batch = vi.spyOn(env.DB, "batch").mockRejectedValue(new Error("D1_ERROR: simulated outage"));

		expect(await deliver(bodies)).toEqual({ acked: [], retried: ids(50) });
		expect(batch).toHaveBeenCalledTimes(3);
	});
});

describe("the outbox packs orders", () => {
	it("sends orders committed during a send as packs within the queue's limits, and every one reaches the order book once", async () => {
		const sale = await createSale("outbox-packs", { totalStock: 2_000 });
		const gate = env.SALE_GATE.getByName(sale.id);
		const opened = Promise.withResolvers<void>();
		const sendBatch = await runInDurableObject(gate, async (instance: SaleGate) => {
			const queue = (instance as unknown as { env: Env }).env.ORDER_QUEUE;
			// The first send goes to the real queue only when the test says, as later ones do at once.
			const send = queue.sendBatch.bind(queue);
			const spy = vi.spyOn(queue, "sendBatch").mockImplementationOnce(async (messages) => {
				await opened.promise;
				return send(messages);
			});
			// Buyer ids as long as a session allows (128), so the orders need several packs and sends.
			for (let i = 0; i <= 1_200; i++) {
				const result = await instance.purchase(`${String(i).padStart(4, "0")}-${"x".repeat(123)}`, 1);
				if (!result.ok) throw new Error(`purchase ${i} refused: ${result.reason}`);
			}
			return spy;
		});
		opened.resolve();
		await vi.waitFor(async () => expect((await saleStats(sale.id)).ordersRecorded).toBe(1_201), {
			timeout: 20_000,
			interval: 200,
		});

		const [first, ...later] = sendBatch.mock.calls.map(([messages]) =>
			[...messages].map((message) => message.body as OrderQueueBody),
		);
		// The blocked send took the first order alone, in the shape every message had before packs.
		expect(first).toEqual([expect.objectContaining({ seq: 1, version: 1 })]);
		const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength;
		const carried: string[] = [];
		let largestPack = 0;
		for (const bodies of later) {
			// https://developers.cloudflare.com/queues/platform/limits/: 128 KB a message and
			// 100 messages or 256 KB a batch (1 KB = 1,000 bytes), ~100 bytes of each message the queue's.
			expect(bodies.length).toBeLessThanOrEqual(100);
			expect(utf8(bodies) + 100 * bodies.length).toBeLessThan(256_000);
			for (const body of bodies) {
				expect(utf8(body) + 100).toBeLessThan(128_000);
				const packed = ordersIn(body);
				largestPack = Math.max(largestPack, packed.length);
				carried.push(...packed.map((order) => order.id));
			}
		}
		expect(later.length).toBeGreaterThan(1);
		expect(largestPack).toBeGreaterThan(50);
		expect(carried).toHaveLength(1_200);
		const rows = await orderBookRows(sale.id);
		expect(rows.map((row) => row.id).sort()).toEqual(
			[...carried, ...(first ?? []).flatMap((body) => ordersIn(body).map((order) => order.id))].sort(),
		);
	});
});
