import {
	createExecutionContext,
	createMessageBatch,
	getQueueResult,
	runDurableObjectAlarm,
	runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Order, OrderMessage } from "../../src/domain/order";
import worker from "../../src/index";
import { admin, Buyer, createSale, orderBookRows, saleStats, uniqueSaleId } from "./helpers";

function orderMessages(saleId: string, count: number): OrderMessage[] {
	return Array.from({ length: count }, (_, i) => ({
		id: crypto.randomUUID(),
		saleId,
		userId: `buyer-${i}`,
		variantId: "default",
		quantity: 1,
		amountCents: 12_900,
		currency: "USD",
		status: "confirmed",
		createdAt: Date.now(),
		holdExpiresAt: null,
		paidAt: null,
		seq: i + 1,
		version: 1,
	}));
}

function deliver(messages: OrderMessage[], attempts = 1) {
	return createMessageBatch<OrderMessage>(
		"doorbuster-orders",
		messages.map((body, i) => ({ id: `msg-${body.id}-${i}`, timestamp: new Date(), attempts, body })),
	);
}

async function consume(batch: MessageBatch<OrderMessage>, bindings: Env = env) {
	const ctx = createExecutionContext();
	await worker.queue(batch, bindings);
	return getQueueResult(batch, ctx);
}

/** A D1 binding whose every statement fails, as D1 does during an outage. */
const brokenD1 = {
	prepare: () => {
		throw new Error("D1_ERROR: simulated outage");
	},
	batch: () => Promise.reject(new Error("D1_ERROR: simulated outage")),
	exec: () => Promise.reject(new Error("D1_ERROR: simulated outage")),
} as unknown as D1Database;

describe("the order book consumer", () => {
	it("writes each order once when the same batch is delivered twice, in any order", async () => {
		const saleId = uniqueSaleId("redelivery");
		const messages = orderMessages(saleId, 30);

		const first = await consume(deliver(messages));
		const again = await consume(deliver([...messages].reverse(), 2));

		expect(first.explicitAcks).toHaveLength(30);
		expect(again.explicitAcks).toHaveLength(30);
		const rows = await orderBookRows(saleId);
		expect(rows).toHaveLength(30);
		expect(rows.map((row) => row.id)).toEqual(messages.map((message) => message.id));
	});

	it("retries every message, acking none, when D1 fails", async () => {
		const saleId = uniqueSaleId("d1-down");
		const messages = orderMessages(saleId, 5);
		const result = await consume(deliver(messages), { ...env, DB: brokenD1 });

		expect(result.explicitAcks).toEqual([]);
		expect(result.retryMessages.map((retry) => retry.msgId).sort()).toEqual(
			messages.map((message, i) => `msg-${message.id}-${i}`).sort(),
		);
		expect(await orderBookRows(saleId)).toEqual([]);

		const recovered = await consume(deliver(messages, 2));
		expect(recovered.explicitAcks).toHaveLength(5);
		expect(await orderBookRows(saleId)).toHaveLength(5);
	});
});

async function waitUntilRecorded(saleId: string, count: number) {
	await vi.waitFor(async () => expect((await saleStats(saleId)).ordersRecorded).toBe(count), {
		timeout: 20_000,
		interval: 100,
	});
}

describe("the sale gate's outbox", () => {
	it("keeps an order whose queue send failed and sends it from the alarm", async () => {
		const sale = await createSale("queue-down");
		const gate = env.SALE_GATE.getByName(sale.id);
		const sendBatch = await runInDurableObject(gate, (instance) => {
			const queue = (instance as unknown as { env: Env }).env.ORDER_QUEUE;
			return vi.spyOn(queue, "sendBatch").mockRejectedValue(new Error("Queue send failed"));
		});

		const response = await (await Buyer.named("patient")).buy(sale.id);
		expect(response.status).toBe(201);
		const { order } = await response.json<{ order: Order }>();
		await vi.waitFor(() => expect(sendBatch).toHaveBeenCalled());
		expect(await saleStats(sale.id)).toMatchObject({ sold: 1, ordersRecorded: 0, ordersPending: 1 });

		// Still failing: the alarm tries, keeps the order and schedules another try.
		expect(await runDurableObjectAlarm(gate)).toBe(true);
		expect(sendBatch).toHaveBeenCalledTimes(2);

		sendBatch.mockRestore();
		expect(await runDurableObjectAlarm(gate)).toBe(true);
		await waitUntilRecorded(sale.id, 1);
		expect((await orderBookRows(sale.id)).map((row) => row.id)).toEqual([order.id]);
	});

	it("reconcile resends what the order book lacks, and is safe to repeat", async () => {
		const sale = await createSale("reconcile", { totalStock: 5 });
		for (const name of ["r1", "r2", "r3"])
			expect((await (await Buyer.named(name)).buy(sale.id)).status).toBe(201);
		await waitUntilRecorded(sale.id, 3);
		const [lost] = await orderBookRows(sale.id);
		await env.DB.prepare("DELETE FROM orders WHERE id = ?").bind(lost?.id).run();
		expect(await saleStats(sale.id)).toMatchObject({ ordersRecorded: 2, ordersPending: 1 });

		const reconcile = await admin("POST", `/sales/${sale.id}/reconcile`);
		expect(reconcile.status).toBe(200);
		expect(await reconcile.json()).toEqual({ resent: 1 });
		await waitUntilRecorded(sale.id, 3);
		expect((await orderBookRows(sale.id)).map((row) => row.id)).toContain(lost?.id);

		expect(await (await admin("POST", `/sales/${sale.id}/reconcile`)).json()).toEqual({ resent: 0 });
	});
});
