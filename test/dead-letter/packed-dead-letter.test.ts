import { env } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import type { OrderMessage, OrderPack } from "../../src/domain/order";
import { orderBookRows, uniqueSaleId } from "../worker/helpers";

/** The packs that reached doorbuster-orders-dlq carrying this order, as the inbox worker saw them. */
async function deadPacksWith(orderId: string): Promise<OrderPack[]> {
	const letters = await (await env.DEAD_LETTERS.fetch("https://dead-letters/")).json<unknown[]>();
	return letters.filter(
		(letter): letter is OrderPack =>
			typeof letter === "object" &&
			letter !== null &&
			"orders" in letter &&
			(letter as OrderPack).orders.some((order) => order.id === orderId),
	);
}

function order(saleId: string, seq: number): OrderMessage {
	return {
		id: crypto.randomUUID(),
		saleId,
		userId: `buyer-${seq}`,
		variantId: "default",
		quantity: 1,
		amountCents: 100,
		currency: "USD",
		status: "confirmed",
		createdAt: 1_700_000_000_000 + seq,
		holdExpiresAt: null,
		paidAt: null,
		seq,
		version: 1,
	};
}

it("records the good orders of a pack with a poison order, and dead-letters the pack whole after its retries", async () => {
	const saleId = uniqueSaleId("poison-pack");
	const [first, second, third] = [order(saleId, 1), order(saleId, 2), order(saleId, 3)];
	const { userId: _missing, ...poison } = second;
	const pack = { orders: [first, poison, third] };
	const neighbour = order(saleId, 4);
	// Through the real queue, as a damaged message would arrive, beside a healthy one.
	await env.ORDER_QUEUE.sendBatch([{ body: pack }, { body: neighbour }]);

	// Both deliveries of the pack, and the inbox's, as in dead-letter.test.ts.
	const [letter, ...more] = await vi.waitFor(
		async () => {
			const letters = await deadPacksWith(first.id);
			expect(letters).not.toEqual([]);
			return letters;
		},
		{ timeout: 20_000, interval: 200 },
	);
	expect(more).toEqual([]);
	expect(letter).toEqual(pack);
	// The good orders of the pack and the healthy message were written on the
	// first delivery and stay; the poison order never reaches the order book.
	expect((await orderBookRows(saleId)).map((row) => row.id)).toEqual([first.id, third.id, neighbour.id]);
});
