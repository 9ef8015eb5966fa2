import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SaleGate } from "../../src/sale-object";
import { orderBookRows } from "./helpers";
import { createHoldSale } from "./hold-helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

describe("status changes on their way to the order book", () => {
	it("sends a change made while the order's first send is still on its way", async () => {
		const sale = await createHoldSale("outbox-change");
		const gate = env.SALE_GATE.getByName(sale.id);
		const inFlight = Promise.withResolvers<QueueSendBatchResponse>();
		await runInDurableObject(gate, (instance: SaleGate) => {
			const queue = (instance as unknown as { env: Env }).env.ORDER_QUEUE;
			// The first send (the new held order) answers only when the test says.
			vi.spyOn(queue, "sendBatch").mockImplementationOnce(() => inFlight.promise);
			const bought = instance.purchase("changes-mind", 1, undefined, "us-9");
			expect(bought).toMatchObject({ ok: true, order: { status: "held" } });
			// Cancelled while that send is on its way: the change must follow it.
			expect(instance.cancel("changes-mind")).toMatchObject({ ok: true, order: { status: "cancelled" } });
		});
		const [current] = await runInDurableObject(gate, (instance: SaleGate) => instance.ordersAfter(0, 10));
		expect(current).toMatchObject({ status: "cancelled", version: 2 });
		// Only now does the queue take the first message (the order as it was then, held).
		inFlight.resolve({} as QueueSendBatchResponse);
		await vi.waitFor(
			async () => expect((await orderBookRows(sale.id)).map((row) => row.status)).toEqual(["cancelled"]),
			{ timeout: 20_000, interval: 100 },
		);
	});
});
