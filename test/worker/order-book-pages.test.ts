import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Order, OrderMessage } from "../../src/domain/order";
import worker from "../../src/index";
import { orderBookCsv } from "../../src/order-book/csv-export";
import { orderBookDb } from "../../src/order-book/queries";
import { parseCsv } from "../support/parse-csv";
import { admin, createSale } from "./helpers";

/** Orders of a sale with the given seqs, as its object would put them on the queue. */
function ordersWithSeqs(saleId: string, seqs: readonly number[]): OrderMessage[] {
	return seqs.map((seq) => ({
		id: crypto.randomUUID(),
		saleId,
		userId: `buyer-${seq}`,
		variantId: "default",
		quantity: 1,
		amountCents: 12_900,
		currency: "USD",
		status: "confirmed",
		createdAt: 1_700_000_000_000 + seq,
		holdExpiresAt: null,
		paidAt: null,
		seq,
		version: 1,
	}));
}

/** One delivery of the order queue to the real consumer, every message acked. */
async function deliver(messages: readonly OrderMessage[]): Promise<void> {
	const batch = createMessageBatch<OrderMessage>(
		"doorbuster-orders",
		messages.map((body) => ({ id: `msg-${body.id}`, timestamp: new Date(), attempts: 1, body })),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, env);
	expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(messages.length);
}

async function orderPage(saleId: string, cursor: string | null, limit: number) {
	const query = cursor ? `?limit=${limit}&cursor=${cursor}` : `?limit=${limit}`;
	const response = await admin("GET", `/sales/${saleId}/orders${query}`);
	expect(response.status).toBe(200);
	return response.json<{ orders: Order[]; nextCursor: string | null }>();
}

describe("reading the order book while the queue still writes it", () => {
	it("shows on a later page an order with a lower seq that arrived after an earlier page was read", async () => {
		const sale = await createSale("late-low-seq");
		const [first, late, second] = ordersWithSeqs(sale.id, [3, 1, 4]);
		if (!first || !late || !second) throw new Error("three orders");
		await deliver([first, second]);

		const seen: string[] = [];
		const page = await orderPage(sale.id, null, 1);
		seen.push(...page.orders.map((order) => order.id));
		expect(page.nextCursor).not.toBeNull();

		// The queue delivers out of order: seq 1 lands after seq 3 was read.
		await deliver([late]);
		let cursor = page.nextCursor;
		while (cursor) {
			const next = await orderPage(sale.id, cursor, 1);
			seen.push(...next.orders.map((order) => order.id));
			cursor = next.nextCursor;
		}

		expect(seen).toEqual([first.id, second.id, late.id]);
	});

	it("exports an order with a lower seq that arrived while the export was past it", async () => {
		const sale = await createSale("late-csv");
		// Two export pages and one more: the export reads ahead by a page, so
		// the late order lands while a page is still to be read.
		const early = ordersWithSeqs(
			sale.id,
			Array.from({ length: 2_001 }, (_, i) => i + 2),
		);
		const [late] = ordersWithSeqs(sale.id, [1]);
		if (!late) throw new Error("one order");
		for (let i = 0; i < early.length; i += 100) await deliver(early.slice(i, i + 100));

		const reader = orderBookCsv(orderBookDb(env.DB), sale.id)
			.pipeThrough(new TextDecoderStream())
			.getReader();
		let csv = "";
		const header = await reader.read();
		csv += header.value ?? "";
		const firstPage = await reader.read();
		csv += firstPage.value ?? "";
		expect(parseCsv(csv)).toHaveLength(1_001);

		await deliver([late]);
		for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) csv += chunk.value;

		const exported = parseCsv(csv)
			.slice(1)
			.map((record) => record[0]);
		expect(exported).toHaveLength(2_002);
		expect(new Set(exported)).toEqual(new Set([...early, late].map((order) => order.id)));
	});
});

describe("the CSV export's v2 columns", () => {
	it("adds variant, amount, currency and the hold and payment times after the v1 columns", async () => {
		const sale = await createSale("csv-v2");
		const [held, paid] = ordersWithSeqs(sale.id, [1, 2]);
		if (!held || !paid) throw new Error("two orders");
		const holdExpiresAt = Date.UTC(2026, 10, 23, 12, 2, 0);
		const paidAt = Date.UTC(2026, 10, 23, 12, 1, 30, 250);
		await deliver([
			{ ...held, variantId: "size-m", quantity: 2, amountCents: 25_800, status: "held", holdExpiresAt },
			{ ...paid, variantId: "size-l", currency: "EUR", amountCents: 9_900, paidAt },
		]);

		const response = await admin("GET", `/sales/${sale.id}/orders.csv`);
		expect(response.status).toBe(200);
		const [header, ...records] = parseCsv(await response.text());
		expect(header).toEqual([
			"order_id",
			"sale_id",
			"user_id",
			"quantity",
			"status",
			"created_at",
			"variant_id",
			"amount_cents",
			"currency",
			"hold_expires_at",
			"paid_at",
		]);
		expect(records).toEqual([
			[
				held.id,
				sale.id,
				held.userId,
				"2",
				"held",
				new Date(held.createdAt).toISOString(),
				"size-m",
				"25800",
				"USD",
				"2026-11-23T12:02:00.000Z",
				"",
			],
			[
				paid.id,
				sale.id,
				paid.userId,
				"1",
				"confirmed",
				new Date(paid.createdAt).toISOString(),
				"size-l",
				"9900",
				"EUR",
				"",
				"2026-11-23T12:01:30.250Z",
			],
		]);
	});
});

describe("metrics from the order book", () => {
	it("exposes the units held and the revenue paid that the order book records", async () => {
		const sale = await createSale("metrics-v2");
		const [held, paid, unpaid] = ordersWithSeqs(sale.id, [1, 2, 3]);
		if (!held || !paid || !unpaid) throw new Error("three orders");
		await deliver([
			{ ...held, quantity: 2, amountCents: 25_800, status: "held", holdExpiresAt: Date.now() + 120_000 },
			{ ...paid, amountCents: 9_900, paidAt: Date.now() },
			// Confirmed without a payment, as every v1 sale's orders are: no revenue.
			unpaid,
		]);

		const response = await admin("GET", "/metrics");
		expect(response.status).toBe(200);
		const text = await response.text();
		expect(text).toContain("# TYPE doorbuster_units_held gauge");
		expect(text).toContain(`doorbuster_units_held{sale="${sale.id}"} 2\n`);
		expect(text).toContain("# TYPE doorbuster_revenue_cents gauge");
		expect(text).toContain(`doorbuster_revenue_cents{sale="${sale.id}"} 9900\n`);
	});
});
