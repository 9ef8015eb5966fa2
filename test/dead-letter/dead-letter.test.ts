import { env } from "cloudflare:workers";
import { afterEach, expect, it, vi } from "vitest";
import type { Order, OrderMessage } from "../../src/domain/order";
import { admin, Buyer, createSale, orderBookRows, saleStats } from "../worker/helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

/** What reached doorbuster-orders-dlq, as the inbox worker that consumes it saw it. */
async function deadLettersOf(orderId: string): Promise<OrderMessage[]> {
	const letters = await (await env.DEAD_LETTERS.fetch("https://dead-letters/")).json<OrderMessage[]>();
	return letters.filter((letter) => letter.id === orderId);
}

it("retries an order D1 keeps refusing, then dead-letters it unacked, and reconcile recovers it", async () => {
	const sale = await createSale("d1-outage", { totalStock: 5 });
	// The consumer writes with one D1 batch per delivery; the admin reads do
	// not use batch, so only the order book's writes fail, as in an outage of them.
	const d1Batch = vi.spyOn(env.DB, "batch").mockRejectedValue(new Error("D1_ERROR: simulated outage"));
	const buyer = await Buyer.named("dead-letter-buyer");
	const response = await buyer.buy(sale.id);
	expect(response.status).toBe(201);
	const { order } = await response.json<{ order: Order }>();

	// The real queue delivers it, the consumer retries, and after max_retries
	// the queue moves it to the DLQ; a message acked even once never gets there.
	// With one retry that takes the consumer's first backoff (2 s) and three
	// batch timeouts of 1 s: two deliveries, then the inbox's.
	const [letter, ...more] = await vi.waitFor(
		async () => {
			const letters = await deadLettersOf(order.id);
			expect(letters).not.toEqual([]);
			return letters;
		},
		{ timeout: 20_000, interval: 200 },
	);
	expect(more).toEqual([]);
	expect(letter).toEqual({ ...order, seq: 1, version: 1 });
	expect(d1Batch).toHaveBeenCalledTimes(env.TEST_MAX_RETRIES + 1);
	expect(await orderBookRows(sale.id)).toEqual([]);
	expect(await saleStats(sale.id)).toMatchObject({ sold: 1, ordersRecorded: 0, ordersPending: 1 });

	// README "Operating the order book": once D1 is healthy, reconcile replays
	// from the sale's object what the order book lacks.
	d1Batch.mockRestore();
	const reconcile = await admin("POST", `/sales/${sale.id}/reconcile`);
	expect(reconcile.status).toBe(200);
	expect(await reconcile.json()).toEqual({ resent: 1 });
	await vi.waitFor(async () => expect((await saleStats(sale.id)).ordersPending).toBe(0), {
		timeout: 10_000,
		interval: 100,
	});
	expect(await orderBookRows(sale.id)).toEqual([order]);
	expect(await deadLettersOf(order.id)).toHaveLength(1);
});
